// Fuzzes the sum header and block-sum decoders: accepted headers obey every limit, re-encode to
// the same bytes, and block sums never read or allocate past the input.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "protocol/sum_head.h"
#include "protocol/varint.h"

using namespace ursync::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const int digest_len = data[0] % 24;  // 0..23 covers md5/xxh (16), xxh64 (8), sha1 (20)
    const Bytes body{reinterpret_cast<const std::byte*>(data) + 1, size - 1};
    ByteCursor in{body};
    auto head = get_sum_head(in, digest_len);
    if (!head) return 0;
    URSYNC_FUZZ_CHECK(head->count >= 0 && head->blength >= 0 && head->blength <= k_block_len_max);
    URSYNC_FUZZ_CHECK(head->count == 0 || head->blength > 0);
    URSYNC_FUZZ_CHECK(head->s2length >= 0 && head->s2length <= digest_len);
    URSYNC_FUZZ_CHECK(head->remainder >= 0 && head->remainder <= head->blength);
    ByteWriter out;
    put_sum_head(out, *head);
    URSYNC_FUZZ_CHECK(out.bytes() == std::vector<std::byte>(body.begin(), body.begin() + 16));

    const size_t before = in.remaining();
    auto sums = get_block_sums(in, *head);
    if (sums) {
        URSYNC_FUZZ_CHECK(before - in.remaining() == block_sums_size(*head));
        URSYNC_FUZZ_CHECK(sums->weak.size() == static_cast<size_t>(head->count));
        ByteWriter again;
        for (size_t i = 0; i < sums->weak.size(); ++i) {
            put_block_sum(again, sums->weak[i], sums->strong_of(i));
        }
        URSYNC_FUZZ_CHECK(
            again.bytes() ==
            std::vector<std::byte>(body.begin() + 16,
                                   body.begin() + 16 + static_cast<std::ptrdiff_t>(again.size())));
    } else {
        URSYNC_FUZZ_CHECK(sums.error().incomplete());
    }
    // The heuristics stay within the limits for any length.
    ByteCursor len_in{body};
    if (auto len = get_varlong(len_in, 3); len && *len >= 0) {
        const int32_t blength = block_len_for(*len);
        URSYNC_FUZZ_CHECK(blength >= k_block_len_default && blength <= k_block_len_max);
        const int32_t s2 = strong_sum_len_for(*len, blength, digest_len);
        URSYNC_FUZZ_CHECK(s2 >= 0 && s2 <= 16 && s2 <= digest_len);
        if (auto made = sum_head_for(*len, blength, s2)) {
            URSYNC_FUZZ_CHECK(check_sum_head(*made, digest_len).has_value());
            URSYNC_FUZZ_CHECK(check_sum_head_covers(*made, *len).has_value());
        }
    }
    return 0;
}
