// The sender facing a hostile generator: bad indexes and sum headers end the session cleanly.
#include <gtest/gtest.h>

#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "cli/parse.h"
#include "engine/engine.h"
#include "protocol/flist_codec.h"
#include "protocol/ndx.h"
#include "protocol/varint.h"
#include "protocol/xattr_codec.h"
#include "roles/common/log_format.h"
#include "roles/common/output.h"
#include "roles/common/session_context.h"
#include "roles/send/send_files.h"
#include "sending_util.h"
#include "session/handshake.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::roles::testing {
namespace {

struct Peer {
    explicit Peer(transport::FdStream& s) : reader(s), writer(s), out(writer), in(reader, &out) {}
    transport::BufferedReader reader;
    transport::BufferedWriter writer;
    session::MuxOut out;
    session::MuxIn in;
};

struct ServerResult {
    RunState state;
    bool done = false;
};

// Our sender as a server (`--server --sender -r . SRC/`), no incremental recursion.
engine::Task<void> run_server(engine::Engine& e, transport::FdStream& stream,
                              const cli::Invocation& inv, ServerResult& result) {
    Peer p(stream);
    Output output(e, &p.out);
    Session s{e, inv.options, {}, p.in, p.out, output};
    s.am_server = true;
    s.am_sender = true;
    session::HandshakeRequest req;
    req.role = protocol::Role::server;
    req.client_capabilities = ".LsfxCIvu";
    req.server_facts.allow_inc_recurse = false;
    auto hs = co_await session::run_handshake(p.in, p.out, req, nullptr);
    if (hs) {
        s.params = *hs;
        co_await send_files(s, inv.sources, {});
        (void)co_await p.out.flush();
    }
    co_await output.flush();
    co_await stream.close_write();
    result.state = s.state;
    result.done = true;
}

// The client side: handshake, read the whole file list, then send `attack` and read until
// the server stops. Returns the out-of-band codes seen.
engine::Task<void> run_client(
    transport::FdStream& stream, const cli::Options& options,
    std::function<void(protocol::ByteWriter&, protocol::NdxState&)> attack,
    std::vector<protocol::MsgCode>& messages, size_t& entries) {
    Peer p(stream);
    auto handler = [&messages](const protocol::MuxEvent& ev) -> session::SessionResult<void> {
        messages.push_back(ev.code);
        return {};
    };
    session::HandshakeRequest req;
    req.role = protocol::Role::client;
    auto hs = co_await session::run_handshake(p.in, p.out, req, handler);
    if (!hs) co_return;
    auto fopts = flist_options_for(options, *hs);
    protocol::FlistCodecState codec;
    std::vector<protocol::FileEntry> got;
    size_t known = 0;  // xattr lists met so far
    for (;;) {
        auto item = co_await p.in.decode<protocol::FlistItem>(
            [&](protocol::ByteCursor& c) {
                return protocol::decode_entry(c, codec, fopts, protocol::SegmentContext{0, got});
            },
            "the file list");
        if (!item) co_return;
        if (std::holds_alternative<protocol::FlistEnd>(*item)) break;
        got.push_back(std::get<protocol::FileEntry>(std::move(*item)));
        if (options.xattrs) {  // the entry's xattr list follows it
            auto head = co_await p.in.decode<protocol::XattrBlockHead>(
                [&known](protocol::ByteCursor& c) { return protocol::decode_xattr_head(c, known); },
                "an xattr list");
            if (!head) co_return;
            for (int32_t i = 0; i < head->count; ++i) {
                auto x = co_await p.in.decode<protocol::Xattr>(
                    [](protocol::ByteCursor& c) { return protocol::decode_xattr_item(c); },
                    "an xattr");
                if (!x) co_return;
            }
            known = head->ref >= 0 ? known : known + 1;
        }
    }
    entries = got.size();
    protocol::ByteWriter w;
    protocol::NdxState ndx;
    attack(w, ndx);
    (void)co_await p.out.send(w);
    (void)co_await p.out.flush();
    // Read until the server closes its side.
    for (;;) {
        auto more = co_await p.in.need(p.in.available().size() + 1, "anything");
        if (!more) break;
        p.in.consume(p.in.available().size());
    }
}

class SendHostile : public ::testing::Test {
  protected:
    void SetUp() override {
        make_dir(tmp / "src");
        make_dir(tmp / "src/sub");
        write_file(tmp / "src/a.txt", "hello\n");
        const std::string short_value = "v";
        ::setxattr((tmp / "src/a.txt").c_str(), "user.short", short_value.data(),
                   short_value.size(), 0);
        write_file(tmp / "src/sub/b.txt", "nested\n");
    }

