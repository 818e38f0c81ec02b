// MuxOut keep-alives (rsync io.c:maybe_send_keepalive): an empty MSG_DATA frame when idle with
// nothing pending, a flush of the pending data otherwise, nothing while the link is busy.
#include <gtest/gtest.h>

#include <vector>

#include "engine/engine.h"
#include "session/mux_out.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::session {
namespace {

using engine::Engine;
using engine::Task;

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(std::byte(static_cast<uint8_t>(b)));
    return out;
}

Task<std::vector<std::byte>> scenario(Engine& e, bool with_pending, uint64_t lull_ms) {
    auto [a, b] = transport::make_socketpair_streams(e);
    transport::BufferedWriter w(a);
    MuxOut out(w);
    out.start_multiplex();
    const std::vector<std::byte> data = bytes({0x41, 0x42});  // named: GCC 12 pitfall 2
    if (with_pending) co_await out.send(data);
    co_await e.sleep_ms(20);
    auto r = co_await out.keep_alive_if_idle(lull_ms);
    EXPECT_TRUE(r);
    co_await a.close_write();
    transport::BufferedReader rd(b);
    std::vector<std::byte> got;
    for (;;) {
        auto more = co_await rd.fill_more("frames");
        if (!more) break;
        auto view = rd.buffered();
        got.insert(got.end(), view.begin(), view.end());
        rd.consume(view.size());
    }
    co_return got;
}

TEST(KeepAlive, IdleWithNothingPendingSendsAnEmptyDataFrame) {
    Engine e;
    EXPECT_EQ(e.run(scenario(e, false, 10)), bytes({0x00, 0x00, 0x00, 0x07}));
}

TEST(KeepAlive, IdleWithPendingDataFlushesItInstead) {
    Engine e;
    EXPECT_EQ(e.run(scenario(e, true, 10)), bytes({0x02, 0x00, 0x00, 0x07, 0x41, 0x42}));
}

TEST(KeepAlive, NotIdleLongEnoughSendsNothing) {
    Engine e;
    EXPECT_TRUE(e.run(scenario(e, false, 60000)).empty());
}

}  // namespace
}  // namespace ursync::session
