// FdStream: a byte stream over a pair of file descriptors (stdin/stdout, pipes, a socketpair).
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "engine/engine.h"

namespace ursync::transport {

class FdStream {
public:
    // `in` and `out` may be the same fd (a socket). Owned fds are closed by the destructor
    // (through the ring when an engine runs on the destroying thread: engine::close_detached).
    FdStream(engine::Engine& engine, int in, int out, bool owns_fds);
    ~FdStream();
    FdStream(FdStream&& other) noexcept;
    FdStream& operator=(FdStream&&) = delete;
    FdStream(const FdStream&) = delete;
    FdStream& operator=(const FdStream&) = delete;

    // One read; 0 means end of stream. With a timeout, -ETIMEDOUT when nothing arrived.
    engine::Task<engine::SysResult> read_some(std::span<std::byte> buf, uint64_t timeout_ms = 0);
    engine::Task<engine::SysResult> write_some(std::span<const std::byte> buf,
                                               uint64_t timeout_ms = 0);
    // Whether the input's writer has gone (POLLHUP on a pipe or socket read end), checked
    // without waiting (a worker's zero-timeout poll). Always false when input and output share
    // one fd.
    engine::Task<bool> input_hung_up() const;
    // Signals end of data to the peer (shutdown(SHUT_WR) on sockets, close on a pipe), through
    // the engine.
    engine::Task<void> close_write();

    engine::Engine& engine() const { return *engine_; }
    int in_fd() const { return in_; }
    int out_fd() const { return out_; }

private:
    engine::Engine* engine_;
    int in_ = -1;
    int out_ = -1;
    bool owns_ = false;
};

// A connected pair of streams over socketpair(AF_UNIX, SOCK_STREAM): two peers in one process.
std::pair<FdStream, FdStream> make_socketpair_streams(engine::Engine& engine);

}  // namespace ursync::transport
