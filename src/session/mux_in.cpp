// MuxIn implementation: pulls raw bytes, splits frames, routes messages, serves typed reads.
#include "session/mux_in.h"

#include <algorithm>
#include <cstring>

#include "protocol/varint.h"

namespace ursync::session {

void MuxIn::start_multiplex(MessageHandler handler) {
    multiplexed_ = true;
    // Bytes already buffered past the handshake belong to the multiplexed stream.
    read_at_mux_start_ = raw_.total_read() - raw_.buffered().size() - (data_.size() - start_);
    handler_ = std::move(handler);
    // What the handshake read ahead was written after it, so it is framed like the rest: a
    // parser must not depend on how the peer split its writes.
    unframed_.assign(data_.begin() + static_cast<ptrdiff_t>(start_), data_.end());
    data_.clear();
    start_ = 0;
}

SessionResult<void> MuxIn::take_frames(std::span<const std::byte> raw, bool keep_in_raw) {
    events_.clear();
    auto fed = decoder_.feed(raw, events_);
    if (!fed) return Unexpected{from_wire(fed.error(), "multiplexed input")};
    for (const auto& ev : events_) {
        if (ev.code == protocol::MsgCode::data) {
            if (ev.data.empty()) continue;
            if (keep_in_raw) {
                spans_.push_back(ev.data);
            } else {
                data_.insert(data_.end(), ev.data.begin(), ev.data.end());
            }
        } else if (handler_) {
            auto h = handler_(ev);
            if (!h) return h;
        }
    }
    return {};
}

void MuxIn::consume(size_t n) {
    if (start_ < data_.size()) {
        start_ += n;
        return;
    }
    if (n == 0) return;
    auto& front = spans_.front();
    front = front.subspan(n);
    if (front.empty()) {
        spans_.pop_front();
        if (spans_.empty()) release_raw();
    }
}

// A value split across frames (or asked for whole) is gathered here; a little more than asked
// is moved at a time, so a decoder that asks byte by byte does not copy byte by byte.
void MuxIn::coalesce(size_t n) {
    constexpr size_t k_coalesce_min_bytes = 64;
    compact();
    while (data_.size() - start_ < n && !spans_.empty()) {
        auto& front = spans_.front();
        const size_t want = std::max(n - (data_.size() - start_), k_coalesce_min_bytes);
        const size_t take = std::min(want, front.size());
        data_.insert(data_.end(), front.begin(), front.begin() + static_cast<ptrdiff_t>(take));
        front = front.subspan(take);
        if (front.empty()) spans_.pop_front();
    }
    if (spans_.empty()) release_raw();
}

void MuxIn::release_raw() {
    raw_.consume(raw_parsed_);
    raw_parsed_ = 0;
}

void MuxIn::compact() {
    if (start_ == 0) return;
    if (start_ == data_.size()) {
        data_.clear();
    } else if (start_ > data_.size() / 2) {
        data_.erase(data_.begin(), data_.begin() + static_cast<ptrdiff_t>(start_));
    } else {
        return;
    }
    start_ = 0;
}

// Reads whatever the peer sent next and appends its stream bytes (handling messages).
// Only called with spans_ empty: everything parsed so far has been consumed.
engine::Task<SessionResult<void>> MuxIn::pull(std::string_view what) {
    compact();
    release_raw();
    if (multiplexed_ && !unframed_.empty()) {
        auto early = std::move(unframed_);
        unframed_.clear();
        // event data points into `early`: copied before it ends
        co_return take_frames(early, false);
    }
    if (raw_.buffered().empty()) {
        if (out_) {
            auto f = co_await out_->flush();
            if (!f) co_return f;
        }
        auto got = co_await raw_.fill_more(what);
        if (!got) co_return Unexpected{from_stream(got.error())};
    }
    auto raw = raw_.buffered();
    if (!multiplexed_) {
        data_.insert(data_.end(), raw.begin(), raw.end());
        raw_.consume(raw.size());
        co_return SessionResult<void>{};
    }
    // The data frames' payloads stay in the reader's buffer until consumed.
    auto taken = take_frames(raw, true);
    raw_parsed_ = raw.size();
    if (spans_.empty()) release_raw();
    co_return taken;
}

engine::Task<SessionResult<void>> MuxIn::need(size_t n, std::string_view what) {
    while (available().size() < n) {
        if (!spans_.empty()) {
            coalesce(n);
            continue;
        }
        auto r = co_await pull(what);
        if (!r) co_return r;
    }
    co_return SessionResult<void>{};
}

engine::Task<void> MuxIn::drain(std::string_view what) {
    for (;;) {
        auto r = co_await need(1, what);
        if (!r) co_return;
        consume(available().size());
    }
}

engine::Task<SessionResult<int32_t>> MuxIn::read_int(std::string_view what) {
    return decode<int32_t>([](protocol::ByteCursor& c) { return protocol::get_int(c); }, what);
}
engine::Task<SessionResult<int32_t>> MuxIn::read_varint(std::string_view what) {
    return decode<int32_t>([](protocol::ByteCursor& c) { return protocol::get_varint(c); }, what);
}
engine::Task<SessionResult<int64_t>> MuxIn::read_varlong(int min_bytes, std::string_view what) {
    return decode<int64_t>(
        [min_bytes](protocol::ByteCursor& c) { return protocol::get_varlong(c, min_bytes); }, what);
}
engine::Task<SessionResult<uint8_t>> MuxIn::read_byte(std::string_view what) {
    return decode<uint8_t>([](protocol::ByteCursor& c) { return protocol::get_byte(c); }, what);
}
engine::Task<SessionResult<uint16_t>> MuxIn::read_shortint(std::string_view what) {
    return decode<uint16_t>([](protocol::ByteCursor& c) { return protocol::get_shortint(c); },
                            what);
}
engine::Task<SessionResult<int32_t>> MuxIn::read_ndx(protocol::NdxState& state,
                                                     std::string_view what) {
    return decode<int32_t>(
        [&state](protocol::ByteCursor& c) { return protocol::get_ndx(c, state); }, what);
}
engine::Task<SessionResult<std::string>> MuxIn::read_vstring(size_t len_max,
                                                             std::string_view what) {
    return decode<std::string>(
        [len_max](protocol::ByteCursor& c) { return protocol::get_vstring(c, len_max); }, what);
}

engine::Task<SessionResult<void>> MuxIn::read_bytes(std::span<std::byte> out,
                                                    std::string_view what) {
    size_t done = 0;
    while (done < out.size()) {
        if (available().empty()) {
            auto r = co_await need(1, what);
            if (!r) co_return r;
        }
        size_t take = std::min(out.size() - done, available().size());
        std::memcpy(out.data() + done, available().data(), take);
        consume(take);
        done += take;
    }
    co_return SessionResult<void>{};
}

}  // namespace ursync::session
