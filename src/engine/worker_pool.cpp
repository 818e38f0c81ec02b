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
    threads = std::max(threads, 1u);
    slots_.resize(threads);
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { work(i); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

void WorkerPool::post(Op& op) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(&op);
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
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
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
