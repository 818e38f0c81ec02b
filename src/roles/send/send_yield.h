// StackGuard: lets long loops of co_awaits that finish at once unwind their stack now and then.
#pragma once

#include <coroutine>
#include <cstdint>

#include "engine/engine.h"

namespace ursync::roles {

// A co_await of a Task that completes without suspending resumes the awaiter from inside the
// awaitee's resume() call; unless the compiler turns that symmetric transfer into a tail call
// (GCC does not at -O0), every such await in a loop nests two more stack frames. Awaiting
// tick() in such a loop re-queues the coroutine on the engine every `every` iterations, which
// returns all those nested resume() calls to the engine loop.
class StackGuard {
  public:
    explicit StackGuard(engine::Engine& engine, uint32_t every = 32)
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
