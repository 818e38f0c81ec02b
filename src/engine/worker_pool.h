// WorkerPool: threads that run blocking syscalls and CPU work for the engine, and hand results back.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ursync::engine {

class Op;

class WorkerPool {
public:
    // `done` is called on the worker thread with each finished op and its raw result.
    using DoneFn = std::function<void(Op&, int64_t)>;

    // Starts `threads` workers; more are started (up to k_threads_max) whenever work is posted
    // while every worker is busy, so blocking ops (a read waiting on a peer) cannot starve others.
    static constexpr unsigned k_threads_max = 64;
    WorkerPool(unsigned threads, DoneFn done);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void post(Op& op);
    // Cancels a queued op (completes it with -ECANCELED and returns 0) or interrupts a running
    // one with a signal (returns -EALREADY; it completes with -ECANCELED); -ENOENT if unknown.
    int cancel(Op& op);
    unsigned size() {
        std::lock_guard lock(mutex_);
        return static_cast<unsigned>(threads_.size());
    }

private:
    struct Slot {
        Op* running = nullptr;
        pthread_t thread{};
    };
    void work(size_t index);
    static int64_t wait_ready(Op& op);

    DoneFn done_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Op*> queue_;
    void start_worker();  // caller holds mutex_

    std::deque<Slot> slots_;  // deque: slots keep their address as workers are added
    std::vector<std::thread> threads_;
    unsigned idle_ = 0;
    bool stopping_ = false;
};

// The signal used to interrupt a worker blocked in a syscall on behalf of a cancelled op.
int worker_cancel_signal();

}  // namespace ursync::engine
