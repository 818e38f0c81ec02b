// Op: the state of one in-flight operation; every awaitable derives from it (one type per op).
#pragma once

#include <linux/time_types.h>

#include <atomic>
#include <coroutine>
#include <cstdint>

#include "engine/sys_result.h"

struct io_uring_sqe;

namespace ursync::engine {

class Engine;

// What an op is, for fault injection and tracing.
enum class OpKind : uint8_t {
    read, write, readv, writev, openat, openat2, close, statx, fsync, fallocate, fadvise,
    renameat, unlinkat, mkdirat, symlinkat, linkat, fsetxattr, fgetxattr, splice, poll,
    timeout, cancel, pool_call, offload, shutdown,
};
const char* op_kind_name(OpKind kind);

// Base of every awaitable. Lives in the awaiting coroutine's frame; neither copyable nor movable
// while in flight. The engine sets `result` from the op's own completion, then resumes `waiter`.
class Op {
public:
    Op(Engine& engine, OpKind kind) : engine_(engine), kind_(kind) {}
    Op(const Op&) = delete;
    Op& operator=(const Op&) = delete;
    virtual ~Op() = default;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> waiter) noexcept;
    SysResult await_resume() const noexcept { return SysResult::from_raw(result_); }

    // Backends. prep() fills an SQE (io_uring); run_blocking() performs the op with plain syscalls
    // on a worker thread and returns the raw result (-errno on failure).
    virtual void prep(io_uring_sqe* sqe) = 0;
    virtual int64_t run_blocking() = 0;
    virtual uint8_t uring_opcode() const = 0;
    // Ops that must never go to the ring (syscalls io_uring lacks, CPU work).
    virtual bool pool_only() const { return false; }
    // For -EAGAIN on non-blocking fds: the fd and poll events to wait for before retrying.
    virtual int retry_fd() const { return -1; }
    virtual short retry_events() const { return 0; }

    OpKind kind() const { return kind_; }
    Engine& engine() const { return engine_; }

    // Linked timeout: the op fails with -ETIMEDOUT if it has not completed within `ms`.
    uint64_t timeout_ms() const { return timeout_ms_; }

    // Engine-private state (kept public-but-plain to avoid friend webs; only engine/ touches it).
    std::coroutine_handle<> waiter;
    int64_t result_ = 0;
    bool cancel_requested = false;
    bool timed_out = false;          // fallback backend: a linked timeout fired
    bool polling_for_retry = false;  // the next submission is a poll on retry_fd()
    Op* next_waiting = nullptr;      // intrusive queue of ops waiting for ring capacity
    uint16_t retries = 0;            // consecutive EINTR/EAGAIN resubmissions
    __kernel_timespec link_ts{};     // storage for the linked timeout until it is submitted

    // Worker-pool hand-off (worker_pool.h). `pool_cancel` is the one field the engine and a
    // worker touch at the same time; the worker writes pool_result and pool_next before it hands
    // the op back, the engine reads them after.
    Op* pool_next = nullptr;          // DoneList link
    int64_t pool_result = 0;          // raw result from the worker
    uint32_t pool_cell = 0;           // the PostQueue cell it was posted into
    bool in_pool = false;             // engine only: posted and not yet back
    std::atomic<bool> pool_cancel{false};  // a worker that has not started it must not

protected:
    uint64_t timeout_ms_ = 0;

private:
    Engine& engine_;
    OpKind kind_;
};

// Awaits an op by reference (the op is a temporary that lives to the end of the co_await).
template <class OpType>
struct OpRef {
    OpType& op;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { op.await_suspend(h); }
    SysResult await_resume() const noexcept { return op.await_resume(); }
};

// Mixin giving ops a fluent `co_await engine.read(...).timeout(ms)`.
template <class Derived>
class TimedOp : public Op {
public:
    using Op::Op;
    OpRef<Derived> timeout(uint64_t ms) && {
        timeout_ms_ = ms;
        return {static_cast<Derived&>(*this)};
    }
};

}  // namespace ursync::engine
