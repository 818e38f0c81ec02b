// The peer's out-of-band messages during a session (rsync io.c:read_a_msg): relayed to the
// user, folded into the run state, or handed to the role's hooks.
#pragma once

#include "roles/common/session_context.h"
#include "session/mux_in.h"

namespace ursync::roles {

// An empty `what` in a session error marks an exit the peer asked for (MSG_ERROR_EXIT):
// nothing more to print.
inline constexpr const char* k_peer_exit = "";

// The handler MuxIn calls for each message, in stream order.
session::MuxIn::MessageHandler message_handler(Session& s);

}  // namespace ursync::roles
