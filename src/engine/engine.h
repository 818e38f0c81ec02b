// Engine: one io_uring per thread driving coroutines, with a worker-pool fallback backend.
#pragma once

#include <liburing.h>
#include <sys/stat.h>

#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/op.h"
#include "engine/ops_fs.h"
#include "engine/ops_io.h"
#include "engine/ops_pool.h"
#include "engine/ops_time.h"
#include "engine/task.h"
#include "engine/worker_pool.h"

namespace ursync::engine {

enum class Backend { io_uring, threads };

struct EngineConfig {
    unsigned ring_entries = 256;  // submission queue size; the completion queue is twice that
    unsigned inflight_max = 256;  // ops in the ring at once; more wait in a queue of ours
    unsigned workers = 0;         // worker-pool threads at start; 0: default_worker_count()
    bool force_threads = false;   // use the fallback backend even if io_uring works
};

// Reads URSYNC_BACKEND (=threads forces the fallback) into a config.
EngineConfig config_from_environment();

// Fault injection: may rewrite the raw result of a completion before anything else sees it.
using FaultHook = std::function<int64_t(const Op& op, int64_t result)>;

// Thrown by Engine::run when the task it drives waits on something nothing in flight can ever
// bring (no op in the ring, no worker job, no timer): a peer that stopped short of what the
// protocol promises, or a bug. The caller reports it; the engine never aborts for it.
class Stalled : public std::runtime_error {
public:
    Stalled() : std::runtime_error("the session stopped with nothing left to wait for") {}
};

class Engine {
public:
    explicit Engine(EngineConfig config = config_from_environment());
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    Backend backend() const { return backend_; }
    // One line for `--version`/-vv: which backend, and why if it is the fallback.
    std::string backend_description() const { return backend_text_; }
    bool setup_flags_single_issuer() const { return single_issuer_; }

    // Drives `task` (and everything spawned) until `task` finishes; returns its value. Throws
    // Stalled when it waits with nothing in flight.
    template <class T>
    T run(Task<T> task) {
        post(task.handle());
        drive([&] { return task.done(); });
        return task.take_result();
    }
    void run(Task<void> task);

    // Starts a task that runs concurrently with the caller; it is owned by the engine.
    void spawn(Task<void> task);
    // Resumes a coroutine from the engine loop (used by events and queues).
    void post(std::coroutine_handle<> handle) { ready_.push_back(handle); }
    void set_fault_hook(FaultHook hook) { fault_hook_ = std::move(hook); }
    WorkerPool& pool() { return *pool_; }

    // --- one factory per operation; each returns an awaitable yielding SysResult ---
    ReadOp read(int fd, std::span<std::byte> buf, uint64_t off = k_current_pos) {
        return {*this, fd, buf, off};
    }
    WriteOp write(int fd, std::span<const std::byte> buf, uint64_t off = k_current_pos) {
        return {*this, fd, buf, off};
    }
    ReadvOp readv(int fd, std::span<const iovec> iov, uint64_t off = k_current_pos) {
        return {*this, fd, iov, off};
    }
    WritevOp writev(int fd, std::span<const iovec> iov, uint64_t off = k_current_pos) {
        return {*this, fd, iov, off};
    }
    OpenatOp openat(int dirfd, const char* path, int flags, mode_t mode = 0) {
        return {*this, dirfd, path, flags, mode};
    }
    Openat2Op openat2(int dirfd, const char* path, const open_how& how) {
        return {*this, dirfd, path, how};
    }
    CloseOp close(int fd) { return {*this, fd}; }
    StatxOp statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* out) {
        return {*this, dirfd, path, flags, mask, out};
    }
    FsyncOp fsync(int fd) { return {*this, fd, false}; }
    FsyncOp fdatasync(int fd) { return {*this, fd, true}; }
    FallocateOp fallocate(int fd, int mode, uint64_t off, uint64_t len) {
        return {*this, fd, mode, off, len};
    }
    FadviseOp fadvise(int fd, uint64_t off, uint32_t len, int advice) {
        return {*this, fd, off, len, advice};
    }
    RenameatOp renameat(int olddir, const char* oldp, int newdir, const char* newp,
                        unsigned flags = 0) {
        return {*this, olddir, oldp, newdir, newp, flags};
    }
    UnlinkatOp unlinkat(int dirfd, const char* path, int flags = 0) {
        return {*this, dirfd, path, flags};
    }
    MkdiratOp mkdirat(int dirfd, const char* path, mode_t mode) {
        return {*this, dirfd, path, mode};
    }
    SymlinkatOp symlinkat(const char* target, int dirfd, const char* linkpath) {
        return {*this, target, dirfd, linkpath};
    }
    LinkatOp linkat(int olddir, const char* oldp, int newdir, const char* newp, int flags = 0) {
        return {*this, olddir, oldp, newdir, newp, flags};
    }
    FsetxattrOp fsetxattr(int fd, const char* name, const void* value, size_t len, int flags = 0) {
        return {*this, fd, name, value, len, flags};
    }
    FgetxattrOp fgetxattr(int fd, const char* name, void* value, size_t len) {
        return {*this, fd, name, value, len};
    }
    SpliceOp splice(int fd_in, int64_t off_in, int fd_out, int64_t off_out, unsigned len) {
        return {*this, fd_in, off_in, fd_out, off_out, len};
    }
    PollOp poll(int fd, short events) { return {*this, fd, events}; }
    PollNowOp poll_now(int fd, short events) { return {*this, fd, events}; }
    ShutdownOp shutdown_socket(int fd, int how) { return {*this, fd, how}; }
    WaitidOp waitid(idtype_t type, id_t id, siginfo_t* info, int options) {
        return {*this, type, id, info, options};
    }
    TimeoutOp sleep_ms(uint64_t ms) { return {*this, ms}; }
    CancelOp cancel(Op& target) { return {*this, target}; }
    GetdentsOp getdents(int fd, std::span<std::byte> buf) { return {*this, fd, buf}; }
    FchmodatOp fchmodat(int dirfd, const char* path, mode_t mode, int flags = 0) {
        return {*this, dirfd, path, mode, flags};
    }
    FchownatOp fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags = 0) {
        return {*this, dirfd, path, uid, gid, flags};
    }
    UtimensatOp utimensat(int dirfd, const char* path, const timespec (&times)[2], int flags = 0) {
        return {*this, dirfd, path, times, flags};
    }
    ReadlinkatOp readlinkat(int dirfd, const char* path, std::span<char> buf) {
        return {*this, dirfd, path, buf};
    }
    MknodatOp mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) {
        return {*this, dirfd, path, mode, dev};
    }
    CopyFileRangeOp copy_file_range(int in, int64_t off_in, int out, int64_t off_out, size_t len) {
        return {*this, in, off_in, out, off_out, len};
    }
    template <class Fn>
    OffloadOp<Fn> offload(Fn fn) {
        return {*this, std::move(fn)};
    }

    // Called by Op::await_suspend.
    void submit(Op& op);

    // Closes `fd` through the ring, fire and forget: for destructors, which cannot await. The
    // close reaches the kernel with the next io_uring_enter. Engine thread only.
    void close_detached(int fd);
    // The engine that runs on the calling thread (the first one made there), or null.
    static Engine* on_this_thread();

