// Tests for Task<T>, spawn and Event: values, nesting, exceptions, concurrency on one engine.
#include <stdexcept>
#include <vector>

#include "engine/event.h"
#include "engine_test_util.h"

namespace ursync::engine {
namespace {

using testing::EngineTest;

Task<int> add_one(int x) { co_return x + 1; }
Task<int> nested(int depth) {
    if (depth == 0) co_return 0;
    int below = co_await nested(depth - 1);
    co_return below + 1;
}
Task<int> throws() {
    throw std::runtime_error("boom");
    co_return 0;
}

TEST_P(EngineTest, TaskReturnsValue) { EXPECT_EQ(engine().run(add_one(41)), 42); }

TEST_P(EngineTest, NestedTasksReturnThroughTheChain) {
    EXPECT_EQ(engine().run(nested(2000)), 2000);
}

TEST_P(EngineTest, ExceptionsPropagateToAwaiter) {
    EXPECT_THROW(engine().run(throws()), std::runtime_error);
}

Task<void> wait_forever(Event& never) { co_await never; }

// A task that waits for what nothing in flight can bring is reported (Stalled), not a crash:
// a hostile peer can leave a role waiting like this.
TEST_P(EngineTest, WaitingWithNothingInFlightThrowsStalled) {
    Event never(engine());
    EXPECT_THROW(engine().run(wait_forever(never)), ursync::engine::Stalled);
}

Task<void> wait_then_record(Event& event, std::vector<int>& log, int id) {
    co_await event;
    log.push_back(id);
}
Task<void> release(Engine& e, Event& event, std::vector<int>& log) {
    co_await e.sleep_ms(5);
    log.push_back(0);
    event.set();
    co_await e.sleep_ms(5);
}

TEST_P(EngineTest, SpawnedTasksRunConcurrently) {
    Event event(engine());
    std::vector<int> log;
    engine().spawn(wait_then_record(event, log, 1));
    engine().spawn(wait_then_record(event, log, 2));
    engine().run(release(engine(), event, log));
    EXPECT_EQ(log, (std::vector<int>{0, 1, 2}));
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest,
                         ::testing::Values(Backend::io_uring, Backend::threads),
                         testing::backend_name);

}  // namespace
}  // namespace ursync::engine
