// Sum header and block checksums; mirrors rsync io.c:read_sum_head/write_sum_head and
// generator.c:sum_sizes_sqroot.
#include "protocol/sum_head.h"

#include <algorithm>
#include <string>

#include "protocol/varint.h"

namespace ursync::protocol {
namespace {

int floor_log2(uint64_t v) {
    int n = 0;
    while (v >>= 1) ++n;
    return n;
}

}  // namespace

void put_sum_head(ByteWriter& out, const SumHead& head) {
    put_int(out, head.count);
    put_int(out, head.blength);
    put_int(out, head.s2length);
    put_int(out, head.remainder);
}

WireResult<void> check_sum_head(const SumHead& head, int digest_len) {
    if (head.count < 0) return invalid("invalid checksum count " + std::to_string(head.count));
    if (head.blength < 0 || head.blength > k_block_len_max) {
        return invalid("invalid block length " + std::to_string(head.blength));
    }
    if (head.count > 0 && head.blength == 0) return invalid("invalid zero block length");
    const int s2_max = std::clamp(digest_len, 0, k_peer_digest_len_max);
    if (head.s2length < 0 || head.s2length > s2_max) {
        return invalid("invalid checksum length " + std::to_string(head.s2length));
    }
    if (head.remainder < 0 || head.remainder > head.blength) {
        return invalid("invalid remainder length " + std::to_string(head.remainder));
    }
    return {};
}

WireResult<SumHead> get_sum_head(ByteCursor& in, int digest_len) {
    if (!in.has(16)) return need_more("sum header");
    SumHead head;
    head.count = *get_int(in);
    head.blength = *get_int(in);
    head.s2length = *get_int(in);
    head.remainder = *get_int(in);
    if (auto ok = check_sum_head(head, digest_len); !ok) return Unexpected{ok.error()};
    return head;
}

WireResult<void> check_sum_head_covers(const SumHead& head, int64_t file_len) {
    if (head.count == 0) return {};
    if (file_len < 0 || head.blength <= 0) return malformed("sum header without a basis length");
    const int64_t remainder = file_len % head.blength;
    const int64_t count = file_len / head.blength + (remainder != 0 ? 1 : 0);
    if (count != head.count || remainder != head.remainder) {
        return malformed("sum header does not match the basis length " + std::to_string(file_len));
    }
    return {};
}

uint64_t block_sums_size(const SumHead& head) {
    if (head.count <= 0 || head.s2length < 0) return 0;
    return static_cast<uint64_t>(head.count) * (4 + static_cast<uint64_t>(head.s2length));
}

void put_block_sum(ByteWriter& out, uint32_t weak, Bytes strong) {
    put_int(out, static_cast<int32_t>(weak));
    out.put(strong);
}

WireResult<BlockSums> get_block_sums(ByteCursor& in, const SumHead& head) {
    if (head.count < 0 || head.s2length < 0 || head.s2length > k_peer_digest_len_max) {
        return malformed("invalid sum header");
    }
    const uint64_t size = block_sums_size(head);
    if (in.remaining() < size) return need_more("block sums");
    const auto count = static_cast<size_t>(head.count);
    const auto s2 = static_cast<size_t>(head.s2length);
    BlockSums sums;
    sums.head = head;
    sums.weak.reserve(count);
    sums.strong.reserve(count * s2);
    for (size_t i = 0; i < count; ++i) {
        sums.weak.push_back(static_cast<uint32_t>(*get_int(in)));
        const Bytes strong = in.take(s2);
        sums.strong.insert(sums.strong.end(), strong.begin(), strong.end());
    }
    return sums;
}

int32_t block_len_for(int64_t file_len) {
    if (file_len <= int64_t{k_block_len_default} * k_block_len_default) return k_block_len_default;
    // c = 2^floor(log4(file_len)): a first power-of-two estimate of the square root.
    int64_t c = 1;
    for (int64_t l = file_len; l >>= 2;) c <<= 1;
    if (c >= k_block_len_max) return k_block_len_max;
    // Set bits from c down to 8 while the square stays within file_len (a multiple of 8).
    int64_t blength = 0;
    for (; c >= 8; c >>= 1) {
        blength |= c;
        if (file_len < blength * blength) blength &= ~c;
    }
    return static_cast<int32_t>(std::max<int64_t>(blength, k_block_len_default));
}

int32_t strong_sum_len_for(int64_t file_len, int32_t block_len, int digest_len) {
    const int s2_max = std::min(k_strong_sum_len_max, std::max(digest_len, 0));
    int b = 10;  // BLOCKSUM_BIAS
    if (file_len > 0) b += 2 * floor_log2(static_cast<uint64_t>(file_len));
    if (block_len > 0) b = std::max(0, b - floor_log2(static_cast<uint64_t>(block_len)));
    // Add a bit, subtract the 32 bits of the rolling sum, round up to bytes (C division).
    int s2 = (b + 1 - 32 + 7) / 8;
    s2 = std::max(s2, int{k_strong_sum_len_min});
    return std::min(s2, s2_max);
}

int32_t redo_strong_sum_len(int digest_len) {
    return std::min(k_strong_sum_len_max, std::max(digest_len, 0));
}

WireResult<SumHead> sum_head_for(int64_t file_len, int32_t block_len, int32_t s2length) {
    if (file_len < 0 || block_len <= 0) return malformed("invalid file or block length");
    SumHead head;
    head.blength = block_len;
    head.s2length = s2length;
    head.remainder = static_cast<int32_t>(file_len % block_len);
    const int64_t count = file_len / block_len + (head.remainder != 0 ? 1 : 0);
    if (count > INT32_MAX) return malformed("file too large for block length");
    head.count = static_cast<int32_t>(count);  // an empty basis keeps blength/s2length, as stock
    return head;
}

}  // namespace ursync::protocol
