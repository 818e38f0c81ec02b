// Awaitables for data-moving operations: read, write, readv, writev, splice, poll, fsync, ...
#pragma once

#include <liburing.h>
#include <sys/socket.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <span>

#include "engine/op.h"

namespace ursync::engine {

// Offset meaning "the file position" (pipes, sockets, sequential reads).
inline constexpr uint64_t k_current_pos = static_cast<uint64_t>(-1);

class ReadOp final : public TimedOp<ReadOp> {
public:
    ReadOp(Engine& e, int fd, std::span<std::byte> buf, uint64_t offset)
        : TimedOp(e, OpKind::read), fd_(fd), buf_(buf), offset_(offset) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_read(sqe, fd_, buf_.data(), static_cast<unsigned>(buf_.size()), offset_);
    }
    int64_t run_blocking() override {
        ssize_t n = offset_ == k_current_pos
                        ? ::read(fd_, buf_.data(), buf_.size())
                        : ::pread(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_));
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_READ; }
    int retry_fd() const override { return fd_; }
    short retry_events() const override { return POLLIN; }

private:
    int fd_;
    std::span<std::byte> buf_;
    uint64_t offset_;
};

class WriteOp final : public TimedOp<WriteOp> {
public:
    WriteOp(Engine& e, int fd, std::span<const std::byte> buf, uint64_t offset)
        : TimedOp(e, OpKind::write), fd_(fd), buf_(buf), offset_(offset) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_write(sqe, fd_, buf_.data(), static_cast<unsigned>(buf_.size()), offset_);
    }
    int64_t run_blocking() override {
        ssize_t n = offset_ == k_current_pos
                        ? ::write(fd_, buf_.data(), buf_.size())
                        : ::pwrite(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_));
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_WRITE; }
    int retry_fd() const override { return fd_; }
    short retry_events() const override { return POLLOUT; }

private:
    int fd_;
    std::span<const std::byte> buf_;
    uint64_t offset_;
};

class ReadvOp final : public TimedOp<ReadvOp> {
public:
    ReadvOp(Engine& e, int fd, std::span<const iovec> iov, uint64_t offset)
        : TimedOp(e, OpKind::readv), fd_(fd), iov_(iov), offset_(offset) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_readv(sqe, fd_, iov_.data(), static_cast<unsigned>(iov_.size()), offset_);
    }
    int64_t run_blocking() override {
        int cnt = static_cast<int>(iov_.size());
        ssize_t n = offset_ == k_current_pos
                        ? ::readv(fd_, iov_.data(), cnt)
                        : ::preadv(fd_, iov_.data(), cnt, static_cast<off_t>(offset_));
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_READV; }
    int retry_fd() const override { return fd_; }
    short retry_events() const override { return POLLIN; }

private:
    int fd_;
    std::span<const iovec> iov_;
    uint64_t offset_;
};

class WritevOp final : public TimedOp<WritevOp> {
public:
    WritevOp(Engine& e, int fd, std::span<const iovec> iov, uint64_t offset)
        : TimedOp(e, OpKind::writev), fd_(fd), iov_(iov), offset_(offset) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_writev(sqe, fd_, iov_.data(), static_cast<unsigned>(iov_.size()), offset_);
    }
    int64_t run_blocking() override {
        int cnt = static_cast<int>(iov_.size());
        ssize_t n = offset_ == k_current_pos
                        ? ::writev(fd_, iov_.data(), cnt)
                        : ::pwritev(fd_, iov_.data(), cnt, static_cast<off_t>(offset_));
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_WRITEV; }
    int retry_fd() const override { return fd_; }
    short retry_events() const override { return POLLOUT; }

private:
    int fd_;
    std::span<const iovec> iov_;
    uint64_t offset_;
};

class SpliceOp final : public TimedOp<SpliceOp> {
public:
    SpliceOp(Engine& e, int fd_in, int64_t off_in, int fd_out, int64_t off_out, unsigned len)
        : TimedOp(e, OpKind::splice), in_(fd_in), out_(fd_out), off_in_(off_in),
          off_out_(off_out), len_(len) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_splice(sqe, in_, off_in_, out_, off_out_, len_, 0);
    }
    int64_t run_blocking() override {
        loff_t in_pos = off_in_, out_pos = off_out_;
        ssize_t n = ::splice(in_, off_in_ < 0 ? nullptr : &in_pos, out_,
                             off_out_ < 0 ? nullptr : &out_pos, len_, 0);
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_SPLICE; }

private:
    int in_, out_;
    int64_t off_in_, off_out_;
    unsigned len_;
};

class PollOp final : public TimedOp<PollOp> {
public:
    PollOp(Engine& e, int fd, short events) : TimedOp(e, OpKind::poll), fd_(fd), events_(events) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_poll_add(sqe, fd_, static_cast<unsigned>(events_));
    }
    int64_t run_blocking() override {
        pollfd p{fd_, events_, 0};
        int n = ::poll(&p, 1, -1);
        return n < 0 ? -errno : p.revents;
    }
    uint8_t uring_opcode() const override { return IORING_OP_POLL_ADD; }

private:
    int fd_;
    short events_;
};

// shutdown(2) of a socket (IORING_OP_SHUTDOWN, Linux 5.11).
class ShutdownOp final : public Op {
public:
    ShutdownOp(Engine& e, int fd, int how) : Op(e, OpKind::shutdown), fd_(fd), how_(how) {}
    void prep(io_uring_sqe* sqe) override { io_uring_prep_shutdown(sqe, fd_, how_); }
    int64_t run_blocking() override { return ::shutdown(fd_, how_) < 0 ? -errno : 0; }
    uint8_t uring_opcode() const override { return IORING_OP_SHUTDOWN; }

private:
    int fd_;
    int how_;
};

class FsyncOp final : public Op {
public:
    FsyncOp(Engine& e, int fd, bool data_only)
        : Op(e, OpKind::fsync), fd_(fd), data_only_(data_only) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_fsync(sqe, fd_, data_only_ ? IORING_FSYNC_DATASYNC : 0);
    }
    int64_t run_blocking() override {
        int r = data_only_ ? ::fdatasync(fd_) : ::fsync(fd_);
        return r < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_FSYNC; }

private:
    int fd_;
    bool data_only_;
};

class FallocateOp final : public Op {
public:
    FallocateOp(Engine& e, int fd, int mode, uint64_t offset, uint64_t len)
        : Op(e, OpKind::fallocate), fd_(fd), mode_(mode), offset_(offset), len_(len) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_fallocate(sqe, fd_, mode_, static_cast<off_t>(offset_), static_cast<off_t>(len_));
    }
    int64_t run_blocking() override {
        int r = ::fallocate(fd_, mode_, static_cast<off_t>(offset_), static_cast<off_t>(len_));
        return r < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_FALLOCATE; }

private:
    int fd_, mode_;
    uint64_t offset_, len_;
};

class FadviseOp final : public Op {
public:
    FadviseOp(Engine& e, int fd, uint64_t offset, uint32_t len, int advice)
        : Op(e, OpKind::fadvise), fd_(fd), advice_(advice), offset_(offset), len_(len) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_fadvise(sqe, fd_, offset_, len_, advice_);
    }
    int64_t run_blocking() override {
        return -::posix_fadvise(fd_, static_cast<off_t>(offset_), len_, advice_);
    }
    uint8_t uring_opcode() const override { return IORING_OP_FADVISE; }

private:
    int fd_, advice_;
    uint64_t offset_;
    uint32_t len_;
};

}  // namespace ursync::engine
