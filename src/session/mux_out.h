// MuxOut: the outgoing half of an rsync connection (raw before the handshake ends, then framed).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <vector>

#include "engine/async_mutex.h"
#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "protocol/mux_frame.h"
#include "session/session_error.h"
#include "transport/buffered.h"

namespace ursync::session {

class MuxOut {
public:
    explicit MuxOut(transport::BufferedWriter& raw) : raw_(raw), lock_(raw.engine()) {}

    void start_multiplex() {
        multiplexed_ = true;
        written_at_mux_start_ = raw_.total_written() + raw_.pending();
    }
    bool multiplexed() const { return multiplexed_; }

    // Appends stream bytes (framed as MSG_DATA once multiplexed). Buffered: call flush() before
    // waiting for the peer (MuxIn does this itself before it blocks). The bytes are copied once,
    // into the writer's buffer, right behind the header of the frame they go in.
    engine::Task<SessionResult<void>> send(std::span<const std::byte> bytes);
    engine::Task<SessionResult<void>> send(const protocol::ByteWriter& w) { return send(w.bytes()); }
    // Bytes outside any frame (a --files-from list below protocol 31, which rsync sends with
    // its multiplexing paused).
    engine::Task<SessionResult<void>> send_unframed(std::span<const std::byte> bytes);
    // An out-of-band message (MSG_INFO, MSG_DELETED, ...); ordered after the data sent so far.
    engine::Task<SessionResult<void>> send_message(protocol::MsgCode code,
                                                   std::span<const std::byte> payload);
    engine::Task<SessionResult<void>> flush();
    // Bytes sent since multiplexing started (frame headers included, the handshake not), for
    // the "sent" figure of the summary, as rsync counts its buffered I/O.
    // rsync's keep-alive (io.c:maybe_send_keepalive): when nothing was written for `lull_ms`,
    // flush what is pending, or send an empty MSG_DATA frame if nothing is.
    engine::Task<SessionResult<void>> keep_alive_if_idle(uint64_t lull_ms);

    uint64_t bytes_written() const {
        return raw_.total_written() + raw_.pending() - written_at_mux_start_;
    }

private:
    // Stream bytes go into an open MSG_DATA frame built in the writer's buffer (unsealed there).
    // Like rsync, a frame closes when it holds k_data_chunk_len_max bytes, when a message must
    // follow it, or on flush — not once per send() — so frame counts (and the byte totals in
    // --stats) match stock rsync.
    engine::Task<SessionResult<void>> append_data(std::span<const std::byte> bytes);
    // Writes the open frame's length into its header and seals it (no-op when none is open).
    void close_frame();
    engine::Task<SessionResult<void>> flush_locked();

    transport::BufferedWriter& raw_;
    // One operation at a time: a send() that waits for the peer halfway keeps its bytes
    // together, ahead of a message another coroutine sends meanwhile (as when every byte was
    // queued before the first wait).
    engine::AsyncMutex lock_;
    bool multiplexed_ = false;
    bool frame_open_ = false;
    uint64_t written_at_mux_start_ = 0;
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace ursync::session