private:
    enum class TimerKind : uint8_t {
        sleep,      // `op` is a sleep
        link,       // a linked timeout guarding `op`
        interrupt,  // `op` was cancelled while a worker had it: signal the worker again
    };
    struct Timer {
        uint64_t deadline_ns;
        Op* op;
        TimerKind kind;
    };
    void setup_ring(const EngineConfig& config);
    void drive(const std::function<bool()>& finished);
    bool run_ready();
    void submit_to_ring(Op& op);
    void flush_waiting();
    void reap_ring(bool wait);
    void take_pool_results(bool wait);
    void finish_pool_op(Op& op, int64_t raw);
    bool wake_workers();
    int cancel_in_pool(Op& op);
    void complete(Op& op, int64_t raw);
    void arm_eventfd();
    void cancel_locally(CancelOp& cancel);
    void shutdown();
    void drop_timer(Op& op);
    io_uring_sqe* get_sqe();
    void fire_timers();
    uint64_t next_timer_wait_ms() const;

    EngineConfig config_;
    Backend backend_ = Backend::threads;
    std::string backend_text_;
    bool single_issuer_ = false;
    io_uring ring_{};
    bool ring_ok_ = false;
    io_uring_probe* probe_ = nullptr;
    unsigned inflight_ = 0;
    Op* waiting_head_ = nullptr;  // ops waiting for ring capacity (FIFO)
    Op* waiting_tail_ = nullptr;
    std::deque<std::coroutine_handle<>> ready_;
    FaultHook fault_hook_;

    // The worker pool (worker_pool.h has the hand-off). io_uring backend: workers announce
    // results on event_fd_, which the engine reads through the ring, and are woken by an
    // IORING_OP_FUTEX_WAKE where the kernel has it. Fallback backend: futex both ways.
    std::unique_ptr<WorkerPool> pool_;
    unsigned pool_outstanding_ = 0;
    int event_fd_ = -1;
    uint64_t event_value_ = 0;
    bool eventfd_armed_ = false;
    bool ring_futex_wake_ = false;  // the ring has IORING_OP_FUTEX_WAKE
    unsigned wakes_in_ring_ = 0;    // FUTEX_WAKE SQEs whose CQE is not reaped yet
    unsigned detached_in_ring_ = 0; // close_detached() SQEs whose CQE is not reaped yet

    std::vector<Timer> timers_;  // fallback backend: sleeps and linked timeouts
    std::unordered_set<void*> spawned_;  // frames of spawned tasks still running

    friend struct SpawnedTask;
};

// Closes an fd from a destructor: through the ring of the engine running on this thread (so
// that thread makes no close(2) of its own), or with close(2) on any other thread (workers).
void close_detached(int fd);

}  // namespace ursync::engine
