// MuxIn's switch into multiplexing: bytes the peer wrote together with the handshake are parsed
// as frames once multiplexing starts, whatever the peer's write boundaries were.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "session/mux_in.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::session {
namespace {

using engine::Engine;
using engine::Task;

void put_le32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_frame(std::vector<uint8_t>& out, uint8_t code, std::string_view payload) {
    put_le32(out, ((uint32_t{code} + 7) << 24) | static_cast<uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
}

struct Seen {
    SessionResult<int32_t> before = fail("not run", ExitCode::ok);
    SessionResult<int32_t> after = fail("not run", ExitCode::ok);
    SessionResult<void> tail = fail("not run", ExitCode::ok);
    std::string data;
    std::vector<std::string> messages;
};

Task<void> read_across_the_switch(MuxIn& in, Seen& seen) {
    seen.before = co_await in.read_int("the value before multiplexing");
    in.start_multiplex([&seen](const protocol::MuxEvent& ev) -> SessionResult<void> {
        seen.messages.emplace_back(reinterpret_cast<const char*>(ev.payload.data()),
                                   ev.payload.size());
        return {};
    });
    seen.after = co_await in.read_int("the first multiplexed value");
    std::vector<std::byte> rest(3);
    seen.tail = co_await in.read_bytes(rest, "the rest");
    if (seen.tail) seen.data.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
}

// The peer's bytes, written in one write(2) before the reader starts: an int, then a DATA frame
// holding another int, an INFO message, and a DATA frame with three more bytes.
Seen read_pipelined(const std::vector<uint8_t>& bytes, bool close_after) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    EXPECT_EQ(write(sv[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    if (close_after) close(sv[1]);
    Seen seen;
    {
        Engine e;
        transport::FdStream stream(e, sv[0], sv[0], true);
        transport::BufferedReader reader(stream);
        MuxIn in(reader, nullptr);
        e.run(read_across_the_switch(in, seen));
    }
    if (!close_after) close(sv[1]);
    return seen;
}

std::vector<uint8_t> pipelined_stream() {
    std::vector<uint8_t> b;
    put_le32(b, 31);                                  // e.g. the protocol version
    put_frame(b, 0, std::string("\x2a\0\0\0", 4));    // DATA: int 42
    put_frame(b, 2, "hello\n");                       // INFO
    put_frame(b, 0, "xyz");                           // DATA
    return b;
}

TEST(MuxInSwitch, FramesSentWithTheHandshakeAreParsedAsFrames) {
    auto seen = read_pipelined(pipelined_stream(), false);
    ASSERT_TRUE(seen.before) << seen.before.error().what;
    EXPECT_EQ(*seen.before, 31);
    ASSERT_TRUE(seen.after) << seen.after.error().what;
    EXPECT_EQ(*seen.after, 42);
    ASSERT_TRUE(seen.tail) << seen.tail.error().what;
    EXPECT_EQ(seen.data, "xyz");
    ASSERT_EQ(seen.messages.size(), 1u);
    EXPECT_EQ(seen.messages[0], "hello\n");
}

TEST(MuxInSwitch, UnframedBytesAfterTheHandshakeAreAProtocolError) {
    // 16 zero bytes where a frame header belongs: a tag below the multiplex base is refused
    // instead of being taken as data.
    std::vector<uint8_t> b;
    put_le32(b, 31);
    b.insert(b.end(), 16, 0);
    auto seen = read_pipelined(b, true);
    ASSERT_TRUE(seen.before);
    ASSERT_FALSE(seen.after);
    EXPECT_EQ(seen.after.error().code, ExitCode::stream_io);  // rsync: "unexpected tag", exit 12
}


// After the switch: a token-like stream where an int straddles two DATA frames, a message sits
// between data frames, and a long payload follows. Literal bytes come out of available() in
// place (pointing into the reader's buffer: no copy in MuxIn), the split int is gathered whole.
struct InPlace {
    SessionResult<int32_t> split = fail("not run", ExitCode::ok);
    std::string payload;
    bool payload_in_reader = true;
    std::vector<std::string> messages;
    SessionResult<int32_t> last = fail("not run", ExitCode::ok);
};

Task<void> read_in_place(MuxIn& in, transport::BufferedReader& reader, InPlace& seen,
                         size_t payload_len) {
    in.start_multiplex([&seen](const protocol::MuxEvent& ev) -> SessionResult<void> {
        seen.messages.emplace_back(reinterpret_cast<const char*>(ev.payload.data()),
                                   ev.payload.size());
        return {};
    });
    seen.split = co_await in.read_int("the split int");
    while (seen.payload.size() < payload_len) {
        auto r = co_await in.need(1, "the payload");
        if (!r) co_return;
        auto got = in.available();
        const size_t take = std::min(got.size(), payload_len - seen.payload.size());
        if (!reader.owns(got.data())) seen.payload_in_reader = false;
        seen.payload.append(reinterpret_cast<const char*>(got.data()), take);
        in.consume(take);
    }
    seen.last = co_await in.read_int("the last int");
}

TEST(MuxInPlace, DataIsReadWhereItArrivedAndSplitValuesAreGathered) {
    std::vector<uint8_t> version;
    put_le32(version, 31);
    std::vector<uint8_t> b;  // written once the version has been read
    put_frame(b, 0, std::string("\x07\x00", 2));  // first half of int 7
    put_frame(b, 2, "between\n");                  // INFO between the halves
    put_frame(b, 0, std::string("\x00\x00", 2));  // second half
    std::string payload;
    for (int i = 0; i < 3000; ++i) payload += static_cast<char>('a' + i % 26);
    put_frame(b, 0, payload.substr(0, 1000));
    put_frame(b, 0, payload.substr(1000) + std::string("\x09\x00\x00\x00", 4));
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_EQ(write(sv[1], version.data(), version.size()), 4);
    InPlace seen;
    {
        Engine e;
        transport::FdStream stream(e, sv[0], sv[0], true);
        transport::BufferedReader reader(stream);
        MuxIn in(reader, nullptr);
        auto run = [&]() -> Task<void> {
            auto v = co_await in.read_int("the version");
            EXPECT_TRUE(v);
            EXPECT_EQ(write(sv[1], b.data(), b.size()), static_cast<ssize_t>(b.size()));
            co_await read_in_place(in, reader, seen, payload.size());
        };
        e.run(run());
    }
    close(sv[1]);
    ASSERT_TRUE(seen.split) << seen.split.error().what;
    EXPECT_EQ(*seen.split, 7);
    EXPECT_EQ(seen.payload, payload);
    EXPECT_TRUE(seen.payload_in_reader);
    ASSERT_EQ(seen.messages.size(), 1u);
    EXPECT_EQ(seen.messages[0], "between\n");
    ASSERT_TRUE(seen.last) << seen.last.error().what;
    EXPECT_EQ(*seen.last, 9);
}

}  // namespace
}  // namespace ursync::session
