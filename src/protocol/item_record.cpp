// The per-file record; mirrors the wire side of rsync rsync.c:read_ndx_and_attrs,
// generator.c:itemize and sender.c:send_files.
#include "protocol/item_record.h"

#include <cassert>
#include <string>
#include <utility>

#include "protocol/varint.h"

namespace ursync::protocol {

bool xattr_exchange_follows(bool xattr_optim, uint32_t iflags) {
    if (!(iflags & k_item_report_xattr)) return false;
    constexpr uint32_t k_local_link = k_item_xname_follows | k_item_local_change;
    return !(xattr_optim && (iflags & k_local_link) == k_local_link);
}

void put_item_record(ByteWriter& out, NdxState& ndx_state, const ItemRecord& rec) {
    if (rec.ndx >= 0) put_ndx(out, ndx_state, rec.ndx);
    put_shortint(out, rec.iflags);
    if (rec.iflags & k_item_basis_type_follows) put_byte(out, rec.basis_type);
    if (rec.iflags & k_item_xname_follows) {
        assert(rec.xname.size() <= k_xname_len_max);
        put_vstring(out, rec.xname);
    }
    if (rec.xattr_nums) encode_xattr_request(out, *rec.xattr_nums);
}

WireResult<ItemRecord> get_item_record(ByteCursor& in, NdxState& ndx_state,
                                       const ItemRecordOptions& options) {
    NdxState state = ndx_state;  // committed only when the whole record is in
    ItemRecord rec;
    auto ndx = get_ndx(in, state);
    if (!ndx) return Unexpected{std::move(ndx).error()};
    rec.ndx = *ndx;
    if (rec.ndx < 0) {
        ndx_state = state;
        return rec;
    }
    auto iflags = get_shortint(in);
    if (!iflags) return Unexpected{std::move(iflags).error()};
    rec.iflags = *iflags;
    if (rec.iflags & k_item_basis_type_follows) {
        auto type = get_byte(in);
        if (!type) return Unexpected{std::move(type).error()};
        rec.basis_type = *type;
    }
    if (rec.iflags & k_item_xname_follows) {
        auto xname = get_vstring(in, k_xname_len_max);
        if (!xname) {
            if (xname.error().incomplete()) return Unexpected{std::move(xname).error()};
            return invalid("xname: " + xname.error().what);
        }
        rec.xname = std::move(*xname);
    }
    if (options.xattr_requests && xattr_exchange_follows(options.xattr_optim, rec.iflags)) {
        std::vector<int32_t> nums;
        int32_t prior = 0;
        for (;;) {
            auto num = decode_xattr_num(in, prior);
            if (!num) return Unexpected{std::move(num).error()};
            if (!*num) break;
            if (nums.size() == k_xattr_request_nums_max)
                return malformed("xattr request with more than " +
                                 std::to_string(k_xattr_request_nums_max) + " values");
            prior = **num;
            nums.push_back(prior);
        }
        rec.xattr_nums = std::move(nums);
    }
    ndx_state = state;
    return rec;
}

}  // namespace ursync::protocol
