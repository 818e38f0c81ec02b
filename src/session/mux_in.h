// MuxIn: the incoming half of an rsync connection; typed reads over the demultiplexed data stream.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "protocol/mux_frame.h"
#include "protocol/ndx.h"
#include "session/mux_out.h"
#include "session/session_error.h"
#include "transport/buffered.h"

namespace ursync::session {

class MuxIn {
public:
    // Out-of-band messages are handed to this as they arrive, in stream order.
    using MessageHandler = std::function<SessionResult<void>(const protocol::MuxEvent&)>;

    // `flush_before_wait`: our own outgoing half, flushed whenever we are about to wait for the
    // peer (otherwise both sides could wait on data sitting in each other's buffers).
    MuxIn(transport::BufferedReader& raw, MuxOut* flush_before_wait)
        : raw_(raw), out_(flush_before_wait) {}

    void start_multiplex(MessageHandler handler);
    bool multiplexed() const { return multiplexed_; }
    // Protocol 30 with a --files-from list on the connection: the list arrives raw, so the
    // switch waits (rsync's io_start_buffering_in) until start_deferred_multiplex().
    void defer_multiplex(MessageHandler handler) { deferred_handler_ = std::move(handler); }
    bool multiplex_deferred() const { return !multiplexed_ && deferred_handler_ != nullptr; }
    void start_deferred_multiplex() {
        if (multiplex_deferred()) start_multiplex(std::move(deferred_handler_));
        deferred_handler_ = nullptr;
    }

    // Waits until at least n stream bytes are available (contiguous, in available()).
    engine::Task<SessionResult<void>> need(size_t n, std::string_view what);
    // The next stream bytes that are contiguous in memory: some or all of what has arrived
    // (empty only when nothing has). Valid until the next call that reads or consumes.
    std::span<const std::byte> available() const {
        if (start_ < data_.size()) return {data_.data() + start_, data_.size() - start_};
        if (!spans_.empty()) return spans_.front();
        return {};
    }
    // Drops the first n bytes of available() (n <= available().size()).
    void consume(size_t n);

    // Decodes one value with a pure decoder `fn(ByteCursor&) -> WireResult<T>`, reading more
    // input while it reports `incomplete`.
    template <class T, class Fn>
    engine::Task<SessionResult<T>> decode(Fn fn, std::string_view what) {
        for (;;) {
            protocol::ByteCursor cursor(available());
            auto r = fn(cursor);
            if (r) {
                consume(cursor.position());
                co_return std::move(*r);
            }
            if (!r.error().incomplete()) co_return Unexpected{from_wire(r.error(), what)};
            auto more = co_await need(available().size() + 1, what);
            if (!more) co_return Unexpected{std::move(more).error()};
        }
    }

    engine::Task<SessionResult<int32_t>> read_int(std::string_view what);
    engine::Task<SessionResult<int32_t>> read_varint(std::string_view what);
    engine::Task<SessionResult<int64_t>> read_varlong(int min_bytes, std::string_view what);
    engine::Task<SessionResult<uint8_t>> read_byte(std::string_view what);
    engine::Task<SessionResult<uint16_t>> read_shortint(std::string_view what);
    engine::Task<SessionResult<int32_t>> read_ndx(protocol::NdxState& state, std::string_view what);
    engine::Task<SessionResult<std::string>> read_vstring(size_t len_max, std::string_view what);
    // Copies exactly out.size() stream bytes.
    engine::Task<SessionResult<void>> read_bytes(std::span<std::byte> out, std::string_view what);

    // Bounds every later wait by `ms` unless a timeout (--timeout) is already set.
    void bound_waits_ms(uint64_t ms) {
        if (raw_.timeout_ms() == 0) raw_.set_timeout_ms(ms);
    }
    // Reads and drops everything until the peer closes, fails or times out (its messages are
    // still handled): what an end that gave up does so the peer reads its last words.
    engine::Task<void> drain(std::string_view what);

    // Bytes read from the peer since multiplexing started (rsync counts its buffered I/O only,
    // not the handshake), for the "received" figure of the summary.
    uint64_t bytes_read() const { return raw_.total_read() - read_at_mux_start_; }

private:
    engine::Task<SessionResult<void>> pull(std::string_view what);
    // Splits `raw` into frames: messages to the handler; data copied to data_, or (keep_in_raw)
    // left where it is, as spans_.
    SessionResult<void> take_frames(std::span<const std::byte> raw, bool keep_in_raw);
    // Moves stream bytes from spans_ to data_ until data_ holds n, or spans_ run out.
    void coalesce(size_t n);
    // Once no span points into it, what was parsed of the reader's buffer is let go.
    void release_raw();
    void compact();

    transport::BufferedReader& raw_;
    MuxOut* out_;
    bool multiplexed_ = false;
    uint64_t read_at_mux_start_ = 0;
    protocol::MuxDecoder decoder_;
    MessageHandler handler_;
    MessageHandler deferred_handler_;
    // The stream bytes not yet consumed, in order: data_[start_..] (bytes that had to be
    // copied: before multiplexing, or gathered for a value split across frames), then spans_
    // (data frames' payloads still in the reader's buffer, whose first raw_parsed_ bytes are
    // kept until every span is consumed). Literal file data is mostly read straight from the
    // spans: one copy from the socket buffer to where it goes.
    std::vector<std::byte> data_;
    size_t start_ = 0;
    std::deque<std::span<const std::byte>> spans_;
    size_t raw_parsed_ = 0;
    std::vector<protocol::MuxEvent> events_;
    // Bytes that arrived with the handshake but after its last value: the peer may send its
    // first frames in the same write, so they are parsed as frames once multiplexing starts.
    std::vector<std::byte> unframed_;
};

}  // namespace ursync::session
