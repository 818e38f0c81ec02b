// WorkerPool implementation: lock-free hand-off both ways, futex sleeps, signal interruption.
#include "engine/worker_pool.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <mutex>

#include "engine/futex.h"
#include "engine/op.h"

namespace ursync::engine {

namespace {

void on_cancel_signal(int) {}  // its only purpose is to make a blocking syscall return EINTR

void install_cancel_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = on_cancel_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: interrupted syscalls fail with EINTR
        sigaction(worker_cancel_signal(), &sa, nullptr);
    });
}

}  // namespace

int worker_cancel_signal() { return SIGRTMIN + 3; }

unsigned default_worker_count() {
    // The CPUs this process may run on (taskset, cpusets), asked of the kernel directly:
    // hardware_concurrency() reads /sys, a file syscall on the engine thread.
    cpu_set_t set;
    CPU_ZERO(&set);
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 2;
    return std::clamp(static_cast<unsigned>(cpus), 2u, WorkerPool::k_threads_max);
}

// The fallback backend's answer to -EAGAIN: block in poll() until the fd is ready.
int64_t WorkerPool::wait_ready(Op& op) {
    pollfd p{op.retry_fd(), op.retry_events(), 0};
    int n = ::poll(&p, 1, -1);
    return n < 0 ? -errno : p.revents;
}

WorkerPool::WorkerPool(PoolConfig config) : config_(config) {
    install_cancel_handler();
    unsigned n = std::clamp(config.threads, 1u, k_threads_max);
    threads_.reserve(k_threads_max);
    for (unsigned i = 0; i < n; ++i) start_worker();
}

void WorkerPool::start_worker() {
    unsigned index = thread_count_++;
    threads_.emplace_back([this, index] { work(index); });
    slots_[index].thread = threads_.back().native_handle();
}

WorkerPool::~WorkerPool() {
    stopping_.store(true, std::memory_order_seq_cst);
    wake_word_.fetch_add(1, std::memory_order_seq_cst);
    futex_wake(wake_word_, INT_MAX);
    for (unsigned i = 0; i < thread_count_; ++i)  // interrupt workers blocked for abandoned ops
        if (slots_[i].running.load(std::memory_order_seq_cst))
            pthread_kill(slots_[i].thread, worker_cancel_signal());
    for (auto& t : threads_) t.join();
}

void WorkerPool::post(Op& op) {
    op.in_pool = true;
    op.pool_cancel.store(false, std::memory_order_relaxed);  // published by the queue's push
    ++outstanding_;
    // A growing pool makes sure a thread is free for this op: every outstanding op may hold a
    // worker blocked on a peer until this very op runs (the other end of a socketpair).
    if (config_.growing && thread_count_ < outstanding_ && thread_count_ < k_threads_max)
        start_worker();
    if (overflow_head_ || !queue_.push(&op, op.pool_cell)) {
        op.next_waiting = nullptr;
        if (overflow_tail_) overflow_tail_->next_waiting = &op;
        else overflow_head_ = &op;
        overflow_tail_ = &op;
        return;
    }
    ++posted_unwoken_;
}

unsigned WorkerPool::take_wake_count() {
    if (posted_unwoken_ == 0) return 0;
    unsigned posted = posted_unwoken_;
    posted_unwoken_ = 0;
    // Bump first, then look for sleepers: a worker that counted itself a sleeper before the
    // bump is seen here; one that read the word after the bump sees the jobs (see work()).
    wake_word_.fetch_add(1, std::memory_order_seq_cst);
    return std::min(posted, sleepers_.load(std::memory_order_seq_cst));
}

Op* WorkerPool::take_done() {
    Op* first = done_.take_all();
    for (Op* op = first; op; op = op->pool_next) {
        op->in_pool = false;
        --outstanding_;
    }
    while (overflow_head_) {  // room again in the queue: move waiting ops over, in order
        Op* op = overflow_head_;
        if (!queue_.push(op, op->pool_cell)) break;
        overflow_head_ = op->next_waiting;
        if (!overflow_head_) overflow_tail_ = nullptr;
        op->next_waiting = nullptr;
        ++posted_unwoken_;
    }
    return first;
}

