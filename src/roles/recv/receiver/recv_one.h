// One transfer on the receiving side: basis, temp file (or --inplace), data, verification,
// attributes and the rename, and telling the generator how it ended.
#pragma once

#include <cstdint>
#include <string>

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/receiver/receiver_state.h"

namespace ursync::roles {

// One record read from the sender: index, item flags, basis type, xname, and the entry.
struct RecvRecord {
    int32_t ndx = protocol::k_ndx_done;
    uint32_t iflags = 0;
    uint8_t fnamecmp_type = k_fnamecmp_fname;
    std::string xname;
    EntryRef ref;  // the entry (for a segment's parent slot: the directory's own entry)
};

// Verified files being put in place in the background at once, at most.
inline constexpr int k_finish_inflight_max = 32;

// Receives the file of a transfer record (the sum head and data follow in the stream).
// mirrors the per-file body of rsync receiver.c:recv_files
engine::Task<SessionResult<void>> receive_one(RecvContext& ctx, ReceiverState& r,
                                              const RecvRecord& rec);

// Where the transfer stands for the client's progress lines (file-list entries and bytes so
// far, and whether every list is in).
ProgressTotals progress_totals(const RecvContext& ctx);

// Waits until at most `max` files are still being put in place in the background.
engine::Task<void> wait_finishes(ReceiverState& r, int max);

// The end of phase 1 with --delay-updates: every waiting file goes into place.
// mirrors rsync receiver.c:handle_delayed_updates
engine::Task<SessionResult<void>> handle_delayed_updates(RecvContext& ctx, ReceiverState& r);

}  // namespace ursync::roles
