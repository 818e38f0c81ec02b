// The sender's read-ahead jobs (SendPrefetch) against a tree changed after the file list was
// sent: what each request gets on the wire, file by file.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/parse.h"
#include "engine/engine.h"
#include "protocol/flist_codec.h"
#include "protocol/flist_sort.h"
#include "protocol/item_record.h"
#include "protocol/ndx.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "protocol/token_plain.h"
#include "protocol/varint.h"
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

// One file's data as the sender sent it.
struct Received {
    std::string data;
    std::vector<std::byte> digest;
};

struct ClientResult {
    std::vector<std::string> names;           // the file list, by ndx
    std::map<std::string, Received> files;    // by name, the records before the first NDX_DONE
    std::vector<protocol::MsgCode> messages;  // out-of-band codes
    std::vector<int32_t> no_send;             // MSG_NO_SEND payloads
    protocol::ChecksumAlgo algo = protocol::ChecksumAlgo::md5;
};

// The client: reads the list, lets `change` alter the tree, asks for every regular file (whole,
// in list order) and reads the answers.
engine::Task<void> run_client(transport::FdStream& stream, const cli::Options& options,
                              std::function<void()> change, ClientResult& out) {
    Peer p(stream);
    auto handler = [&out](const protocol::MuxEvent& ev) -> session::SessionResult<void> {
        out.messages.push_back(ev.code);
        if (ev.code == protocol::MsgCode::no_send && ev.payload.size() == 4) {
            protocol::ByteCursor c(ev.payload);
            if (auto v = protocol::get_int(c)) out.no_send.push_back(*v);
        }
        return {};
    };
    session::HandshakeRequest req;
    req.role = protocol::Role::client;
    auto hs = co_await session::run_handshake(p.in, p.out, req, handler);
    if (!hs) co_return;
    out.algo = hs->xfer_checksum;
    auto fopts = flist_options_for(options, *hs);
    protocol::FlistCodecState codec;
    std::vector<protocol::FileEntry> got;
    for (;;) {
        auto item = co_await p.in.decode<protocol::FlistItem>(
            [&](protocol::ByteCursor& c) {
                return protocol::decode_entry(c, codec, fopts, protocol::SegmentContext{0, got});
            },
            "the file list");
        if (!item) co_return;
        if (std::holds_alternative<protocol::FlistEnd>(*item)) break;
        got.push_back(std::get<protocol::FileEntry>(std::move(*item)));
    }
    // Indexes name the entries sorted as rsync sorts them.
    protocol::sort_entries(got);
    for (const auto& e : got) out.names.push_back(e.name);
    change();
    protocol::ByteWriter w;
    protocol::NdxState ndx_out;
    for (size_t i = 0; i < got.size(); ++i) {
        if (!got[i].is_regular()) continue;
        protocol::put_ndx(w, ndx_out, static_cast<int32_t>(i));
        protocol::put_shortint(w, 0x8000);                    // ITEM_TRANSFER
        for (int k = 0; k < 4; ++k) protocol::put_int(w, 0);  // no block sums: whole file
    }
    for (int i = 0; i < 5; ++i) protocol::put_ndx(w, ndx_out, protocol::k_ndx_done);
    (void)co_await p.out.send(w);
    (void)co_await p.out.flush();
    const int digest_len = static_cast<int>(protocol::digest_len(out.algo));
    protocol::NdxState ndx_in;
    for (;;) {
        auto rec = co_await p.in.decode<protocol::ItemRecord>(
            [&ndx_in](protocol::ByteCursor& c) {
                protocol::NdxState tmp = ndx_in;
                auto r = protocol::get_item_record(c, tmp);
                if (r) ndx_in = tmp;
                return r;
            },
            "a record");
        if (!rec || rec->ndx < 0) break;
        auto head = co_await p.in.decode<protocol::SumHead>(
            [digest_len](protocol::ByteCursor& c) { return protocol::get_sum_head(c, digest_len); },
            "a sum head");
        if (!head) break;
        Received r;
        protocol::PlainTokenDecoder dec(0);
        bool ended = false;
        while (!ended) {
            auto piece = co_await p.in.decode<std::string>(
                [&dec, &ended](protocol::ByteCursor& c) -> protocol::WireResult<std::string> {
                    protocol::PlainTokenDecoder saved = dec;
                    auto ev = dec.next(c);
                    if (!ev) {
                        dec = saved;
                        return Unexpected{ev.error()};
                    }
                    if (ev->kind == protocol::TokenEvent::Kind::end) ended = true;
                    return std::string(reinterpret_cast<const char*>(ev->literal.data()),
                                       ev->literal.size());
                },
                "a token");
            if (!piece) co_return;
            r.data += *piece;
        }
        auto digest = co_await p.in.decode<std::vector<std::byte>>(
            [digest_len](protocol::ByteCursor& c) -> protocol::WireResult<std::vector<std::byte>> {
                if (!c.has(static_cast<size_t>(digest_len))) return protocol::need_more("digest");
                auto b = c.take(static_cast<size_t>(digest_len));
                return std::vector<std::byte>(b.begin(), b.end());
            },
            "a file checksum");
        if (!digest) break;
        r.digest = *digest;
        out.files[out.names.at(static_cast<size_t>(rec->ndx))] = std::move(r);
    }
    for (;;) {
        auto more = co_await p.in.need(p.in.available().size() + 1, "anything");
        if (!more) break;
        p.in.consume(p.in.available().size());
    }
}

