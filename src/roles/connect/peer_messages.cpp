// Routing the peer's messages: info and errors to the output, io_error bits and exit requests
// to the run state, MSG_SUCCESS / NO_SEND / DELETED to the role's hooks.
#include "roles/connect/peer_messages.h"

#include "protocol/mux_frame.h"

namespace ursync::roles {

using protocol::MsgCode;
using session::SessionError;
using session::SessionResult;

// Routes the peer's out-of-band messages (rsync io.c:read_a_msg).
session::MuxIn::MessageHandler message_handler(Session& s) {
    return [&s](const protocol::MuxEvent& ev) -> SessionResult<void> {
        switch (ev.code) {
            case MsgCode::info:
                s.output.relay_info(protocol::message_text(ev));
                break;
            case MsgCode::error_xfer:
                s.state.partial = true;
                s.output.relay_error(protocol::message_text(ev));
                break;
            case MsgCode::error:
            case MsgCode::warning:
            case MsgCode::error_utf8:
            case MsgCode::error_socket:
                s.output.relay_error(protocol::message_text(ev));
                break;
            case MsgCode::io_error: {
                auto bits = protocol::message_int(ev);
                if (!bits) return Unexpected{session::from_wire(bits.error(), "MSG_IO_ERROR")};
                s.state.io_error |= *bits & 0x7;
                break;
            }
            case MsgCode::error_exit: {
                int code = to_int(ExitCode::partial);
                if (ev.payload.size() == 4) {
                    auto c = protocol::message_int(ev);
                    if (c) code = *c;
                }
                return Unexpected{SessionError{k_peer_exit, static_cast<ExitCode>(code)}};
            }
            case MsgCode::no_send:
            case MsgCode::success: {
                auto ndx = protocol::message_int(ev);
                if (!ndx) return Unexpected{session::from_wire(ndx.error(), "a message")};
                auto& hook = ev.code == MsgCode::no_send ? s.hooks.no_send : s.hooks.success;
                if (hook) return hook(*ndx);
                break;
            }
            case MsgCode::deleted:
                if (s.hooks.deleted) s.hooks.deleted(protocol::message_text(ev));
                break;
            default:
                break;  // keep-alives, timeouts, log-only messages
        }
        return {};
    };
}

}  // namespace ursync::roles
