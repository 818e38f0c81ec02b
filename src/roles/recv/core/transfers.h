// How a requested transfer ends on the receiving side: the receiver (or a local copy) tells, the
// generator's accounting (segments in progress, the redo queue, hard-link leaders) follows.
// Which entries -H groups cover is decided here too.
#pragma once

#include <cstdint>

#include "protocol/file_entry.h"
#include "roles/recv/core/entry_ref.h"

namespace ursync::roles {

struct RecvContext;

// The generator learns how a requested transfer ended (rsync's MSG_SUCCESS/NO_SEND/REDO);
// `ok`: the file is in place (a hard-link group can link to it).
void transfer_ended(RecvContext& ctx, EntryRef ref, int32_t ndx, bool redo, bool ok);

// Whether -H applies to this entry (a regular file that belongs to a group).
bool hlink_applies(const RecvContext& ctx, const protocol::FileEntry& e);

// The receiver finished (ok) or gave up on a leader's transfer.
void hlink_transfer_ended(RecvContext& ctx, const protocol::FileEntry& e, bool ok);

}  // namespace ursync::roles
