// Deleting extraneous files on the receiving side (--delete and its timings), with rsync's
// reporting (MSG_DELETED from a server, "deleting x" / "*deleting" on a client) and counts.
#pragma once

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// Most entries one destination directory may hold for a deletion scan.
inline constexpr size_t k_delete_dir_entries_max = size_t{1} << 24;

// --delete-during / --delete-delay for one directory of the transfer: removes (or, delayed,
// remembers) what exists there but is not in the file list. mirrors rsync generator.c:delete_in_dir
engine::Task<SessionResult<void>> delete_in_dir(RecvContext& ctx, GenState& g, EntryRef dir);
// After the last segment (rsync's delete_in_dir(NULL, ...)): nothing left to do here, kept for
// the call order.
engine::Task<void> finish_delete_during(RecvContext& ctx, GenState& g);
// --delete-before / --delete-after: every content directory of the list in turn.
// mirrors rsync generator.c:do_delete_pass
engine::Task<SessionResult<void>> do_delete_pass(RecvContext& ctx, GenState& g);
// --delete-delay: the deletions remembered during the transfer.
engine::Task<SessionResult<void>> do_delayed_deletions(RecvContext& ctx, GenState& g);
// "Deletions stopped due to --max-delete limit" (and IOERR_DEL_LIMIT) when it applies.
void report_delete_limit(RecvContext& ctx, const GenState& g);
// --delete-missing-args: a source argument that does not exist (a mode-0 entry) removes
// whatever is at its name (reported like a deletion). mirrors rsync generator.c's
// missing_args == 2 branch
engine::Task<SessionResult<void>> delete_missing(RecvContext& ctx, GenState& g,
                                                const std::string& rel, uint32_t current_mode);

// Makes room at `rel` (whose current mode is `current_mode`) for a new item of another type:
// a directory's contents are deleted (and reported) when a delete mode or --force is on, the
// item itself silently. False: it could not be removed ("could not make way for new <what>").
// mirrors rsync delete.c:delete_item with DEL_MAKE_ROOM
engine::Task<SessionResult<bool>> make_room(RecvContext& ctx, GenState& g, const std::string& rel,
                                            uint32_t current_mode, uint32_t wanted_mode);

// NDX_DEL_STATS and the five counts. mirrors rsync main.c:write_del_stats
void put_del_stats(RecvContext& ctx, protocol::ByteWriter& out);

}  // namespace ursync::roles
