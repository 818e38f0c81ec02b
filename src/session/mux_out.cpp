// MuxOut implementation: wraps stream bytes into MSG_DATA frames, one write per frame group.
#include "session/mux_out.h"

namespace ursync::session {

engine::Task<SessionResult<void>> MuxOut::send(std::span<const std::byte> bytes) {
    if (bytes.empty()) co_return SessionResult<void>{};
    if (!multiplexed_) {
        auto r = co_await raw_.write(bytes);
        if (!r) co_return Unexpected{from_stream(r.error())};
        co_return SessionResult<void>{};
    }
    protocol::ByteWriter framed;
    protocol::encode_frames(protocol::MsgCode::data, bytes, framed);
    auto r = co_await raw_.write(framed.bytes());  // whole frames: never interleaved
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::send_message(protocol::MsgCode code,
                                                       std::span<const std::byte> payload) {
    protocol::ByteWriter framed;
    protocol::encode_frames(code, payload, framed, protocol::k_frame_len_max);
    auto r = co_await raw_.write(framed.bytes());
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::flush() {
    auto r = co_await raw_.flush();
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

}  // namespace ursync::session
