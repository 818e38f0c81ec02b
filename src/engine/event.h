// Event: a one-thread signal between coroutines on the same engine (set once, wakes all waiters).
#pragma once

#include <coroutine>
#include <vector>

#include "engine/engine.h"

namespace ursync::engine {

class Event {
public:
    explicit Event(Engine& engine) : engine_(engine) {}
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    void set() {
        if (set_) return;
        set_ = true;
        for (auto h : waiters_) engine_.post(h);
        waiters_.clear();
    }
    bool is_set() const { return set_; }
    void reset() { set_ = false; }

    struct Awaiter {
        Event& event;
        bool await_ready() const noexcept { return event.set_; }
        void await_suspend(std::coroutine_handle<> h) { event.waiters_.push_back(h); }
        void await_resume() const noexcept {}
    };
    Awaiter operator co_await() { return Awaiter{*this}; }

private:
    Engine& engine_;
    bool set_ = false;
    std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace ursync::engine
