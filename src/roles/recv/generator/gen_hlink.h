// Hard links (-H) in the generator: which member of a group is transferred, and linking the
// others to it once its data is in place.
#pragma once

#include <optional>
#include <vector>

#include "engine/task.h"
#include "fs/attrs.h"
#include "roles/recv/core/hlink_state.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// Before the generator handles a member: true when it is dealt with (linked to a finished
// leader, or waiting for one), false when it must be processed like any file (it may become
// the leader). `st` is what exists at its name. mirrors rsync hlink.c:hard_link_check and the
// F_HLINK_NOT_LAST test of generator.c:recv_generator
engine::Task<SessionResult<bool>> hlink_before(RecvContext& ctx, GenState& g, const GenItem& item,
                                               const std::optional<fs::FileAttrs>& st);
// After the generator processed a member normally: it leads its group now (its transfer was
// requested, or it was already up to date: the group is queued as finished, for
// process_finished_hlinks to link the others at once).
void hlink_after(RecvContext& ctx, const GenItem& item);
// The first finished group: its waiting members are linked to the leader when its transfer
// succeeded; when it failed, they are returned, to be generated again in order (the first
// leads then; their in-progress counts are the caller's to release).
// mirrors rsync hlink.c:finish_hard_link and handle_skipped_hlink
engine::Task<SessionResult<std::vector<GenItem>>> hlink_next_finished(RecvContext& ctx,
                                                                     GenState& g);

}  // namespace ursync::roles
