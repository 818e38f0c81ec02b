// Bounded buffered reading and writing over an FdStream, with back-pressure and clear EOF errors.
#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <span>
#include <string_view>
#include <vector>

#include "engine/async_mutex.h"
#include "transport/fd_stream.h"
#include "transport/stream_error.h"

namespace ursync::transport {

inline constexpr size_t k_stream_buffer_bytes = 256 * 1024;

class BufferedReader {
public:
    explicit BufferedReader(FdStream& stream, size_t capacity = k_stream_buffer_bytes);

    // Ensures at least `n` bytes are buffered (n <= capacity). `what` names the item being read,
    // for the error if the peer closes first.
    engine::Task<StreamResult<void>> fill(size_t n, std::string_view what);
    // Reads at least one more byte into the buffer (or fails at EOF / error).
    engine::Task<StreamResult<size_t>> fill_more(std::string_view what);
    // Copies exactly out.size() bytes (any size) into `out`.
    engine::Task<StreamResult<void>> read_exact(std::span<std::byte> out, std::string_view what);

    std::span<const std::byte> buffered() const {
        return {buf_.data() + start_, end_ - start_};
    }
    void consume(size_t n) { start_ += n; }
    size_t capacity() const { return buf_.size(); }
    // Whether p points into the buffer (for tests of in-place reads).
    bool owns(const std::byte* p) const {
        return p >= buf_.data() && p < buf_.data() + buf_.size();
    }
    // A read timeout for every wait (0 = none), as set by --timeout.
    void set_timeout_ms(uint64_t ms) { timeout_ms_ = ms; }
    // --stop-at / --stop-after: no read goes on past this moment (seconds since the epoch);
    // then it fails with rsync's "stopping at requested limit" (exit 30).
    void set_deadline(std::time_t at) { deadline_ = at; }
    uint64_t timeout_ms() const { return timeout_ms_; }
    uint64_t total_read() const { return total_read_; }

private:
    void compact();

    FdStream& stream_;
    std::vector<std::byte> buf_;
    size_t start_ = 0;
    size_t end_ = 0;
    uint64_t timeout_ms_ = 0;
    uint64_t total_read_ = 0;
    std::time_t deadline_ = 0;
};

class BufferedWriter {
public:
    explicit BufferedWriter(FdStream& stream, size_t capacity = k_stream_buffer_bytes);

    // Appends bytes; when the buffer is full it is written out first (back-pressure: the caller
    // waits for the peer). Writers from several coroutines are serialised. Not while an open
    // item is being built in place (see room()): the appended bytes would seal it.
    engine::Task<StreamResult<void>> write(std::span<const std::byte> bytes);
    engine::Task<StreamResult<void>> flush();
    // Bytes buffered, sealed or not.
    size_t pending() const { return used_; }

    // Building an item in place (MuxOut's frames: header first, its length patched when the
    // frame closes). Bytes written into room() and added with advance() stay unsealed: a
    // drain writes out only what precedes them, until seal(). make_room() drains the sealed
    // bytes if fewer than `n` bytes of room are left (the unsealed ones then move to the front).
    std::span<std::byte> room() { return std::span(buf_).subspan(used_); }
    void advance(size_t n) { used_ += n; }
    std::span<std::byte> unsealed() { return std::span(buf_).subspan(sealed_, used_ - sealed_); }
    void seal() { sealed_ = used_; }
    engine::Task<StreamResult<void>> make_room(size_t n);
    size_t capacity() const { return buf_.size(); }
    engine::Engine& engine() const { return stream_.engine(); }
    void set_timeout_ms(uint64_t ms) { timeout_ms_ = ms; }
    // A write that waits longer than a moment checks whether the peer's end of our input has
    // hung up (a server whose client is gone while the remote shell still holds our output
    // open): then it fails as a closed connection instead of waiting forever.
    void set_watch_peer_hangup(bool on) { watch_hangup_ = on; }
    uint64_t total_written() const { return total_written_; }
    // --bwlimit: at most this many bytes a second on average (0: no limit). Writes go out in
    // slices of an eighth of a second's worth and the writer sleeps when it is ahead.
    // mirrors rsync io.c:sleep_for_bwlimit and options.c's bwlimit_writemax
    void set_rate_limit(uint64_t bytes_per_sec) { rate_ = bytes_per_sec; }
    // --stop-at / --stop-after, as for the reader.
    void set_deadline(std::time_t at) { deadline_ = at; }

private:
    engine::Task<void> pace(size_t written);
    // Writes out the sealed bytes; the unsealed ones move to the front. The caller holds the lock.
    engine::Task<StreamResult<void>> drain();
    // One write, in slices of k_hangup_check_ms while watching for the peer's hang-up.
    engine::Task<engine::SysResult> write_watching(std::span<const std::byte> bytes);

    FdStream& stream_;
    std::vector<std::byte> buf_;
    size_t used_ = 0;
    size_t sealed_ = 0;  // buf_[0, sealed_) may be written out; the rest is an item being built
    engine::AsyncMutex lock_;
    uint64_t timeout_ms_ = 0;
    uint64_t total_written_ = 0;
    bool watch_hangup_ = false;
    bool peer_hung_up_ = false;
    uint64_t rate_ = 0;
    std::time_t deadline_ = 0;
    int64_t ahead_bytes_ = 0;  // written beyond what the rate allowed so far
    std::chrono::steady_clock::time_point paced_at_{};
};

}  // namespace ursync::transport
