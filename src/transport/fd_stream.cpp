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
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0 && out_ != in_) ::close(out_);
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

bool FdStream::input_hung_up() const {
    if (in_ < 0 || in_ == out_) return false;
    pollfd p{in_, POLLRDHUP, 0};
    // A zero timeout: this never waits, so it may run on the engine's thread.
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0;
}

void FdStream::close_write() {
    if (out_ < 0) return;
    if (::shutdown(out_, SHUT_WR) == 0 || errno != ENOTSOCK) return;
    if (owns_ && out_ != in_) {  // a pipe: closing our end is the end of data
        ::close(out_);
        out_ = -1;
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
