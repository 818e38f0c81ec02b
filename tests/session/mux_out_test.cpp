// MuxOut's in-place framing: frame boundaries exactly where a plain reference framer puts them
// (rsync's points: a full chunk, a message, a flush), for many send/message/flush sequences.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "engine/engine.h"
#include "session/mux_out.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::session {
namespace {

using engine::Engine;
using engine::Task;
using protocol::k_data_chunk_len_max;
using protocol::MsgCode;

struct Op {
    enum class Kind { data, message, flush };
    Kind kind = Kind::data;
    size_t len = 0;
};

// The straightforward framer MuxOut once was: stream bytes queue up; whole chunks are framed
// when the queue holds one, everything at a message or a flush.
class ReferenceFramer {
  public:
    void data(std::span<const std::byte> bytes) {
        pending_.insert(pending_.end(), bytes.begin(), bytes.end());
        frame(true);
    }
    void message(MsgCode code, std::span<const std::byte> payload) {
        frame(false);
        protocol::encode_frames(code, payload, out_, protocol::k_frame_len_max);
    }
    void flush() { frame(false); }
    const std::vector<std::byte>& bytes() const { return out_.bytes(); }

  private:
    void frame(bool keep_partial) {
        size_t at = 0;
        while (pending_.size() - at >= k_data_chunk_len_max ||
               (!keep_partial && at < pending_.size())) {
            const size_t n = std::min(k_data_chunk_len_max, pending_.size() - at);
            protocol::encode_frames(MsgCode::data, std::span(pending_).subspan(at, n), out_);
            at += n;
        }
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(at));
    }
    std::vector<std::byte> pending_;
    protocol::ByteWriter out_;
};

std::vector<std::byte> pattern(size_t len, size_t seed) {
    std::vector<std::byte> v(len);
    for (size_t i = 0; i < len; ++i) v[i] = std::byte(static_cast<uint8_t>((i * 31 + seed) & 0xFF));
    return v;
}

Task<void> read_all(transport::FdStream& s, std::vector<std::byte>& got) {
    transport::BufferedReader rd(s);
    for (;;) {
        auto more = co_await rd.fill_more("frames");
        if (!more) break;
        auto view = rd.buffered();
        got.insert(got.end(), view.begin(), view.end());
        rd.consume(view.size());
    }
}

// Runs `ops` through MuxOut (over a writer of `capacity` bytes) and through the reference;
// returns {what MuxOut wrote, what the reference made}.
Task<std::pair<std::vector<std::byte>, std::vector<std::byte>>> run_ops(Engine& e,
                                                                        std::vector<Op> ops,
                                                                        size_t capacity) {
    auto [a, b] = transport::make_socketpair_streams(e);
    std::vector<std::byte> got;
    e.spawn(read_all(b, got));
    transport::BufferedWriter w(a, capacity);
    MuxOut out(w);
    out.start_multiplex();
    ReferenceFramer ref;
    uint64_t expected_written = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        const std::vector<std::byte> payload = pattern(op.len, i);
        if (op.kind == Op::Kind::data) {
            EXPECT_TRUE(co_await out.send(payload));
            ref.data(payload);
        } else if (op.kind == Op::Kind::message) {
            EXPECT_TRUE(co_await out.send_message(MsgCode::info, payload));
            ref.message(MsgCode::info, payload);
        } else {
            EXPECT_TRUE(co_await out.flush());
            ref.flush();
            expected_written = ref.bytes().size();
            EXPECT_EQ(out.bytes_written(), expected_written) << "after op " << i;
        }
    }
    EXPECT_TRUE(co_await out.flush());
    ref.flush();
    EXPECT_EQ(out.bytes_written(), ref.bytes().size());
    co_await a.close_write();
    while (got.size() < ref.bytes().size()) co_await e.sleep_ms(1);
    co_await e.sleep_ms(5);  // anything extra would show up too
    co_return std::pair{got, ref.bytes()};
}

void expect_same_frames(std::vector<Op> ops, size_t capacity = transport::k_stream_buffer_bytes) {
    Engine e;
    auto [got, want] = e.run(run_ops(e, std::move(ops), capacity));
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
}

using K = Op::Kind;

