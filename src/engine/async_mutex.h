// AsyncMutex: mutual exclusion between coroutines of one engine (e.g. two writers on one stream).
#pragma once

#include <coroutine>
#include <deque>

#include "engine/engine.h"

namespace ursync::engine {

class AsyncMutex {
public:
    explicit AsyncMutex(Engine& engine) : engine_(engine) {}

    struct LockAwaiter {
        AsyncMutex& mutex;
        bool await_ready() noexcept {
            if (mutex.locked_) return false;
            mutex.locked_ = true;
            return true;
        }
        void await_suspend(std::coroutine_handle<> h) { mutex.waiters_.push_back(h); }
        void await_resume() const noexcept {}
    };
    // `co_await mutex.lock();` ... `mutex.unlock();` (ownership passes directly to the next waiter)
    LockAwaiter lock() { return LockAwaiter{*this}; }
    void unlock() {
        if (waiters_.empty()) {
            locked_ = false;
            return;
        }
        auto next = waiters_.front();
        waiters_.pop_front();
        engine_.post(next);  // stays locked: handed over
    }
    bool locked() const { return locked_; }

private:
    Engine& engine_;
    bool locked_ = false;
    std::deque<std::coroutine_handle<>> waiters_;
};

}  // namespace ursync::engine
