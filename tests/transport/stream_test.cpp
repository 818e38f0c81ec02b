// Tests for FdStream and the buffered reader/writer: integrity, back-pressure, early close.
#include <gtest/gtest.h>
#include <unistd.h>

#include <numeric>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::transport {
namespace {

using engine::Backend;
using engine::Engine;
using engine::EngineConfig;
using engine::Task;

std::vector<std::byte> pattern(size_t n) {
    std::vector<std::byte> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::byte(static_cast<uint8_t>((i * 131 + i / 7) & 0xff));
    return v;
}

class StreamTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        EngineConfig config;
        config.force_threads = GetParam() == Backend::threads;
        engine_ = std::make_unique<Engine>(config);
    }
    std::unique_ptr<Engine> engine_;
};

Task<void> send_all(FdStream& s, std::vector<std::byte> data, size_t chunk, size_t writer_cap) {
    BufferedWriter w(s, writer_cap);
    for (size_t off = 0; off < data.size(); off += chunk) {
        auto n = std::min(chunk, data.size() - off);
        auto r = co_await w.write(std::span(data).subspan(off, n));
        EXPECT_TRUE(r);
    }
    EXPECT_TRUE(co_await w.flush());
    co_await s.close_write();
}

Task<std::vector<std::byte>> receive(FdStream& s, size_t total, size_t reader_cap) {
    BufferedReader r(s, reader_cap);
    std::vector<std::byte> out(total);
    size_t got = 0;
    while (got < total) {  // mixed item sizes: exercise fill() and read_exact()
        size_t want = std::min<size_t>(total - got, (got % 3 == 0) ? 17 : 4096);
        if (want <= r.capacity()) {
            auto f = co_await r.fill(want, "a test item");
            EXPECT_TRUE(f);
            std::copy_n(r.buffered().begin(), want, out.begin() + static_cast<ptrdiff_t>(got));
            r.consume(want);
        } else {
            EXPECT_TRUE(co_await r.read_exact(std::span(out).subspan(got, want), "a big item"));
        }
        got += want;
    }
    co_return out;
}

Task<void> duplex(Engine& e, size_t bytes, size_t writer_cap, size_t reader_cap) {
    auto [a, b] = make_socketpair_streams(e);
    auto data = pattern(bytes);
    e.spawn(send_all(a, data, 1000, writer_cap));
    auto got = co_await receive(b, bytes, reader_cap);
    EXPECT_TRUE(got == data);
}

TEST_P(StreamTest, SocketpairCarriesMegabytesIntact) {
    engine_->run(duplex(*engine_, 5 << 20, k_stream_buffer_bytes, k_stream_buffer_bytes));
}

TEST_P(StreamTest, SmallBuffersApplyBackPressure) {
    engine_->run(duplex(*engine_, 1 << 20, 64, 4096 + 16));
}

Task<void> early_close(Engine& e) {
    auto [a, b] = make_socketpair_streams(e);
    BufferedWriter w(a);
    auto ten = pattern(10);
    co_await w.write(ten);
    co_await w.flush();
    co_await a.close_write();
    BufferedReader r(b);
    std::vector<std::byte> out(100);
    auto res = co_await r.read_exact(out, "the file list");
    EXPECT_FALSE(res);
    EXPECT_EQ(res.error().kind, StreamError::Kind::closed);
    EXPECT_EQ(res.error().what,
              "connection unexpectedly closed (expected 90 more bytes of the file list)");
    EXPECT_EQ(res.error().exit_code(), ExitCode::stream_io);
}

TEST_P(StreamTest, PeerClosingMidItemNamesWhatWasExpected) { engine_->run(early_close(*engine_)); }

Task<void> pipe_pair(Engine& e) {
    int ab[2], ba[2];
    EXPECT_EQ(pipe(ab), 0);
    EXPECT_EQ(pipe(ba), 0);
    FdStream left(e, ba[0], ab[1], true), right(e, ab[0], ba[1], true);
    BufferedWriter lw(left);
    auto msg = pattern(300000);
    e.spawn(send_all(left, msg, 7000, 8192));
    auto got = co_await receive(right, msg.size(), 8192);
    EXPECT_TRUE(got == msg);
}

TEST_P(StreamTest, PipePairWorksAndPipeCloseIsEndOfData) { engine_->run(pipe_pair(*engine_)); }

Task<void> read_timeout(Engine& e) {
    auto [a, b] = make_socketpair_streams(e);
    BufferedReader r(b);
    r.set_timeout_ms(30);
    auto res = co_await r.fill(4, "an int");
    EXPECT_FALSE(res);
    EXPECT_EQ(res.error().kind, StreamError::Kind::timeout);
    EXPECT_EQ(res.error().exit_code(), ExitCode::timeout);
}

TEST_P(StreamTest, ReadTimeoutIsExitCode30) { engine_->run(read_timeout(*engine_)); }

INSTANTIATE_TEST_SUITE_P(Backends, StreamTest, ::testing::Values(Backend::io_uring, Backend::threads),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                             return p.param == Backend::io_uring ? "io_uring" : "threads";
                         });

}  // namespace
}  // namespace ursync::transport
