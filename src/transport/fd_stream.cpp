// FdStream implementation: reads and writes through the engine; shutdown for end of data.
#include "transport/fd_stream.h"

#include <poll.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ursync::transport {

FdStream::FdStream(engine::Engine& engine, int in, int out, bool owns_fds)
    : engine_(&engine), in_(in), out_(out), owns_(owns_fds) {}

FdStream::FdStream(FdStream&& other) noexcept
    : engine_(other.engine_), in_(std::exchange(other.in_, -1)),
      out_(std::exchange(other.out_, -1)), owns_(other.owns_) {}

FdStream::~FdStream() {
    if (!owns_) return;
    engine::close_detached(in_);
    if (out_ != in_) engine::close_detached(out_);
}

engine::Task<engine::SysResult> FdStream::read_some(std::span<std::byte> buf, uint64_t timeout_ms) {
    if (timeout_ms) co_return co_await engine_->read(in_, buf).timeout(timeout_ms);
    co_return co_await engine_->read(in_, buf);
}

engine::Task<engine::SysResult> FdStream::write_some(std::span<const std::byte> buf,
                                                     uint64_t timeout_ms) {
    if (timeout_ms) co_return co_await engine_->write(out_, buf).timeout(timeout_ms);
    co_return co_await engine_->write(out_, buf);
}

engine::Task<bool> FdStream::input_hung_up() const {
    if (in_ < 0 || in_ == out_) co_return false;
    engine::SysResult r = co_await engine_->poll_now(in_, POLLRDHUP);
    co_return r && (r.value() & (POLLHUP | POLLRDHUP | POLLERR)) != 0;
}

engine::Task<void> FdStream::close_write() {
    if (out_ < 0) co_return;
    engine::SysResult r = co_await engine_->shutdown_socket(out_, SHUT_WR);
    if (r || r.err() != ENOTSOCK) co_return;
    if (owns_ && out_ != in_) {  // a pipe: closing our end is the end of data
        int fd = std::exchange(out_, -1);
        co_await engine_->close(fd);
    }
}

std::pair<FdStream, FdStream> make_socketpair_streams(engine::Engine& engine) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        std::perror("ursync: socketpair");
        std::abort();
    }
    return {FdStream(engine, sv[0], sv[0], true), FdStream(engine, sv[1], sv[1], true)};
}

}  // namespace ursync::transport
