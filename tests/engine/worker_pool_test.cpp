// The worker pool through the engine: many jobs, cancellations racing the workers, timeouts.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "engine/event.h"
#include "engine_test_util.h"

namespace ursync::engine {
namespace {

using testing::EngineTest;

struct Tally {
    std::atomic<bool> gate{false};  // job bodies wait for it: the cancels find jobs still queued
    std::atomic<int> ran{0};  // bodies that ran, counted on the workers
    int ok = 0;               // results that came back
    int cancelled = 0;        // ECANCELED results
    int wrong = 0;            // anything else
    int cancels_sent = 0;
    int left = 0;
};

// Awaits any op for its raw result (an offload's own await_resume() yields only the value).
struct RawResult {
    Op& op;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { op.await_suspend(h); }
    SysResult await_resume() const noexcept { return SysResult::from_raw(op.result_); }
};

Task<void> one_job(Engine& e, size_t i, Tally& t, Event& done, std::vector<Op*>& live) {
    auto op = e.offload([i, &t] {
        t.ran.fetch_add(1, std::memory_order_relaxed);
        t.gate.wait(false);
        volatile int spin = 0;  // a little CPU work so that some jobs are running when cancelled
        for (size_t k = 0; k < (i % 7) * 200; ++k) spin = spin + 1;
        return i * 3;
    });
    live[i] = &op;
    SysResult r = co_await RawResult{op};
    live[i] = nullptr;
    if (r.ok()) {
        if (op.await_resume() == i * 3) ++t.ok;
        else ++t.wrong;
    } else if (r.err() == ECANCELED) {
        ++t.cancelled;
    } else {
        ++t.wrong;
    }
    if (--t.left == 0) done.set();
}

Task<void> cancel_some(Engine& e, Tally& t, std::vector<Op*>& live) {
    co_await e.sleep_ms(0);  // the spawned jobs post their offloads first
    for (size_t i = 0; i < live.size(); i += 3) {
        if (!live[i]) continue;
        SysResult c = co_await e.cancel(*live[i]);
        EXPECT_TRUE(c.ok() || c.err() == EALREADY || c.err() == ENOENT) << c.message();
        ++t.cancels_sent;
    }
    t.gate.store(true);
    t.gate.notify_all();
}

Task<void> many_jobs(Engine& e, Tally& t, int count) {
    Event done(e);
    std::vector<Op*> live(static_cast<size_t>(count), nullptr);
    t.left = count;
    for (size_t i = 0; i < live.size(); ++i) e.spawn(one_job(e, i, t, done, live));
    co_await cancel_some(e, t, live);
    co_await done;
}

// More jobs than the queue holds; every third is cancelled while the workers hold the first
// jobs (bodies wait for a gate the canceller opens), so some cancels find their job queued and
// some find it running. Each job's body runs at most once, and exactly the jobs that were not
// cancelled before they started both ran and returned their own value.
TEST_P(EngineTest, ManyJobsWithCancellationsEachCompleteOnce) {
    Tally t;
    constexpr int k_jobs = 5000;
    engine().run(many_jobs(engine(), t, k_jobs));
    EXPECT_EQ(t.wrong, 0);
    EXPECT_EQ(t.ok + t.cancelled, k_jobs);
    EXPECT_EQ(t.ran.load(), t.ok);  // a cancelled offload never ran; a run one is not cancelled
    EXPECT_GT(t.cancels_sent, 0);
    EXPECT_GT(t.cancelled, 0) << "no cancellation caught a queued job";
}

Task<void> timed_reads(Engine& e, int fd, int rounds, int& timed_out) {
    std::array<std::byte, 8> buf{};
    for (int i = 0; i < rounds; ++i) {
        SysResult r = co_await e.read(fd, buf).timeout(1);
        if (r.err() == ETIMEDOUT) ++timed_out;
    }
}

// A read blocked on a silent peer, cancelled by its timeout over and over: on the fallback
// backend the cancelling signal can land just before the worker enters read(); the engine must
// signal again rather than wait forever (the old rare hang in take_pool_results).
TEST_P(EngineTest, TimedOutReadsOnASilentSocketAlwaysComeBack) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    int timed_out = 0;
    constexpr int k_rounds = 300;
    engine().run(timed_reads(engine(), sv[0], k_rounds, timed_out));
    EXPECT_EQ(timed_out, k_rounds);
    close(sv[0]);
    close(sv[1]);
}

TEST(WorkerPool, StartsItsWorkersUpFrontAndNeverGrowsOnTheRing) {
    EngineConfig config;
    Engine e(config);
    if (e.backend() != Backend::io_uring) GTEST_SKIP() << e.backend_description();
    unsigned before = e.pool().threads();
    EXPECT_EQ(before, default_worker_count());
    EXPECT_GE(before, 2u);
    Tally t;
    e.run(many_jobs(e, t, 2000));
    EXPECT_EQ(e.pool().threads(), before);
}

}  // namespace
}  // namespace ursync::engine