void WorkerPool::wait_done(int timeout_ms) {
    // The mirror image of the workers' sleep: say we wait, read the word, look, then sleep.
    engine_waiting_.store(true, std::memory_order_seq_cst);
    uint32_t seen = done_word_.load(std::memory_order_seq_cst);
    if (done_.empty()) futex_wait(done_word_, seen, timeout_ms);
    engine_waiting_.store(false, std::memory_order_seq_cst);
}

int WorkerPool::cancel(Op& op) {
    if (!op.in_pool) return -ENOENT;
    for (Op** link = &overflow_head_; *link; link = &(*link)->next_waiting) {
        if (*link != &op) continue;
        *link = op.next_waiting;
        if (overflow_tail_ == &op) {
            overflow_tail_ = nullptr;
            for (Op* w = overflow_head_; w; w = w->next_waiting) overflow_tail_ = w;
        }
        op.next_waiting = nullptr;
        op.in_pool = false;
        --outstanding_;
        return 0;
    }
    // Flag first, then look at the workers: a worker publishes the op as running, then reads
    // the flag, so either it skips the op or we see it running (both orders are seq_cst).
    op.pool_cancel.store(true, std::memory_order_seq_cst);
    if (queue_.take_back(&op, op.pool_cell)) {
        op.in_pool = false;
        --outstanding_;
        return 0;
    }
    if (config_.growing) {
        for (unsigned i = 0; i < thread_count_; ++i)
            if (slots_[i].running.load(std::memory_order_seq_cst) == &op)
                pthread_kill(slots_[i].thread, worker_cancel_signal());
    }
    return -EALREADY;
}

void WorkerPool::work(unsigned index) {
    Slot& slot = slots_[index];
    for (;;) {
        if (stopping_.load(std::memory_order_seq_cst)) return;  // abandoned work is not run
        Op* op = queue_.pop();
        if (!op) {
            // Count ourselves a sleeper, read the word, look once more, then sleep on the word:
            // a job pushed after our last look comes with a bump (the futex wait then returns
            // at once) and, since we counted ourselves first, with a wake.
            sleepers_.fetch_add(1, std::memory_order_seq_cst);
            uint32_t seen = wake_word_.load(std::memory_order_seq_cst);
            if (!stopping_.load(std::memory_order_seq_cst)) {
                op = queue_.pop();
                if (!op) futex_wait(wake_word_, seen);
            }
            sleepers_.fetch_sub(1, std::memory_order_seq_cst);
            if (!op) continue;
        }
        run(slot, *op);
    }
}

void WorkerPool::run(Slot& slot, Op& op) {
    slot.running.store(&op, std::memory_order_seq_cst);
    int64_t res = -ECANCELED;
    if (!op.pool_cancel.load(std::memory_order_seq_cst))
        res = op.polling_for_retry ? wait_ready(op) : op.run_blocking();
    slot.running.store(nullptr, std::memory_order_seq_cst);
    op.pool_result = res;
    done_.push(&op);  // from here on the op belongs to the engine again
    announce_done();
}

void WorkerPool::announce_done() {
    if (config_.done_eventfd >= 0) {
        // One write until the engine has looked: it clears the flag when its read completes,
        // before it takes the list (see rearm_done_signal()).
        if (!done_signalled_.exchange(true, std::memory_order_seq_cst)) {
            uint64_t one = 1;
            ssize_t w = ::write(config_.done_eventfd, &one, sizeof one);
            (void)w;  // only fails if the counter would overflow: the engine is awake anyway
        }
        return;
    }
    done_word_.fetch_add(1, std::memory_order_seq_cst);
    if (engine_waiting_.load(std::memory_order_seq_cst)) futex_wake(done_word_, 1);
}

}  // namespace ursync::engine
