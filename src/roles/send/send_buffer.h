// SendBuffer: the sender's outgoing stream bytes, collected and handed to MuxOut in large pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "session/mux_out.h"

namespace ursync::roles {

// Bytes collected before they are framed (stock writers fill 32 KiB frames).
inline constexpr size_t k_send_chunk_bytes = 32 * 1024;

// Encoders append to w(); commit() frames what is collected once it is large, flush() always
// (call it before waiting for the peer: MuxIn flushes MuxOut, but not this buffer).
class SendBuffer {
  public:
    explicit SendBuffer(session::MuxOut& out) : out_(out) {}

    protocol::ByteWriter& w() { return w_; }
    engine::Task<session::SessionResult<void>> commit(size_t threshold = k_send_chunk_bytes) {
        if (w_.size() < threshold || w_.size() == 0) co_return session::SessionResult<void>{};
        sent_ += w_.size();
        // Sent from our buffer, which keeps its capacity (nothing else appends meanwhile:
        // one coroutine owns this buffer).
        auto r = co_await out_.send(w_.bytes());
        w_.clear();
        co_return r;
    }
    // Stream bytes that follow what is collected, handed to MuxOut from the caller's buffer
    // (not copied into w() first).
    engine::Task<session::SessionResult<void>> put_data(std::span<const std::byte> data) {
        auto r = co_await commit(1);
        if (!r) co_return r;
        sent_ += data.size();
        co_return co_await out_.send(data);
    }
    // Everything collected goes to MuxOut and MuxOut to the socket.
    engine::Task<session::SessionResult<void>> flush() {
        auto r = co_await commit(1);
        if (!r) co_return r;
        co_return co_await out_.flush();
    }
    // Stream bytes produced so far (collected or sent).
    uint64_t produced() const { return sent_ + w_.size(); }
    session::MuxOut& mux() { return out_; }

  private:
    session::MuxOut& out_;
    protocol::ByteWriter w_;
    uint64_t sent_ = 0;
};

}  // namespace ursync::roles
