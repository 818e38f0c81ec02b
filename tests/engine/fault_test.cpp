// Fault injection: rewritten completions exercise short counts, EINTR, EAGAIN and hard errors.
#include <fcntl.h>
#include <unistd.h>

#include <array>

#include "engine/io_helpers.h"
#include "engine_test_util.h"

namespace ursync::engine {
namespace {

using testing::bytes_of;
using testing::EngineTest;
using testing::string_of;

// Rewrites the first `count` completions of `kind` to `injected`, or, with `halve`, reports
// half the real count (a short read or write; the rest of the data was not transferred).
struct Injector {
    OpKind kind;
    int64_t injected = 0;
    int count = 1;
    bool halve = false;
    int fired = 0;
    int64_t operator()(const Op& op, int64_t result) {
        if (op.kind() != kind || fired >= count) return result;
        ++fired;
        if (halve) return result > 1 ? result / 2 : result;
        return injected;
    }
};

Task<std::string> write_then_read(Engine& e, std::string path, std::string text) {
    int f = static_cast<int>((co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0600)).value());
    SysResult w = co_await write_all(e, f, bytes_of(text), 0);
    std::string out(text.size(), '\0');
    SysResult r = co_await read_full(e, f, std::as_writable_bytes(std::span(out)), 0);
    co_await e.close(f);
    if (!w) co_return "write:" + w.message();
    if (!r) co_return "read:" + r.message();
    out.resize(static_cast<size_t>(r.value()));
    co_return out;
}

TEST_P(EngineTest, ShortWritesAreResumed) {
    auto hook = std::make_shared<Injector>(Injector{OpKind::write, 0, 3, true});
    engine().set_fault_hook([hook](const Op& op, int64_t r) { return (*hook)(op, r); });
    EXPECT_EQ(engine().run(write_then_read(engine(), path("a"), std::string(100, 'w'))),
              std::string(100, 'w'));
    EXPECT_EQ(hook->fired, 3);
}

TEST_P(EngineTest, ShortReadsAreResumed) {
    auto hook = std::make_shared<Injector>(Injector{OpKind::read, 0, 2, true});
    engine().set_fault_hook([hook](const Op& op, int64_t r) { return (*hook)(op, r); });
    EXPECT_EQ(engine().run(write_then_read(engine(), path("b"), std::string(100, 'r'))),
              std::string(100, 'r'));
    EXPECT_EQ(hook->fired, 2);
}

TEST_P(EngineTest, EintrIsRetriedInsideTheEngine) {
    auto hook = std::make_shared<Injector>(Injector{OpKind::read, -EINTR, 5});
    engine().set_fault_hook([hook](const Op& op, int64_t r) { return (*hook)(op, r); });
    EXPECT_EQ(engine().run(write_then_read(engine(), path("c"), "interrupted")), "interrupted");
    EXPECT_EQ(hook->fired, 5);
}

TEST_P(EngineTest, EagainWaitsForReadinessThenRetries) {
    auto hook = std::make_shared<Injector>(Injector{OpKind::write, -EAGAIN, 2});
    engine().set_fault_hook([hook](const Op& op, int64_t r) { return (*hook)(op, r); });
    EXPECT_EQ(engine().run(write_then_read(engine(), path("d"), "again")), "again");
    EXPECT_EQ(hook->fired, 2);
}

TEST_P(EngineTest, HardErrorsReachTheCaller) {
    for (int err : {ENOSPC, EIO, ECANCELED}) {
        auto hook = std::make_shared<Injector>(Injector{OpKind::write, -err, 1});
        engine().set_fault_hook([hook](const Op& op, int64_t r) { return (*hook)(op, r); });
        std::string got = engine().run(write_then_read(engine(), path("e"), "data"));
        EXPECT_EQ(got, "write:" + SysResult::from_errno(err).message());
    }
}

}  // namespace
}  // namespace ursync::engine
