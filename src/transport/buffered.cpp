// BufferedReader / BufferedWriter: whole-item reads, bounded buffers, serialised writers.
#include "transport/buffered.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <string>

namespace ursync::transport {

namespace {

constexpr const char* k_stop_message = "stopping at requested limit";

// The wait allowed before the --stop-at deadline (and the --timeout, if shorter): ms, with
// `by_deadline` set when the deadline is the nearer limit; -1 when it has passed.
int64_t wait_before(std::time_t deadline, uint64_t timeout_ms, bool& by_deadline) {
    by_deadline = false;
    if (deadline == 0) return static_cast<int64_t>(timeout_ms);
    const auto now = std::chrono::system_clock::now();
    const auto until = std::chrono::system_clock::from_time_t(deadline);
    if (now >= until) return -1;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    if (timeout_ms != 0 && static_cast<uint64_t>(left) >= timeout_ms)
        return static_cast<int64_t>(timeout_ms);
    by_deadline = true;
    return left;
}

// rsync's bwlimit_writemax: an eighth of a second's worth, at least 512 bytes.
size_t slice_for_rate(uint64_t bytes_per_sec) {
    return static_cast<size_t>(std::max<uint64_t>(bytes_per_sec / 8, 512));
}

}  // namespace

namespace {

// How long a write waits before it looks whether the peer hung up (then again each time).
constexpr uint64_t k_hangup_check_ms = 1000;

StreamError error_from(const engine::SysResult& r, std::string_view doing, std::string_view what) {
    if (r.err() == ETIMEDOUT)
        return {StreamError::Kind::timeout, std::string("timeout ") + std::string(doing) + " " +
                                                std::string(what)};
    return {StreamError::Kind::io,
            std::string(doing) + " " + std::string(what) + " failed: " + r.message()};
}

}  // namespace

BufferedReader::BufferedReader(FdStream& stream, size_t capacity)
    : stream_(stream), buf_(capacity) {}

void BufferedReader::compact() {
    if (start_ == 0) return;
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
}

engine::Task<StreamResult<size_t>> BufferedReader::fill_more(std::string_view what) {
    if (end_ == buf_.size()) compact();
    if (end_ == buf_.size())
        co_return Unexpected{StreamError{StreamError::Kind::io, "buffer full reading " +
                                                                    std::string(what)}};
    bool by_deadline = false;
    const int64_t wait_ms = wait_before(deadline_, timeout_ms_, by_deadline);
    if (wait_ms < 0) co_return Unexpected{StreamError{StreamError::Kind::timeout, k_stop_message}};
    engine::SysResult r =
        co_await stream_.read_some(std::span(buf_).subspan(end_), static_cast<uint64_t>(wait_ms));
    if (!r && r.err() == ETIMEDOUT && by_deadline)
        co_return Unexpected{StreamError{StreamError::Kind::timeout, k_stop_message}};
    // A peer that closed its end with our last bytes unread (a remote shell that failed at
    // once) resets the socketpair: for a reader that is the end of the stream, as EOF is.
    if (!r && r.err() != ECONNRESET) co_return Unexpected{error_from(r, "reading", what)};
    if (!r || r.value() == 0)
        co_return Unexpected{StreamError{
            StreamError::Kind::closed,
            "connection unexpectedly closed (while reading " + std::string(what) + ")"}};
    auto n = static_cast<size_t>(r.value());
    end_ += n;
    total_read_ += n;
    co_return n;
}

engine::Task<StreamResult<void>> BufferedReader::fill(size_t n, std::string_view what) {
    if (n > buf_.size())
        co_return Unexpected{StreamError{StreamError::Kind::io,
                                         "item too large to buffer: " + std::string(what)}};
    while (end_ - start_ < n) {
        if (start_ + n > buf_.size()) compact();
        auto got = co_await fill_more(what);
        if (!got) {
            auto err = std::move(got).error();
            if (err.kind == StreamError::Kind::closed)
                err.what = "connection unexpectedly closed (expected " +
                           std::to_string(n - (end_ - start_)) + " more bytes of " +
                           std::string(what) + ")";
            co_return Unexpected{std::move(err)};
        }
    }
    co_return StreamResult<void>{};
}

engine::Task<StreamResult<void>> BufferedReader::read_exact(std::span<std::byte> out,
                                                            std::string_view what) {
    size_t done = 0;
    while (done < out.size()) {
        if (end_ == start_) {
            auto got = co_await fill_more(what);
            if (!got) {
                auto err = std::move(got).error();
                if (err.kind == StreamError::Kind::closed)
                    err.what = "connection unexpectedly closed (expected " +
                               std::to_string(out.size() - done) + " more bytes of " +
                               std::string(what) + ")";
                co_return Unexpected{std::move(err)};
            }
        }
        size_t take = std::min(out.size() - done, end_ - start_);
        std::memcpy(out.data() + done, buf_.data() + start_, take);
        start_ += take;
        done += take;
    }
    co_return StreamResult<void>{};
}

BufferedWriter::BufferedWriter(FdStream& stream, size_t capacity)
    : stream_(stream), buf_(capacity), lock_(stream.engine()) {}

engine::Task<engine::SysResult> BufferedWriter::write_watching(std::span<const std::byte> bytes) {
    uint64_t waited = 0;
    for (;;) {
        uint64_t slice = k_hangup_check_ms;
        if (timeout_ms_) slice = std::min(slice, timeout_ms_ - waited);
        engine::SysResult r = co_await stream_.write_some(bytes, slice);
        if (r || r.err() != ETIMEDOUT) co_return r;
        waited += slice;
        if (co_await stream_.input_hung_up()) {
            peer_hung_up_ = true;
            co_return engine::SysResult::from_errno(EPIPE);
        }
        if (timeout_ms_ && waited >= timeout_ms_) co_return r;
    }
}

engine::Task<void> BufferedWriter::pace(size_t written) {
    using std::chrono::microseconds;
    const auto start = std::chrono::steady_clock::now();
    ahead_bytes_ += static_cast<int64_t>(written);
    const auto rate = static_cast<int64_t>(rate_);
    if (paced_at_ != std::chrono::steady_clock::time_point{}) {
        const int64_t elapsed_us =
            std::chrono::duration_cast<microseconds>(start - paced_at_).count();
        ahead_bytes_ -= elapsed_us * rate / 1'000'000;
        if (ahead_bytes_ < 0) ahead_bytes_ = 0;
    }
    const int64_t sleep_us = ahead_bytes_ * 1'000'000 / rate;
    if (sleep_us < 100'000) {  // less than a tenth of a second ahead: no sleep yet
        paced_at_ = start;
        co_return;
    }
    co_await engine().sleep_ms(static_cast<uint64_t>(sleep_us / 1000));
    paced_at_ = std::chrono::steady_clock::now();
    const int64_t slept_us = std::chrono::duration_cast<microseconds>(paced_at_ - start).count();
    ahead_bytes_ = (sleep_us - slept_us) * rate / 1'000'000;
}

engine::Task<StreamResult<void>> BufferedWriter::drain() {
    size_t done = 0;
    while (done < sealed_) {
        auto rest = std::span<const std::byte>(buf_).subspan(done, sealed_ - done);
        if (rate_ > 0) rest = rest.first(std::min(rest.size(), slice_for_rate(rate_)));
        engine::SysResult r;
        if (watch_hangup_) {
            r = co_await write_watching(rest);
        } else {
            bool by_deadline = false;
            const int64_t wait_ms = wait_before(deadline_, timeout_ms_, by_deadline);
            if (wait_ms < 0) {
                used_ = sealed_ = 0;
                co_return Unexpected{StreamError{StreamError::Kind::timeout, k_stop_message}};
            }
            r = co_await stream_.write_some(rest, static_cast<uint64_t>(wait_ms));
            if (!r && r.err() == ETIMEDOUT && by_deadline) {
                used_ = sealed_ = 0;
                co_return Unexpected{StreamError{StreamError::Kind::timeout, k_stop_message}};
            }
        }
        if (!r) {
            used_ = sealed_ = 0;
            if (peer_hung_up_)
                co_return Unexpected{StreamError{
                    StreamError::Kind::closed,
                    "connection unexpectedly closed (the peer hung up while we were writing)"}};
            co_return Unexpected{error_from(r, "writing", "to the peer")};
        }
        done += static_cast<size_t>(r.value());
        if (rate_ > 0) co_await pace(static_cast<size_t>(r.value()));
    }
    total_written_ += sealed_;
    if (used_ > sealed_) std::memmove(buf_.data(), buf_.data() + sealed_, used_ - sealed_);
    used_ -= sealed_;
    sealed_ = 0;
    co_return StreamResult<void>{};
}

engine::Task<StreamResult<void>> BufferedWriter::write(std::span<const std::byte> bytes) {
    co_await lock_.lock();
    while (!bytes.empty()) {
        if (used_ == buf_.size()) {
            sealed_ = used_;
            auto r = co_await drain();
            if (!r) {
                lock_.unlock();
                co_return r;
            }
        }
        size_t take = std::min(bytes.size(), buf_.size() - used_);
        std::memcpy(buf_.data() + used_, bytes.data(), take);
        used_ += take;
        bytes = bytes.subspan(take);
    }
    sealed_ = used_;
    lock_.unlock();
    co_return StreamResult<void>{};
}

engine::Task<StreamResult<void>> BufferedWriter::make_room(size_t n) {
    if (buf_.size() - used_ >= n) co_return StreamResult<void>{};
    co_await lock_.lock();
    auto r = co_await drain();
    lock_.unlock();
    co_return r;
}

engine::Task<StreamResult<void>> BufferedWriter::flush() {
    co_await lock_.lock();
    auto r = co_await drain();
    lock_.unlock();
    co_return r;
}

}  // namespace ursync::transport
