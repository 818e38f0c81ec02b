// Wakeup: one coroutine telling another on the same engine that something changed.
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace ursync::roles {

// A wake-up call from one coroutine to another on the same engine. Every notify() advances a
// generation; a waiter that took generation() before it suspended elsewhere (a flush, say)
// waits with wait_since(), which returns at once if a notify happened in between — otherwise
// that notify would be lost and the waiter would sleep forever.
class Wakeup {
  public:
    explicit Wakeup(engine::Engine& engine) : engine_(engine) {}
    void notify() {
        ++generation_;
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto h : waiters) engine_.post(h);
    }
    uint64_t generation() const { return generation_; }
    struct Awaiter {
        Wakeup& w;
        uint64_t seen;
        bool await_ready() const noexcept { return w.generation_ != seen; }
        void await_suspend(std::coroutine_handle<> h) { w.waiters_.push_back(h); }
        void await_resume() const noexcept {}
    };
    // Waits for the next notify (callers re-check their condition in a loop).
    Awaiter wait() { return Awaiter{*this, generation_}; }
    // Waits unless a notify came after `seen` was taken.
    Awaiter wait_since(uint64_t seen) { return Awaiter{*this, seen}; }

  private:
    engine::Engine& engine_;
    uint64_t generation_ = 0;
    std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace ursync::roles
