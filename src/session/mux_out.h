// MuxOut: the outgoing half of an rsync connection (raw before the handshake ends, then framed).
#pragma once

#include <cstddef>
#include <span>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "protocol/mux_frame.h"
#include "session/session_error.h"
#include "transport/buffered.h"

namespace ursync::session {

class MuxOut {
public:
    explicit MuxOut(transport::BufferedWriter& raw) : raw_(raw) {}

    void start_multiplex() { multiplexed_ = true; }
    bool multiplexed() const { return multiplexed_; }

    // Appends stream bytes (framed as MSG_DATA once multiplexed). Buffered: call flush() before
    // waiting for the peer (MuxIn does this itself before it blocks).
    engine::Task<SessionResult<void>> send(std::span<const std::byte> bytes);
    engine::Task<SessionResult<void>> send(const protocol::ByteWriter& w) { return send(w.bytes()); }
    // An out-of-band message (MSG_INFO, MSG_DELETED, ...); ordered after the data sent so far.
    engine::Task<SessionResult<void>> send_message(protocol::MsgCode code,
                                                   std::span<const std::byte> payload);
    engine::Task<SessionResult<void>> flush();
    uint64_t bytes_written() const { return raw_.total_written() + raw_.pending(); }

private:
    transport::BufferedWriter& raw_;
    bool multiplexed_ = false;
};

}  // namespace ursync::session
