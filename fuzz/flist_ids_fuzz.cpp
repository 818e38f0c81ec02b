// Fuzzes the uid/gid list decoder: errors leave the cursor alone, and lists with distinct ids
// re-encode to a stream that decodes to the same lists (varints need not be minimal on input).
//
// Input: byte 0 picks the options (bit0 -o, bit1 -g, bit2 CF_ID0_NAMES), the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <set>

#include "fuzz_check.h"
#include "protocol/flist_codec.h"

using namespace ursync::protocol;

namespace {

// Rebuilds the sender's table that produces `list` (rsync sends the most recent id first).
// Returns false if ids repeat (a table holds each id once, so no exact re-encoding exists).
bool fill_table(IdNameTable& table, const IdList& list) {
    std::set<uint32_t> seen;
    for (auto it = list.ids.rbegin(); it != list.ids.rend(); ++it) {
        if (!seen.insert(it->id).second) return false;
        table.add(it->id, it->name);
    }
    return true;
}

bool same(const std::optional<IdList>& a, const std::optional<IdList>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    if (a->id0_name != b->id0_name || a->ids.size() != b->ids.size()) return false;
    for (size_t i = 0; i < a->ids.size(); ++i) {
        if (a->ids[i].id != b->ids[i].id || a->ids[i].name != b->ids[i].name) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    FlistOptions o;
    o.preserve_uid = (data[0] & 1) != 0;
    o.preserve_gid = (data[0] & 2) != 0;
    o.id0_names = (data[0] & 4) != 0;
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data + 1), size - 1}};
    auto lists = decode_id_lists(in, o);
    if (!lists) {
        URSYNC_FUZZ_CHECK(in.position() == 0);
        return 0;
    }
    URSYNC_FUZZ_CHECK(lists->uids.has_value() == o.preserve_uid);
    URSYNC_FUZZ_CHECK(lists->gids.has_value() == o.preserve_gid);
    FlistCodecState state;
    bool exact = true;
    if (lists->uids) {
        exact = fill_table(state.sent_uids, *lists->uids) && exact;
        URSYNC_FUZZ_CHECK(lists->uids->id0_name.has_value() == o.id0_names);
        for (const IdName& id : lists->uids->ids) URSYNC_FUZZ_CHECK(id.id != 0);
    }
    if (lists->gids) exact = fill_table(state.sent_gids, *lists->gids) && exact;
    if (!exact) return 0;
    ByteWriter out;
    const std::string uid0 = lists->uids ? lists->uids->id0_name.value_or("") : "";
    const std::string gid0 = lists->gids ? lists->gids->id0_name.value_or("") : "";
    URSYNC_FUZZ_CHECK(encode_id_lists(out, o, state, uid0, gid0).has_value());
    ByteCursor again{Bytes{out.bytes()}};
    auto round = decode_id_lists(again, o);
    URSYNC_FUZZ_CHECK(round.has_value() && again.remaining() == 0);
    URSYNC_FUZZ_CHECK(same(round->uids, lists->uids) && same(round->gids, lists->gids));
    return 0;
}