    // Sorted list: 0 ".", 1 "a.txt", 2 "sub", 3 "sub/b.txt".
    ServerResult attack(std::function<void(protocol::ByteWriter&, protocol::NdxState&)> fn,
                        std::vector<protocol::MsgCode>* seen = nullptr,
                        std::string flags = "-re.LsfxCIvu") {
        std::vector<std::string> argv{"ursync", "--server", "--sender", std::move(flags), ".",
                                      tmp / "src/"};
        auto inv = cli::parse_command_line(argv, cli::Environment::empty());
        EXPECT_TRUE(inv) << (inv ? "" : inv.error().message);
        ServerResult result;
        std::vector<protocol::MsgCode> messages;
        size_t entries = 0;
        {
            engine::Engine e;
            auto [a, b] = transport::make_socketpair_streams(e);
            e.spawn(run_server(e, a, *inv, result));
            e.run(run_client(b, inv->options, std::move(fn), messages, entries));
            while (!result.done) e.run(drain(e));
        }
        EXPECT_EQ(entries, 4u);
        if (seen) *seen = messages;
        return result;
    }

    static engine::Task<void> drain(engine::Engine& e) { co_await e.sleep_ms(1); }

    TempDir tmp;
};

void put_sum_head(protocol::ByteWriter& w, int32_t count, int32_t blen, int32_t s2, int32_t rem) {
    protocol::put_int(w, count);
    protocol::put_int(w, blen);
    protocol::put_int(w, s2);
    protocol::put_int(w, rem);
}

TEST_F(SendHostile, IndexBeyondTheListIsAProtocolError) {
    auto r = attack([](protocol::ByteWriter& w, protocol::NdxState& ndx) {
        protocol::put_ndx(w, ndx, 1000);
        protocol::put_shortint(w, 0x8000);
    });
    EXPECT_EQ(r.state.exit_code, to_int(ExitCode::protocol));
}

// -X: a request for a value the list does not have, or for a short one, is a protocol error.
TEST_F(SendHostile, XattrRequestsForValuesNotSentAsDigestsAreRefused) {
    for (int32_t num : {5, 1}) {
        auto r = attack(
            [num](protocol::ByteWriter& w, protocol::NdxState& ndx) {
                protocol::put_ndx(w, ndx, 1);
                protocol::put_shortint(w, static_cast<uint16_t>(k_item_report_xattr));
                const std::vector<int32_t> nums = {num};
                protocol::encode_xattr_request(w, nums);
            },
            nullptr, "-rXe.LsfxCIvu");
        EXPECT_EQ(r.state.exit_code, to_int(ExitCode::protocol)) << num;
    }
}

TEST_F(SendHostile, NegativeMarkersFromTheGeneratorAreRefused) {
    for (int32_t bad : {protocol::k_ndx_flist_eof, protocol::k_ndx_flist_offset - 1, -50}) {
        auto r = attack([bad](protocol::ByteWriter& w, protocol::NdxState& ndx) {
            protocol::put_ndx(w, ndx, bad);
        });
        EXPECT_EQ(r.state.exit_code, to_int(ExitCode::protocol)) << bad;
    }
}

TEST_F(SendHostile, TransferOfADirectoryIsRefused) {
    auto r = attack([](protocol::ByteWriter& w, protocol::NdxState& ndx) {
        protocol::put_ndx(w, ndx, 2);
        protocol::put_shortint(w, 0x8000);
        put_sum_head(w, 0, 0, 0, 0);
    });
    EXPECT_EQ(r.state.exit_code, to_int(ExitCode::protocol));
}

TEST_F(SendHostile, AbsurdSumHeadsAreRefusedBeforeAllocating) {
    // s2length beyond the digest, negative count, remainder > blength, blength too large, and
    // a block count whose sums would need terabytes.
    const int32_t heads[][4] = {{1, 700, 64, 0},    {-1, 700, 2, 0},          {1, 700, 2, 701},
                                {1, 1 << 20, 2, 0}, {1 << 30, 131072, 16, 0}, {5, 0, 2, 0}};
    for (const auto& h : heads) {
        auto r = attack([&h](protocol::ByteWriter& w, protocol::NdxState& ndx) {
            protocol::put_ndx(w, ndx, 1);
            protocol::put_shortint(w, 0x8000);
            put_sum_head(w, h[0], h[1], h[2], h[3]);
        });
        EXPECT_NE(r.state.exit_code, 0) << h[0] << " " << h[1] << " " << h[2] << " " << h[3];
    }
}

TEST_F(SendHostile, ExcessiveXnameIsRefused) {
    auto r = attack([](protocol::ByteWriter& w, protocol::NdxState& ndx) {
        protocol::put_ndx(w, ndx, 1);
        protocol::put_shortint(w, 0x1000);                 // ITEM_XNAME_FOLLOWS
        protocol::put_vstring(w, std::string(5000, 'x'));  // > MAXPATHLEN
    });
    EXPECT_NE(r.state.exit_code, 0);
}

TEST_F(SendHostile, VanishedFileGetsNoSendAndExit24) {
    std::vector<protocol::MsgCode> seen;
    const std::string victim = tmp / "src/a.txt";
    auto r = attack(
        [&victim](protocol::ByteWriter& w, protocol::NdxState& ndx) {
            ::unlink(victim.c_str());  // gone between the file list and the request
            protocol::put_ndx(w, ndx, 1);
            protocol::put_shortint(w, 0xa000);
            put_sum_head(w, 0, 0, 0, 0);
            for (int i = 0; i < 5; ++i) protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        },
        &seen);
    EXPECT_EQ(r.state.exit_code, 0);
    EXPECT_EQ(r.state.final_code(), to_int(ExitCode::vanished));
    EXPECT_NE(std::find(seen.begin(), seen.end(), protocol::MsgCode::no_send), seen.end());
    EXPECT_NE(std::find(seen.begin(), seen.end(), protocol::MsgCode::io_error), seen.end());
}

TEST_F(SendHostile, RedoRequestInPhaseOneIsAnswered) {
    auto r = attack([](protocol::ByteWriter& w, protocol::NdxState& ndx) {
        protocol::put_ndx(w, ndx, 1);
        protocol::put_shortint(w, 0xa000);
        put_sum_head(w, 0, 0, 0, 0);
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);  // end of phase 0
        protocol::put_ndx(w, ndx, 1);                     // redo, full-length sums
        protocol::put_shortint(w, 0x8000);
        put_sum_head(w, 1, 700, 16, 6);
        protocol::put_int(w, 0x12345678);
        w.put(std::string(16, 'x'));
        for (int i = 0; i < 4; ++i) protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    });
    EXPECT_EQ(r.state.final_code(), 0);
}

TEST_F(SendHostile, TransferRequestInPhaseTwoIsRefused) {
    auto r = attack([](protocol::ByteWriter& w, protocol::NdxState& ndx) {
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        protocol::put_ndx(w, ndx, 1);
        protocol::put_shortint(w, 0x8000);
        put_sum_head(w, 0, 0, 0, 0);
    });
    EXPECT_EQ(r.state.exit_code, to_int(ExitCode::protocol));
}

TEST_F(SendHostile, HonestRequestsStillWork) {
    std::vector<protocol::MsgCode> seen;
    auto r = attack(
        [](protocol::ByteWriter& w, protocol::NdxState& ndx) {
            protocol::put_ndx(w, ndx, 1);
            protocol::put_shortint(w, 0xa000);  // IS_NEW | TRANSFER
            put_sum_head(w, 0, 0, 0, 0);
            protocol::put_ndx(w, ndx, 3);
            protocol::put_shortint(w, 0xa000);
            put_sum_head(w, 0, 0, 0, 0);
            for (int i = 0; i < 5; ++i) protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        },
        &seen);
    EXPECT_EQ(r.state.exit_code, 0);
    EXPECT_EQ(r.state.final_code(), 0);
}

}  // namespace
}  // namespace ursync::roles::testing