TEST(MuxOutFraming, SmallSendsShareOneFrameUntilFlush) {
    expect_same_frames({{K::data, 3}, {K::data, 10}, {K::data, 1}, {K::flush, 0}});
}

TEST(MuxOutFraming, AFullChunkClosesTheFrame) {
    expect_same_frames({{K::data, k_data_chunk_len_max - 1}, {K::data, 2}, {K::flush, 0}});
    expect_same_frames({{K::data, k_data_chunk_len_max}, {K::data, k_data_chunk_len_max}});
}

TEST(MuxOutFraming, AMessageClosesTheOpenFrame) {
    expect_same_frames({{K::data, 100}, {K::message, 20}, {K::data, 5}, {K::message, 0}});
}

TEST(MuxOutFraming, FlushWithNothingOpenWritesNoFrame) {
    expect_same_frames({{K::flush, 0}, {K::flush, 0}, {K::data, 1}, {K::flush, 0}, {K::flush, 0}});
}

TEST(MuxOutFraming, LargeSendsSpanManyFramesAndDrains) {
    expect_same_frames({{K::data, 1000000}, {K::message, 7}, {K::data, 300000}});
    // A writer barely larger than one frame drains before nearly every frame.
    expect_same_frames({{K::data, 70000}, {K::data, 5}, {K::message, 3}, {K::data, 200000}},
                       k_data_chunk_len_max + 100);
}

TEST(MuxOutFraming, RandomSequencesMatchTheReference) {
    std::mt19937 rng(16);
    for (int round = 0; round < 40; ++round) {
        std::vector<Op> ops;
        const int n = 1 + static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) {
            const auto pick = rng() % 10;
            if (pick < 6) {
                const size_t sizes[] = {1,
                                        7,
                                        100,
                                        4096,
                                        k_data_chunk_len_max - 1,
                                        k_data_chunk_len_max,
                                        k_data_chunk_len_max + 1,
                                        100000};
                ops.push_back({K::data, sizes[rng() % 8] + rng() % 3});
            } else if (pick < 8) {
                ops.push_back({K::message, rng() % 60});
            } else {
                ops.push_back({K::flush, 0});
            }
        }
        const size_t capacity =
            round % 2 ? transport::k_stream_buffer_bytes : k_data_chunk_len_max + 4 + rng() % 5000;
        SCOPED_TRACE("round " + std::to_string(round));
        expect_same_frames(ops, capacity);
    }
}

// A message sent by another coroutine while a large send waits for the peer comes after all of
// that send's bytes, as when every byte was queued before the first wait.
Task<std::pair<std::vector<std::byte>, std::vector<std::byte>>> concurrent(Engine& e) {
    auto [a, b] = transport::make_socketpair_streams(e);
    transport::BufferedWriter w(a, k_data_chunk_len_max + 10);
    MuxOut out(w);
    out.start_multiplex();
    const std::vector<std::byte> big = pattern(3 * 1024 * 1024, 1);
    const std::vector<std::byte> note = pattern(9, 2);
    bool message_sent = false;
    auto message = [](MuxOut& o, const std::vector<std::byte>& m, bool& done) -> Task<void> {
        EXPECT_TRUE(co_await o.send_message(MsgCode::info, m));
        done = true;
    };
    auto sender = [](MuxOut& o, const std::vector<std::byte>& d) -> Task<void> {
        EXPECT_TRUE(co_await o.send(d));
    };
    e.spawn(sender(out, big));  // fills the socket and waits for the reader
    e.spawn(message(out, note, message_sent));
    std::vector<std::byte> got;
    co_await e.sleep_ms(10);
    e.spawn(read_all(b, got));
    while (!message_sent) co_await e.sleep_ms(1);
    EXPECT_TRUE(co_await out.flush());
    co_await a.close_write();
    ReferenceFramer ref;
    ref.data(big);
    ref.message(MsgCode::info, note);
    while (got.size() < ref.bytes().size()) co_await e.sleep_ms(1);
    co_return std::pair{got, ref.bytes()};
}

TEST(MuxOutFraming, AMessageWaitsForASendInProgress) {
    Engine e;
    auto [got, want] = e.run(concurrent(e));
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
}

}  // namespace
}  // namespace ursync::session
