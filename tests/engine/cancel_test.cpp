// Timeouts, linked timeouts and cancellation: an op's coroutine resumes only from its own completion.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>

#include "engine/event.h"
#include "engine/io_helpers.h"
#include "engine_test_util.h"

namespace ursync::engine {
namespace {

using testing::bytes_of;
using testing::EngineTest;
using testing::string_of;
using Clock = std::chrono::steady_clock;

Task<void> sleeps(Engine& e) {
    auto t0 = Clock::now();
    SysResult r = co_await e.sleep_ms(30);
    EXPECT_EQ(r.err(), ETIME);  // a timeout that expires completes with -ETIME
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(29));
}

TEST_P(EngineTest, SleepWaitsAtLeastItsDuration) { engine().run(sleeps(engine())); }

Task<void> read_with_timeout(Engine& e, int fd) {
    std::array<std::byte, 8> buf{};
    auto t0 = Clock::now();
    SysResult r = co_await e.read(fd, buf).timeout(40);
    EXPECT_EQ(r.err(), ETIMEDOUT) << r.message();
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(35));
}

TEST_P(EngineTest, LinkedTimeoutFailsAStalledRead) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    engine().run(read_with_timeout(engine(), p[0]));
    close(p[0]);
    close(p[1]);
}

struct CancelScene {
    Op* in_flight = nullptr;
    SysResult reader_result;
    bool reader_resumed = false;
    std::array<std::byte, 16> reader_buf{};
};

Task<void> blocked_reader(Engine& e, int fd, CancelScene& scene) {
    auto op = e.read(fd, scene.reader_buf);
    scene.in_flight = &op;
    scene.reader_result = co_await op;
    scene.in_flight = nullptr;
    scene.reader_resumed = true;
}

Task<void> canceller(Engine& e, int rfd, int wfd, CancelScene& scene) {
    co_await e.sleep_ms(10);
    EXPECT_FALSE(scene.reader_resumed);
    EXPECT_NE(scene.in_flight, nullptr);
    SysResult c = co_await e.cancel(*scene.in_flight);
    EXPECT_TRUE(c.ok() || c.err() == EALREADY) << c.message();
    while (!scene.reader_resumed) co_await e.sleep_ms(1);
    EXPECT_EQ(scene.reader_result.err(), ECANCELED);
    // The cancelled read consumed nothing: data written now is still there for a new read.
    co_await write_all(e, wfd, bytes_of("after"));
    std::array<std::byte, 5> buf{};
    co_await read_full(e, rfd, buf);
    EXPECT_EQ(string_of(buf), "after");
    for (auto b : scene.reader_buf) EXPECT_EQ(b, std::byte{0});
}

TEST_P(EngineTest, CancelResumesOnlyFromTheOpsOwnCompletion) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    CancelScene scene;
    engine().spawn(blocked_reader(engine(), p[0], scene));
    engine().run(canceller(engine(), p[0], p[1], scene));
    EXPECT_TRUE(scene.reader_resumed);
    close(p[0]);
    close(p[1]);
}

Task<void> cancel_nothing(Engine& e) {
    auto idle = e.sleep_ms(1);
    SysResult r = co_await e.cancel(idle);  // never submitted
    EXPECT_EQ(r.err(), ENOENT);
}

TEST_P(EngineTest, CancellingAnUnknownOpSaysSo) { engine().run(cancel_nothing(engine())); }

Task<void> many_reads(Engine& e, std::string path, int& completed) {
    int f = static_cast<int>((co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR, 0600)).value());
    co_await write_all(e, f, bytes_of(std::string(4096, 'x')), 0);
    Event all_done(e);
    int remaining = 200;
    auto one = [](Engine& eng, int fd, int& left, int& done, Event& ev) -> Task<void> {
        std::array<std::byte, 16> b{};
        SysResult r = co_await eng.read(fd, b, 16);
        if (r.value() == 16) ++done;
        if (--left == 0) ev.set();
    };
    for (int i = 0; i < 200; ++i) e.spawn(one(e, f, remaining, completed, all_done));
    co_await all_done;
    co_await e.close(f);
}

TEST_P(EngineTest, MoreOpsThanTheRingHoldsAllComplete) {
    EngineConfig config;
    config.force_threads = GetParam() == Backend::threads;
    config.ring_entries = 8;
    config.inflight_max = 8;
    Engine small(config);
    int completed = 0;
    small.run(many_reads(small, path("many"), completed));
    EXPECT_EQ(completed, 200);
}

}  // namespace
}  // namespace ursync::engine
