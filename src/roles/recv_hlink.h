// Hard links (-H) on the receiving side: which member of a group is transferred, and linking
// the others to it once its data is in place.
#pragma once

#include <optional>

#include "engine/task.h"
#include "fs/attrs.h"
#include "roles/generator.h"
#include "roles/generator_entry.h"
#include "roles/receiving.h"

namespace ursync::roles {

// Whether -H applies to this entry (a regular file that belongs to a group).
bool hlink_applies(const RecvContext& ctx, const protocol::FileEntry& e);

// Before the generator handles a member: true when it is dealt with (linked to a finished
// leader, or waiting for one), false when it must be processed like any file (it may become
// the leader). `st` is what exists at its name. mirrors rsync hlink.c:hard_link_check and the
// F_HLINK_NOT_LAST test of generator.c:recv_generator
engine::Task<SessionResult<bool>> hlink_before(RecvContext& ctx, GenState& g, const GenItem& item,
                                               const std::optional<fs::FileAttrs>& st);
// After the generator processed a member normally: it leads its group now (its transfer was
// requested, or it was already up to date and the others can be linked at once).
engine::Task<SessionResult<void>> hlink_after(RecvContext& ctx, GenState& g, const GenItem& item);
// The receiver finished (ok) or gave up on a leader's transfer.
void hlink_transfer_ended(RecvContext& ctx, const protocol::FileEntry& e, bool ok);
// The generator's share of finished leaders: link the waiting members, or find a new leader.
// mirrors rsync hlink.c:finish_hard_link and handle_skipped_hlink
engine::Task<SessionResult<void>> hlink_process_finished(RecvContext& ctx, GenState& g);

}  // namespace ursync::roles
