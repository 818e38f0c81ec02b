// Hard links (-H) on the receiving side, the part both coroutines share: the groups, which
// member leads each, and the leaders whose transfer ended (the receiver tells: transfers.h; the
// generator links the waiting members: recv/generator/gen_hlink.h).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/file_entry.h"
#include "roles/recv/core/entry_ref.h"

namespace ursync::roles {

// One hard-link group (-H) on the receiving side: the member whose data arrives (the leader)
// and the members waiting to be linked to it. mirrors rsync hlink.c's F_HL_PREV chains
struct HlinkGroup {
    enum class Status { none, pending, done };
    Status status = Status::none;
    std::optional<EntryRef> leader;
    std::vector<std::pair<EntryRef, int32_t>> waiters;  // entry and its index
};

// The session's groups, and the leaders whose transfer is over (group, ok) waiting for the
// generator.
struct HlinkState {
    std::unordered_map<int32_t, HlinkGroup> groups;  // by group id (first_ndx)
    std::deque<std::pair<int32_t, bool>> finished;
};

// The group an entry belongs to (its first member's index).
inline int32_t hlink_group_of(const protocol::FileEntry& e) {
    return e.hlink.first_ndx;
}

}  // namespace ursync::roles
