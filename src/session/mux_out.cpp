// MuxOut implementation: frames stream bytes as MSG_DATA in place, in the writer's buffer, closing
// frames at rsync's points.
#include "session/mux_out.h"

#include <algorithm>
#include <cstring>

namespace ursync::session {

using protocol::k_data_chunk_len_max;
using protocol::k_frame_header_len;

namespace {

// Room asked for before a frame opens: a whole frame then fits, and an open frame never has
// to move when the buffer drains.
constexpr size_t k_frame_room = k_frame_header_len + k_data_chunk_len_max;

}  // namespace

void MuxOut::close_frame() {
    if (!frame_open_) return;
    std::span<std::byte> frame = raw_.unsealed();
    protocol::ByteWriter header;
    protocol::put_frame_header(header, protocol::MsgCode::data, frame.size() - k_frame_header_len);
    std::memcpy(frame.data(), header.bytes().data(), k_frame_header_len);
    raw_.seal();
    frame_open_ = false;
}

engine::Task<SessionResult<void>> MuxOut::append_data(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        if (!frame_open_) {
            auto r = co_await raw_.make_room(k_frame_room);
            if (!r) co_return Unexpected{from_stream(r.error())};
            raw_.advance(k_frame_header_len);  // the header, written when the frame closes
            frame_open_ = true;
        }
        const size_t in_frame = raw_.unsealed().size() - k_frame_header_len;
        const size_t take = std::min(bytes.size(), k_data_chunk_len_max - in_frame);
        std::memcpy(raw_.room().data(), bytes.data(), take);
        raw_.advance(take);
        bytes = bytes.subspan(take);
        if (in_frame + take == k_data_chunk_len_max) {
            close_frame();
            last_write_ = std::chrono::steady_clock::now();
        }
    }
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::send(std::span<const std::byte> bytes) {
    if (bytes.empty()) co_return SessionResult<void>{};
    co_await lock_.lock();
    SessionResult<void> r;
    if (!multiplexed_) {
        auto w = co_await raw_.write(bytes);
        if (!w) r = Unexpected{from_stream(w.error())};
    } else {
        r = co_await append_data(bytes);
    }
    lock_.unlock();
    co_return r;
}

engine::Task<SessionResult<void>> MuxOut::send_unframed(std::span<const std::byte> bytes) {
    co_await lock_.lock();
    close_frame();  // data sent before stays before
    last_write_ = std::chrono::steady_clock::now();
    auto w = co_await raw_.write(bytes);
    lock_.unlock();
    if (!w) co_return Unexpected{from_stream(w.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::send_message(protocol::MsgCode code,
                                                       std::span<const std::byte> payload) {
    co_await lock_.lock();
    close_frame();  // data sent before the message stays before it
    protocol::ByteWriter framed;
    protocol::encode_frames(code, payload, framed, protocol::k_frame_len_max);
    last_write_ = std::chrono::steady_clock::now();
    auto w = co_await raw_.write(framed.bytes());
    lock_.unlock();
    if (!w) co_return Unexpected{from_stream(w.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::flush_locked() {
    if (raw_.pending() > 0) last_write_ = std::chrono::steady_clock::now();
    close_frame();
    auto r = co_await raw_.flush();
    if (!r) co_return Unexpected{from_stream(r.error())};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> MuxOut::flush() {
    co_await lock_.lock();
    auto r = co_await flush_locked();
    lock_.unlock();
    co_return r;
}

engine::Task<SessionResult<void>> MuxOut::keep_alive_if_idle(uint64_t lull_ms) {
    if (!multiplexed_) co_return SessionResult<void>{};
    auto idle = std::chrono::steady_clock::now() - last_write_;
    if (idle < std::chrono::milliseconds(lull_ms)) co_return SessionResult<void>{};
    co_await lock_.lock();
    SessionResult<void> r;
    if (raw_.pending() == 0) {
        protocol::ByteWriter framed;
        protocol::encode_frames(protocol::MsgCode::data, {}, framed);  // "00 00 00 07"
        auto w = co_await raw_.write(framed.bytes());
        if (!w) r = Unexpected{from_stream(w.error())};
    }
    if (r) r = co_await flush_locked();
    lock_.unlock();
    co_return r;
}

}  // namespace ursync::session
