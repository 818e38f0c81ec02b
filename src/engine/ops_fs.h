// Awaitables for filesystem operations that io_uring has opcodes for (open, stat, rename, ...).
#pragma once

#include <fcntl.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "engine/op.h"

namespace ursync::engine {

class OpenatOp final : public Op {
public:
    OpenatOp(Engine& e, int dirfd, const char* path, int flags, mode_t mode)
        : Op(e, OpKind::openat), dirfd_(dirfd), path_(path), flags_(flags), mode_(mode) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_openat(sqe, dirfd_, path_, flags_, mode_);
    }
    int64_t run_blocking() override {
        int fd = ::openat(dirfd_, path_, flags_, mode_);
        return fd < 0 ? -errno : fd;
    }
    uint8_t uring_opcode() const override { return IORING_OP_OPENAT; }

private:
    int dirfd_;
    const char* path_;
    int flags_;
    mode_t mode_;
};

class Openat2Op final : public Op {
public:
    Openat2Op(Engine& e, int dirfd, const char* path, const open_how& how)
        : Op(e, OpKind::openat2), dirfd_(dirfd), path_(path), how_(how) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_openat2(sqe, dirfd_, path_, &how_);
    }
    int64_t run_blocking() override {
        long fd = ::syscall(SYS_openat2, dirfd_, path_, &how_, sizeof how_);
        return fd < 0 ? -errno : fd;
    }
    uint8_t uring_opcode() const override { return IORING_OP_OPENAT2; }

private:
    int dirfd_;
    const char* path_;
    open_how how_;
};

class CloseOp final : public Op {
public:
    CloseOp(Engine& e, int fd) : Op(e, OpKind::close), fd_(fd) {}
    void prep(io_uring_sqe* sqe) override { io_uring_prep_close(sqe, fd_); }
    int64_t run_blocking() override { return ::close(fd_) < 0 ? -errno : 0; }
    uint8_t uring_opcode() const override { return IORING_OP_CLOSE; }

private:
    int fd_;
};

class StatxOp final : public Op {
public:
    StatxOp(Engine& e, int dirfd, const char* path, int flags, unsigned mask, struct statx* out)
        : Op(e, OpKind::statx), dirfd_(dirfd), path_(path), flags_(flags), mask_(mask), out_(out) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_statx(sqe, dirfd_, path_, flags_, mask_, out_);
    }
    int64_t run_blocking() override {
        return ::statx(dirfd_, path_, flags_, mask_, out_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_STATX; }

private:
    int dirfd_;
    const char* path_;
    int flags_;
    unsigned mask_;
    struct statx* out_;
};

class RenameatOp final : public Op {
public:
    RenameatOp(Engine& e, int olddir, const char* oldpath, int newdir, const char* newpath,
               unsigned flags)
        : Op(e, OpKind::renameat), olddir_(olddir), newdir_(newdir), old_(oldpath),
          new_(newpath), flags_(flags) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_renameat(sqe, olddir_, old_, newdir_, new_, flags_);
    }
    int64_t run_blocking() override {
        return ::renameat2(olddir_, old_, newdir_, new_, flags_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_RENAMEAT; }

private:
    int olddir_, newdir_;
    const char* old_;
    const char* new_;
    unsigned flags_;
};

class UnlinkatOp final : public Op {
public:
    UnlinkatOp(Engine& e, int dirfd, const char* path, int flags)
        : Op(e, OpKind::unlinkat), dirfd_(dirfd), path_(path), flags_(flags) {}
    void prep(io_uring_sqe* sqe) override { io_uring_prep_unlinkat(sqe, dirfd_, path_, flags_); }
    int64_t run_blocking() override {
        return ::unlinkat(dirfd_, path_, flags_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_UNLINKAT; }

private:
    int dirfd_;
    const char* path_;
    int flags_;
};

class MkdiratOp final : public Op {
public:
    MkdiratOp(Engine& e, int dirfd, const char* path, mode_t mode)
        : Op(e, OpKind::mkdirat), dirfd_(dirfd), path_(path), mode_(mode) {}
    void prep(io_uring_sqe* sqe) override { io_uring_prep_mkdirat(sqe, dirfd_, path_, mode_); }
    int64_t run_blocking() override {
        return ::mkdirat(dirfd_, path_, mode_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_MKDIRAT; }

private:
    int dirfd_;
    const char* path_;
    mode_t mode_;
};

class SymlinkatOp final : public Op {
public:
    SymlinkatOp(Engine& e, const char* target, int dirfd, const char* linkpath)
        : Op(e, OpKind::symlinkat), target_(target), dirfd_(dirfd), link_(linkpath) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_symlinkat(sqe, target_, dirfd_, link_);
    }
    int64_t run_blocking() override {
        return ::symlinkat(target_, dirfd_, link_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_SYMLINKAT; }

private:
    const char* target_;
    int dirfd_;
    const char* link_;
};

class LinkatOp final : public Op {
public:
    LinkatOp(Engine& e, int olddir, const char* oldpath, int newdir, const char* newpath, int flags)
        : Op(e, OpKind::linkat), olddir_(olddir), newdir_(newdir), old_(oldpath), new_(newpath),
          flags_(flags) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_linkat(sqe, olddir_, old_, newdir_, new_, flags_);
    }
    int64_t run_blocking() override {
        return ::linkat(olddir_, old_, newdir_, new_, flags_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_LINKAT; }

private:
    int olddir_, newdir_;
    const char* old_;
    const char* new_;
    int flags_;
};

class FsetxattrOp final : public Op {
public:
    FsetxattrOp(Engine& e, int fd, const char* name, const void* value, size_t len, int flags)
        : Op(e, OpKind::fsetxattr), fd_(fd), name_(name), value_(value), len_(len), flags_(flags) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_fsetxattr(sqe, fd_, name_, static_cast<const char*>(value_), flags_,
                                static_cast<unsigned>(len_));
    }
    int64_t run_blocking() override {
        return ::fsetxattr(fd_, name_, value_, len_, flags_) < 0 ? -errno : 0;
    }
    uint8_t uring_opcode() const override { return IORING_OP_FSETXATTR; }

private:
    int fd_;
    const char* name_;
    const void* value_;
    size_t len_;
    int flags_;
};

class FgetxattrOp final : public Op {
public:
    FgetxattrOp(Engine& e, int fd, const char* name, void* value, size_t len)
        : Op(e, OpKind::fgetxattr), fd_(fd), name_(name), value_(value), len_(len) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_fgetxattr(sqe, fd_, name_, static_cast<char*>(value_),
                                static_cast<unsigned>(len_));
    }
    int64_t run_blocking() override {
        ssize_t n = ::fgetxattr(fd_, name_, value_, len_);
        return n < 0 ? -errno : n;
    }
    uint8_t uring_opcode() const override { return IORING_OP_FGETXATTR; }

private:
    int fd_;
    const char* name_;
    void* value_;
    size_t len_;
};

}  // namespace ursync::engine