// Equal contents, or a short account of how they differ (no binary dumps).
::testing::AssertionResult same(const std::string& got, const std::string& want) {
    if (got == want) return ::testing::AssertionSuccess();
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    return ::testing::AssertionFailure()
           << got.size() << " bytes, wanted " << want.size() << ", first difference at " << i;
}

std::vector<std::byte> digest_of(protocol::ChecksumAlgo algo, const std::string& data) {
    protocol::FileHasher h(algo);
    h.update(protocol::as_bytes(data));
    auto d = h.finish();
    auto v = d.view();
    return {v.begin(), v.end()};
}

class SendBatch : public ::testing::Test {
  protected:
    void SetUp() override {
        make_dir(tmp / "src");
        make_dir(tmp / "src/sub");
        make_dir(tmp / "outside");
        for (int i = 0; i < 10; ++i) {
            const std::string name = "f" + std::to_string(i);
            content[name] =
                random_bytes(100 + 997 * static_cast<size_t>(i), static_cast<uint32_t>(i));
            write_file(tmp / ("src/" + name), content[name]);
        }
        content["sub/g"] = "inside\n";
        write_file(tmp / "src/sub/g", content["sub/g"]);
        write_file(tmp / "outside/g", "OUTSIDE the source tree\n");
    }

    ClientResult run(std::function<void()> change, ServerResult& result) {
        std::vector<std::string> argv{"ursync",       "--server", "--sender",
                                      "-re.LsfxCIvu", ".",        tmp / "src/"};
        auto inv = cli::parse_command_line(argv, cli::Environment::empty());
        EXPECT_TRUE(inv) << (inv ? "" : inv.error().message);
        ClientResult out;
        engine::Engine e;
        auto [a, b] = transport::make_socketpair_streams(e);
        e.spawn(run_server(e, a, *inv, result));
        e.run(run_client(b, inv->options, std::move(change), out));
        while (!result.done) e.run(drain(e));
        return out;
    }
    static engine::Task<void> drain(engine::Engine& e) { co_await e.sleep_ms(1); }
    int32_t ndx_of(const ClientResult& r, const std::string& name) {
        auto it = std::find(r.names.begin(), r.names.end(), name);
        return it == r.names.end() ? -1 : static_cast<int32_t>(it - r.names.begin());
    }

    TempDir tmp;
    std::map<std::string, std::string> content;
};

TEST_F(SendBatch, UnchangedFilesArriveWholeWithTheirChecksums) {
    ServerResult result;
    auto r = run([] {}, result);
    EXPECT_EQ(r.files.size(), content.size());
    for (const auto& [name, data] : content) {
        ASSERT_TRUE(r.files.contains(name)) << name;
        EXPECT_TRUE(same(r.files[name].data, data)) << name;
        EXPECT_EQ(r.files[name].digest, digest_of(r.algo, data)) << name;
    }
    EXPECT_TRUE(r.no_send.empty());
    EXPECT_EQ(result.state.final_code(), 0);
}

