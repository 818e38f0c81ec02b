// PeriodicYield: lets long loops of co_awaits that finish at once give the engine its turn.
#pragma once

#include <coroutine>
#include <cstdint>

#include "engine/engine.h"

namespace ursync::roles {

// A co_await of a Task that completes without suspending does not nest the stack: the Task's
// await_suspend sees that it finished while starting (engine/task.h, finished_while_starting)
// and the awaiter simply goes on. But a loop of such awaits then never hands the engine
// back, and nothing else on it (the receiving half of a local copy, keep-alives, completions
// of other ops) runs until the loop ends. Awaiting tick() in such a loop re-queues the
// coroutine on the engine every `every` iterations.
class PeriodicYield {
  public:
    explicit PeriodicYield(engine::Engine& engine, uint32_t every = 32)
        : engine_(engine), every_(every) {}

    struct Awaiter {
        engine::Engine& engine;
        bool ready;
        bool await_ready() const noexcept { return ready; }
        void await_suspend(std::coroutine_handle<> h) { engine.post(h); }
        void await_resume() const noexcept {}
    };
    Awaiter tick() { return Awaiter{engine_, ++count_ % every_ != 0}; }

  private:
    engine::Engine& engine_;
    uint32_t every_;
    uint32_t count_ = 0;
};

}  // namespace ursync::roles
