// WorkerPool: threads that run syscalls io_uring lacks and CPU work for the engine, and hand
// results back without a lock on the engine's side.
#pragma once

#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "engine/done_list.h"
#include "engine/post_queue.h"

namespace ursync::engine {

class Op;

// How the pool behaves; the engine picks one per backend.
struct PoolConfig {
    unsigned threads = 2;  // started up front
    // The fallback backend's pool: every read and write goes through it and may block on a
    // peer, so more threads are started (on the engine thread) when every one may be busy,
    // and a cancelled op's blocked worker is interrupted with a signal.
    bool growing = false;
    // The io_uring backend: workers announce results by writing 1 to this eventfd, which the
    // engine reads through its ring. -1 (fallback backend): the engine sleeps in wait_done().
    int done_eventfd = -1;
};

// Hand-off protocol. Posting: the engine pushes into a lock-free PostQueue; idle workers sleep
// on the futex `wake_word()`, which the engine bumps and wakes (take_wake_count() says how
// many) — through its ring with IORING_OP_FUTEX_WAKE where the kernel has it. Results: a worker
// stores the raw result in the op, pushes it on a lock-free DoneList and, only when the engine
// has not been told yet since its last look, writes the eventfd (or futex-wakes the engine).
// Why an eventfd and not MSG_RING for results: MSG_RING needs a ring per worker and posts one
// CQE (one io_uring_enter by the worker) per job, unbatched, and the engine's completion queue
// would have to be sized for pool jobs too; the eventfd is one ring read per batch.
// Every function not marked "worker" runs on the engine thread.
class WorkerPool {
public:
    static constexpr unsigned k_threads_max = 64;
    static constexpr size_t k_queue_len = 1024;  // ops beyond this wait in an engine-side FIFO

    explicit WorkerPool(PoolConfig config);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void post(Op& op);
    // How many sleeping workers to wake for the jobs posted since the last call (0: none
    // needed). The word has already been bumped: the caller must wake that many on wake_word().
    unsigned take_wake_count();
    std::atomic<uint32_t>& wake_word() { return wake_word_; }

    // Every finished op, oldest first, linked through Op::pool_next, with Op::pool_result set.
    Op* take_done();
    // io_uring backend: the engine's read of the eventfd completed; call before take_done().
    void rearm_done_signal() { done_signalled_.exchange(false, std::memory_order_seq_cst); }
    // Fallback backend: sleeps until a result is there or `timeout_ms` passed (-1: no limit).
    void wait_done(int timeout_ms);

    // Takes a queued op back (returns 0: the caller completes it with -ECANCELED); for an op a
    // worker has, returns -EALREADY (the op completes, with -ECANCELED if it had not started;
    // a growing pool also interrupts the worker with a signal, and the caller should call again
    // until the op completes, since a signal can land just before the blocking syscall);
    // -ENOENT if the op is not in the pool.
    int cancel(Op& op);
    unsigned threads() const { return thread_count_; }

private:
    struct Slot {
        std::atomic<Op*> running{nullptr};
        pthread_t thread{};
    };
    void start_worker();
    void work(unsigned index);                // worker
    void run(Slot& slot, Op& op);             // worker
    void announce_done();                     // worker
    static int64_t wait_ready(Op& op);        // worker

    PoolConfig config_;
    PostQueue<Op, k_queue_len> queue_;
    DoneList<Op> done_;
    Op* overflow_head_ = nullptr;  // engine only: posted while the queue was full (FIFO)
    Op* overflow_tail_ = nullptr;
    unsigned outstanding_ = 0;      // engine only: posted and not yet taken back or done
    unsigned posted_unwoken_ = 0;   // engine only: pushed since the last take_wake_count()

    std::atomic<uint32_t> wake_word_{0};  // workers sleep on it; the engine bumps it to wake them
    std::atomic<unsigned> sleepers_{0};   // workers between deciding to sleep and waking
    std::atomic<bool> stopping_{false};
    std::atomic<bool> done_signalled_{false};  // io_uring: the eventfd was written, not yet read
    std::atomic<uint32_t> done_word_{0};       // fallback: the engine sleeps on it
    std::atomic<bool> engine_waiting_{false};  // fallback: the engine is in wait_done()

    std::array<Slot, k_threads_max> slots_;
    std::vector<std::thread> threads_;  // engine only
    unsigned thread_count_ = 0;         // engine only
};

// The signal used to interrupt a worker blocked in a syscall on behalf of a cancelled op.
int worker_cancel_signal();

// Workers for the io_uring backend: pool jobs there are CPU work and short syscalls that never
// wait on a peer, so one per core keeps every core busy; two at least so that a long job (a big
// file's checksum) does not hold up a short one.
unsigned default_worker_count();

}  // namespace ursync::engine
