// MuxOut implementation: buffers stream bytes and frames them as MSG_DATA at rsync's points.
#include "session/mux_out.h"

#include <algorithm>

namespace ursync::session {

using protocol::k_data_chunk_len_max;

void MuxOut::frame_pending(protocol::ByteWriter& framed, bool keep_partial) {
    size_t at = 0;
    while (pending_.size() - at >= k_data_chunk_len_max ||
           (!keep_partial && at < pending_.size())) {
        size_t n = std::min(k_data_chunk_len_max, pending_.size() - at);
        protocol::encode_frames(protocol::MsgCode::data,
                                std::span<const std::byte>(pending_).subspan(at, n), framed);
        at += n;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(at));
}

engine::Task<SessionResult<void>> MuxOut::send(std::span<const std::byte> bytes) {
    if (bytes.empty()) co_return SessionResult<void>{};
    if (!multiplexed_) {
        auto r = co_await raw_.write(bytes);
        if (!r) co_return Unexpected{from_stream(r.error())};
        co_return SessionResult<void>{};
    }
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (pending_.size() < k_data_chunk_len_max) co_return SessionResult<void>{};
    protocol::ByteWriter framed;
    frame_pending(framed, true);  // whole chunks now, the rest waits for more or a flush
    last_write_ = std::chrono::steady_clock::now();
    auto r = co_await raw_.write(framed.bytes());  // whole frames: never interleaved
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::send_message(protocol::MsgCode code,
                                                       std::span<const std::byte> payload) {
    protocol::ByteWriter framed;
    frame_pending(framed, false);  // data sent before the message stays before it
    protocol::encode_frames(code, payload, framed, protocol::k_frame_len_max);
    last_write_ = std::chrono::steady_clock::now();
    auto r = co_await raw_.write(framed.bytes());
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::flush() {
    if (!pending_.empty() || raw_.pending() > 0) last_write_ = std::chrono::steady_clock::now();
    if (!pending_.empty()) {
        protocol::ByteWriter framed;
        frame_pending(framed, false);
        auto w = co_await raw_.write(framed.bytes());
        if (!w) co_return Unexpected{from_stream(w.error())};
    }
    auto r = co_await raw_.flush();
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::keep_alive_if_idle(uint64_t lull_ms) {
    if (!multiplexed_) co_return SessionResult<void>{};
    auto idle = std::chrono::steady_clock::now() - last_write_;
    if (idle < std::chrono::milliseconds(lull_ms)) co_return SessionResult<void>{};
    if (pending_.empty() && raw_.pending() == 0) {
        protocol::ByteWriter framed;
        protocol::encode_frames(protocol::MsgCode::data, {}, framed);  // "00 00 00 07"
        auto w = co_await raw_.write(framed.bytes());
        if (!w) co_return Unexpected{from_stream(w.error())};
    }
    co_return co_await flush();
}

}  // namespace ursync::session
