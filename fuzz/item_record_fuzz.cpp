// Fuzzes the per-file record decoder: a sequence of records, the ndx state left alone on errors,
// every limit held, and the decoded records re-encode to a stream that decodes to the same
// records (and is reported incomplete when cut short).
//
// Input: byte 0 picks the reader (bit0 xattr requests follow, as on a sender with -X; bit1 the
// hard-link xattr optimisation), the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "protocol/item_record.h"

using namespace ursync::protocol;

namespace {

constexpr size_t k_records_max = 4096;  // keeps each run fast

void check_limits(const ItemRecord& rec, const ItemRecordOptions& options) {
    if (rec.ndx < 0) {
        URSYNC_FUZZ_CHECK(rec.iflags == 0 && rec.xname.empty() && !rec.xattr_nums);
        return;
    }
    URSYNC_FUZZ_CHECK(rec.xname.size() <= k_xname_len_max);
    if (!(rec.iflags & k_item_xname_follows)) URSYNC_FUZZ_CHECK(rec.xname.empty());
    if (!(rec.iflags & k_item_basis_type_follows))
        URSYNC_FUZZ_CHECK(rec.basis_type == k_fnamecmp_fname);
    const bool request =
        options.xattr_requests && xattr_exchange_follows(options.xattr_optim, rec.iflags);
    URSYNC_FUZZ_CHECK(rec.xattr_nums.has_value() == request);
    if (rec.xattr_nums) {
        URSYNC_FUZZ_CHECK(rec.xattr_nums->size() <= k_xattr_request_nums_max);
        for (int32_t num : *rec.xattr_nums) URSYNC_FUZZ_CHECK(num >= 1 && num <= k_xattr_count_max);
    }
}

void put(ByteWriter& out, NdxState& state, const ItemRecord& rec) {
    if (rec.ndx < 0) {
        put_ndx(out, state, rec.ndx);  // a marker stands alone
    } else {
        put_item_record(out, state, rec);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    ItemRecordOptions options;
    options.xattr_requests = (data[0] & 1) != 0;
    options.xattr_optim = (data[0] & 2) != 0;
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data) + 1, size - 1}};
    NdxState state;
    std::vector<ItemRecord> records;
    while (in.remaining() > 0 && records.size() < k_records_max) {
        const NdxState before = state;
        auto rec = get_item_record(in, state, options);
        if (!rec) {
            URSYNC_FUZZ_CHECK(state.prev_pos == before.prev_pos &&
                              state.prev_neg == before.prev_neg);
            break;
        }
        check_limits(*rec, options);
        records.push_back(std::move(*rec));
    }

    NdxState send;
    ByteWriter out;
    for (const ItemRecord& rec : records) put(out, send, rec);
    const std::vector<std::byte> encoded = out.take();
    ByteCursor again{Bytes{encoded}};
    NdxState recv;
    for (const ItemRecord& rec : records) {
        auto got = get_item_record(again, recv, options);
        URSYNC_FUZZ_CHECK(got.has_value() && *got == rec);
    }
    URSYNC_FUZZ_CHECK(again.remaining() == 0);

    // The same stream without its last byte: every record but the last, then "incomplete".
    if (!records.empty()) {
        ByteCursor cut{Bytes{encoded}.first(encoded.size() - 1)};
        NdxState cut_state;
        for (size_t i = 0; i + 1 < records.size(); ++i)
            URSYNC_FUZZ_CHECK(get_item_record(cut, cut_state, options).has_value());
        const NdxState before = cut_state;
        auto last = get_item_record(cut, cut_state, options);
        URSYNC_FUZZ_CHECK(!last && last.error().incomplete());
        URSYNC_FUZZ_CHECK(cut_state.prev_pos == before.prev_pos &&
                          cut_state.prev_neg == before.prev_neg);
    }
    return 0;
}
