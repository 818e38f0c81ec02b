// The end of a requested transfer: segment accounting, the redo queue, hard-link leaders.
#include "roles/recv/core/transfers.h"

#include "roles/recv/core/hlink_state.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

bool hlink_applies(const RecvContext& ctx, const protocol::FileEntry& e) {
    return ctx.s.options.hard_links && e.hlink.linked && e.is_regular();
}

void hlink_transfer_ended(RecvContext& ctx, const protocol::FileEntry& e, bool ok) {
    if (!hlink_applies(ctx, e)) return;
    ctx.hlinks.finished.emplace_back(hlink_group_of(e), ok);
    ctx.receiver_progress.notify();
}

// The generator learns how a requested transfer ended (rsync's MSG_SUCCESS/NO_SEND/REDO);
// `ok`: the file is in place (a hard-link group can link to it).
void transfer_ended(RecvContext& ctx, EntryRef ref, int32_t ndx, bool redo, bool ok) {
    // Only transfers the generator asked for are counted (a sender may send what it likes).
    if (!ctx.state(ref).in_flight) return;
    ctx.state(ref).in_flight = false;
    if (!redo) hlink_transfer_ended(ctx, ctx.entry(ref), ok);
    SegmentProgress& p = ctx.progress[ref.seg];
    if (ctx.fopts.inc_recurse) p.in_progress--;
    if (redo) {
        if (ctx.fopts.inc_recurse) p.to_redo++;
        ctx.redo_queue.push_back(ndx);
    }
    ctx.receiver_progress.notify();
}

}  // namespace ursync::roles