TEST_F(SendBatch, VanishedFilesGetNoSendAndExit24) {
    ServerResult result;
    auto r = run(
        [this] {
            ::unlink((tmp / "src/f1").c_str());
            ::unlink((tmp / "src/f7").c_str());
        },
        result);
    EXPECT_EQ(r.no_send, (std::vector<int32_t>{ndx_of(r, "f1"), ndx_of(r, "f7")}));
    EXPECT_FALSE(r.files.contains("f1"));
    EXPECT_FALSE(r.files.contains("f7"));
    EXPECT_EQ(r.files.size(), content.size() - 2);
    EXPECT_TRUE(same(r.files["f8"].data, content["f8"]));
    EXPECT_EQ(result.state.final_code(), to_int(ExitCode::vanished));
}

TEST_F(SendBatch, AFifoOrADirectorySwappedInIsNotOpenedForData) {
    ServerResult result;
    auto r = run(
        [this] {
            ::unlink((tmp / "src/f2").c_str());
            ASSERT_EQ(::mkfifo((tmp / "src/f2").c_str(), 0644), 0);  // no writer: would block
            ::unlink((tmp / "src/f3").c_str());
            make_dir(tmp / "src/f3");
        },
        result);
    EXPECT_EQ(r.no_send, (std::vector<int32_t>{ndx_of(r, "f2"), ndx_of(r, "f3")}));
    EXPECT_EQ(r.files.size(), content.size() - 2);
    EXPECT_TRUE(same(r.files["f4"].data, content["f4"]));
    EXPECT_EQ(result.state.final_code(), to_int(ExitCode::partial));
}

TEST_F(SendBatch, AFileThatShrankOrGrewIsSentAtItsSizeWhenOpened) {
    ServerResult result;
    const std::string grown = random_bytes(300 * 1024, 99);  // past the whole-read limit
    auto r = run(
        [this, &grown] {
            ASSERT_EQ(::truncate((tmp / "src/f4").c_str(), 3), 0);
            write_file(tmp / "src/f5", grown);
        },
        result);
    EXPECT_TRUE(same(r.files["f4"].data, content["f4"].substr(0, 3)));
    EXPECT_EQ(r.files["f4"].digest, digest_of(r.algo, content["f4"].substr(0, 3)));
    EXPECT_TRUE(same(r.files["f5"].data, grown));
    EXPECT_EQ(r.files["f5"].digest, digest_of(r.algo, grown));
    EXPECT_TRUE(r.no_send.empty());
    EXPECT_EQ(result.state.final_code(), 0);
}

TEST_F(SendBatch, AnUnreadableFileIsReportedAndTheRestSent) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads a mode-000 file";
    ServerResult result;
    auto r = run([this] { ::chmod((tmp / "src/f6").c_str(), 0); }, result);
    EXPECT_EQ(r.no_send, (std::vector<int32_t>{ndx_of(r, "f6")}));
    EXPECT_TRUE(same(r.files["f9"].data, content["f9"]));
    EXPECT_EQ(result.state.final_code(), to_int(ExitCode::partial));
}

TEST_F(SendBatch, ASymlinkSwappedInForAParentIsNeverFollowed) {
    ServerResult result;
    auto r = run(
        [this] {
            ASSERT_EQ(::rename((tmp / "src/sub").c_str(), (tmp / "src/sub.old").c_str()), 0);
            ASSERT_EQ(::symlink((tmp / "outside").c_str(), (tmp / "src/sub").c_str()), 0);
        },
        result);
    // Either the directory listed (still open) is read, or the name is refused; what the
    // symlink points at is never sent.
    if (r.files.contains("sub/g")) {
        EXPECT_TRUE(same(r.files["sub/g"].data, content["sub/g"]));
    } else {
        EXPECT_EQ(r.no_send, (std::vector<int32_t>{ndx_of(r, "sub/g")}));
    }
    for (const auto& [name, got] : r.files) EXPECT_TRUE(same(got.data, content[name])) << name;
}

}  // namespace
}  // namespace ursync::roles::testing
