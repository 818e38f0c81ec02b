// Awaitables for time and control: a timeout (sleep) and cancellation of another in-flight op.
#pragma once

#include <liburing.h>

#include <cstdint>

#include "engine/op.h"

namespace ursync::engine {

class TimeoutOp final : public Op {
public:
    TimeoutOp(Engine& e, uint64_t ms) : Op(e, OpKind::timeout), ms_(ms) {
        ts_.tv_sec = static_cast<long long>(ms / 1000);
        ts_.tv_nsec = static_cast<long long>((ms % 1000) * 1000000);
    }
    void prep(io_uring_sqe* sqe) override { io_uring_prep_timeout(sqe, &ts_, 0, 0); }
    int64_t run_blocking() override;  // the fallback backend keeps timers itself
    uint8_t uring_opcode() const override { return IORING_OP_TIMEOUT; }
    uint64_t duration_ms() const { return ms_; }

private:
    uint64_t ms_;
    __kernel_timespec ts_{};
};

// Asks the engine to cancel `target`. The target's coroutine still resumes only from the
// target's own completion (with -ECANCELED if the cancel won the race).
// Result: 0 found and cancelled, -ENOENT not in flight, -EALREADY already running.
class CancelOp final : public Op {
public:
    CancelOp(Engine& e, Op& target) : Op(e, OpKind::cancel), target_(target) {}
    void prep(io_uring_sqe* sqe) override {
        io_uring_prep_cancel64(sqe, reinterpret_cast<uint64_t>(&target_), 0);
    }
    int64_t run_blocking() override;  // handled by the engine in the fallback backend
    uint8_t uring_opcode() const override { return IORING_OP_ASYNC_CANCEL; }
    Op& target() const { return target_; }

private:
    Op& target_;
};

}  // namespace ursync::engine
