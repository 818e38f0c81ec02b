// WorkerPool implementation: a locked queue (off the hot path) and signal-based interruption.
#include "engine/worker_pool.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>

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

// The fallback backend's answer to -EAGAIN: block in poll() until the fd is ready.
int64_t WorkerPool::wait_ready(Op& op) {
    pollfd p{op.retry_fd(), op.retry_events(), 0};
    int n = ::poll(&p, 1, -1);
    return n < 0 ? -errno : p.revents;
}

WorkerPool::WorkerPool(unsigned threads, DoneFn done) : done_(std::move(done)) {
    install_cancel_handler();
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < std::max(threads, 1u); ++i) start_worker();
}

void WorkerPool::start_worker() {
    size_t index = slots_.size();
    slots_.emplace_back();
    threads_.emplace_back([this, index] { work(index); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        threads.swap(threads_);
        for (auto& slot : slots_)  // interrupt workers blocked on behalf of abandoned ops
            if (slot.running) pthread_kill(slot.thread, worker_cancel_signal());
    }
    for (auto& t : threads) t.join();
}

void WorkerPool::post(Op& op) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(&op);
        if (idle_ < queue_.size() && threads_.size() < k_threads_max) start_worker();
    }
    wake_.notify_one();
}

int WorkerPool::cancel(Op& op) {
    std::unique_lock lock(mutex_);
    if (auto it = std::find(queue_.begin(), queue_.end(), &op); it != queue_.end()) {
        queue_.erase(it);
        lock.unlock();
        done_(op, -ECANCELED);
        return 0;
    }
    for (auto& slot : slots_) {
        if (slot.running == &op) {  // the caller marked op cancelled or timed out
            pthread_kill(slot.thread, worker_cancel_signal());
            return -EALREADY;
        }
    }
    return -ENOENT;
}

void WorkerPool::work(size_t index) {
    {
        std::lock_guard lock(mutex_);
        slots_[index].thread = pthread_self();
    }
    for (;;) {
        Op* op = nullptr;
        {
            std::unique_lock lock(mutex_);
            ++idle_;
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            --idle_;
            if (stopping_) return;  // abandoned work is not run
            op = queue_.front();
            queue_.pop_front();
            slots_[index].running = op;
        }
        int64_t res = op->polling_for_retry ? wait_ready(*op) : op->run_blocking();
        {
            std::lock_guard lock(mutex_);
            slots_[index].running = nullptr;
            if ((op->cancel_requested || op->timed_out) && res == -EINTR) res = -ECANCELED;
        }
        done_(*op, res);
    }
}

}  // namespace ursync::engine
