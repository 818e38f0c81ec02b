// MuxOut: the outgoing half of an rsync connection (raw before the handshake ends, then framed).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <vector>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "protocol/mux_frame.h"
#include "session/session_error.h"
#include "transport/buffered.h"

namespace ursync::session {

class MuxOut {
public:
    explicit MuxOut(transport::BufferedWriter& raw) : raw_(raw) {}

    void start_multiplex() {
        multiplexed_ = true;
        written_at_mux_start_ = raw_.total_written() + raw_.pending();
    }
    bool multiplexed() const { return multiplexed_; }

    // Appends stream bytes (framed as MSG_DATA once multiplexed). Buffered: call flush() before
    // waiting for the peer (MuxIn does this itself before it blocks).
    engine::Task<SessionResult<void>> send(std::span<const std::byte> bytes);
    engine::Task<SessionResult<void>> send(const protocol::ByteWriter& w) { return send(w.bytes()); }
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
        return raw_.total_written() + raw_.pending() + pending_.size() +
               (pending_.empty() ? 0 : protocol::k_frame_header_len) - written_at_mux_start_;
    }

private:
    // Frames everything pending (in chunks of at most k_data_chunk_len_max) into `framed`.
    void frame_pending(protocol::ByteWriter& framed, bool keep_partial);

    transport::BufferedWriter& raw_;
    bool multiplexed_ = false;
    uint64_t written_at_mux_start_ = 0;
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
    // Stream bytes not yet framed: like rsync, data is framed when a chunk fills up, when a
    // message must follow it, or on flush — not once per send() — so frame counts (and the
    // byte totals in --stats) match stock rsync.
    std::vector<std::byte> pending_;
};

}  // namespace ursync::session
