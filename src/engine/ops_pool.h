// Awaitables for syscalls io_uring lacks (run on the worker pool) and for CPU work (offload).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "engine/op.h"

namespace ursync::engine {

// Base for ops that always run on the worker pool; completion still arrives on the engine thread.
class PoolOp : public Op {
public:
    using Op::Op;
    void prep(io_uring_sqe*) override { std::abort(); }  // never submitted to the ring
    uint8_t uring_opcode() const override { return IORING_OP_NOP; }
    bool pool_only() const override { return true; }
};

class GetdentsOp final : public PoolOp {
public:
    GetdentsOp(Engine& e, int fd, std::span<std::byte> buf)
        : PoolOp(e, OpKind::pool_call), fd_(fd), buf_(buf) {}
    int64_t run_blocking() override {
        long n = ::syscall(SYS_getdents64, fd_, buf_.data(), buf_.size());
        return n < 0 ? -errno : n;
    }

private:
    int fd_;
    std::span<std::byte> buf_;
};

class FchmodatOp final : public PoolOp {
public:
    FchmodatOp(Engine& e, int dirfd, const char* path, mode_t mode, int flags)
        : PoolOp(e, OpKind::pool_call), dirfd_(dirfd), path_(path), mode_(mode), flags_(flags) {}
    int64_t run_blocking() override {
        return ::fchmodat(dirfd_, path_, mode_, flags_) < 0 ? -errno : 0;
    }

private:
    int dirfd_;
    const char* path_;
    mode_t mode_;
    int flags_;
};

class FchownatOp final : public PoolOp {
public:
    FchownatOp(Engine& e, int dirfd, const char* path, uid_t uid, gid_t gid, int flags)
        : PoolOp(e, OpKind::pool_call), dirfd_(dirfd), path_(path), uid_(uid), gid_(gid),
          flags_(flags) {}
    int64_t run_blocking() override {
        return ::fchownat(dirfd_, path_, uid_, gid_, flags_) < 0 ? -errno : 0;
    }

private:
    int dirfd_;
    const char* path_;
    uid_t uid_;
    gid_t gid_;
    int flags_;
};

class UtimensatOp final : public PoolOp {
public:
    UtimensatOp(Engine& e, int dirfd, const char* path, const timespec (&times)[2], int flags)
        : PoolOp(e, OpKind::pool_call), dirfd_(dirfd), path_(path), times_{times[0], times[1]},
          flags_(flags) {}
    int64_t run_blocking() override {
        return ::utimensat(dirfd_, path_, times_, flags_) < 0 ? -errno : 0;
    }

private:
    int dirfd_;
    const char* path_;
    timespec times_[2];
    int flags_;
};

class ReadlinkatOp final : public PoolOp {
public:
    ReadlinkatOp(Engine& e, int dirfd, const char* path, std::span<char> buf)
        : PoolOp(e, OpKind::pool_call), dirfd_(dirfd), path_(path), buf_(buf) {}
    int64_t run_blocking() override {
        ssize_t n = ::readlinkat(dirfd_, path_, buf_.data(), buf_.size());
        return n < 0 ? -errno : n;
    }

private:
    int dirfd_;
    const char* path_;
    std::span<char> buf_;
};

class MknodatOp final : public PoolOp {
public:
    MknodatOp(Engine& e, int dirfd, const char* path, mode_t mode, dev_t dev)
        : PoolOp(e, OpKind::pool_call), dirfd_(dirfd), path_(path), mode_(mode), dev_(dev) {}
    int64_t run_blocking() override {
        return ::mknodat(dirfd_, path_, mode_, dev_) < 0 ? -errno : 0;
    }

private:
    int dirfd_;
    const char* path_;
    mode_t mode_;
    dev_t dev_;
};

class CopyFileRangeOp final : public PoolOp {
public:
    CopyFileRangeOp(Engine& e, int fd_in, int64_t off_in, int fd_out, int64_t off_out, size_t len)
        : PoolOp(e, OpKind::pool_call), in_(fd_in), out_(fd_out), off_in_(off_in),
          off_out_(off_out), len_(len) {}
    int64_t run_blocking() override {
        loff_t in_pos = off_in_, out_pos = off_out_;
        ssize_t n = ::copy_file_range(in_, off_in_ < 0 ? nullptr : &in_pos, out_,
                                      off_out_ < 0 ? nullptr : &out_pos, len_, 0);
        return n < 0 ? -errno : n;
    }

private:
    int in_, out_;
    int64_t off_in_, off_out_;
    size_t len_;
};

// waitid(2) with WNOHANG (never waits): whether a child has ended, off the engine thread.
class WaitidOp final : public PoolOp {
public:
    WaitidOp(Engine& e, idtype_t type, id_t id, siginfo_t* info, int options)
        : PoolOp(e, OpKind::pool_call), type_(type), id_(id), info_(info), options_(options) {}
    int64_t run_blocking() override {
        return ::waitid(type_, id_, info_, options_) < 0 ? -errno : 0;
    }

private:
    idtype_t type_;
    id_t id_;
    siginfo_t* info_;
    int options_;
};

// poll(2) with a zero timeout: the fd's state now, without waiting (a ring poll waits).
class PollNowOp final : public PoolOp {
public:
    PollNowOp(Engine& e, int fd, short events)
        : PoolOp(e, OpKind::pool_call), fd_(fd), events_(events) {}
    int64_t run_blocking() override {
        pollfd p{fd_, events_, 0};
        int n = ::poll(&p, 1, 0);
        return n < 0 ? -errno : p.revents;
    }

private:
    int fd_;
    short events_;
};

// CPU work (checksums, block search, compression) on the pool: `co_await engine.offload(fn)`
// yields fn()'s return value on the engine thread.
template <class Fn>
class OffloadOp final : public PoolOp {
public:
    using Value = std::invoke_result_t<Fn&>;
    OffloadOp(Engine& e, Fn fn) : PoolOp(e, OpKind::offload), fn_(std::move(fn)) {}
    int64_t run_blocking() override {
        if constexpr (std::is_void_v<Value>) {
            fn_();
        } else {
            value_.emplace(fn_());
        }
        return 0;
    }
    auto await_resume() {
        if constexpr (!std::is_void_v<Value>) return std::move(*value_);
    }

private:
    Fn fn_;
    std::conditional_t<std::is_void_v<Value>, char, std::optional<Value>> value_{};
};

}  // namespace ursync::engine
