// The receiver coroutine: the sender's stream in, files out.
//
// roles/recv/receiver/ is rsync's receiver.c over recv/core/: the loop over the sender's
// records and phases (receiver.cpp), one transfer from basis to rename (recv_one.h), the data
// of one file rebuilt from tokens and basis blocks (recv_data.h), and the receiver's own state
// (receiver_state.h). Only recv/receive_files.cpp includes this header.
#pragma once

#include <cstdint>

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// Reads the sender's stream until the end of its last phase (and, in a pull, its statistics
// and final echo). Errors end in ctx.fail(). mirrors rsync receiver.c:recv_files and the
// receiver half of main.c:do_recv
engine::Task<void> run_receiver(RecvContext& ctx);

// The sender could not send ndx (MSG_NO_SEND): the transfer is over for the generator.
// MSG_NO_SEND: the sender could not open `ndx`; an index never listed (or already released)
// is a protocol error (rsync's got_flist_entry_status, exit 2).
session::SessionResult<void> note_no_send(RecvContext& ctx, int32_t ndx);

}  // namespace ursync::roles
