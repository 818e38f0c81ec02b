// A hostile sender: crafted streams fed to roles::receive_files through a socketpair must end
// in a clean error with rsync's exit code, nothing written outside the destination and no temp
// file left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "engine/engine.h"
#include "protocol/flist_codec.h"
#include "protocol/flist_dirs.h"
#include "protocol/mux_frame.h"
#include "protocol/ndx.h"
#include "protocol/sum_head.h"
#include "protocol/varint.h"
#include "protocol/xattr_codec.h"
#include "receiving_test_util.h"
#include "roles/common/output.h"
#include "roles/common/session_context.h"
#include "roles/recv/receive_files.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace ursync::roles::testing {
namespace {

using protocol::ByteWriter;
using protocol::FileEntry;

cli::Options archive_options() {
    cli::Options o;
    o.recursive = o.links = o.perms = o.times = o.group = o.owner = true;
    o.devices = o.specials = true;
    return o;
}

session::SessionParams params_p31() {
    session::SessionParams p;
    p.protocol = 31;
    p.varint_flist_flags = true;
    p.safe_flist = true;
    p.xfer_checksum = protocol::ChecksumAlgo::md5;
    p.file_checksum = protocol::ChecksumAlgo::md5;
    p.seed = 12345;
    return p;
}

FileEntry entry(std::string name, uint32_t mode, int64_t size = 0) {
    FileEntry e;
    e.name = std::move(name);
    e.mode = mode;
    e.size = size;
    e.mtime_sec = 1704164645;
    return e;
}

// The sender's side of a whole non-incremental file list, as stock encodes it; `after`, when
// set, appends what follows each entry (with -X its xattr list).
void put_flist(ByteWriter& w, const std::vector<FileEntry>& entries,
               const std::function<void(ByteWriter&, size_t)>& after = {}) {
    protocol::FlistCodecState st;
    auto fo = flist_options_for(archive_options(), params_p31());
    protocol::SegmentContext sc{0, {}};
    for (size_t i = 0; i < entries.size(); ++i) {
        auto r = protocol::encode_entry(w, st, fo, entries[i], sc);
        if (!r) ADD_FAILURE() << "cannot encode " << entries[i].name;
        if (after) after(w, i);
    }
    protocol::encode_end_of_list(w, fo, 0);
    if (protocol::id_lists_present(fo)) {
        auto r = protocol::encode_id_lists(w, fo, st, "root", "root");
        if (!r) ADD_FAILURE() << "cannot encode id lists";
    }
}

struct Outcome {
    int code = 0;
    std::string err;
};

engine::Task<void> drain(transport::FdStream& s) {
    std::vector<std::byte> buf(65536);
    for (;;) {
        auto r = co_await s.read_some(buf);
        if (!r || r.value() == 0) break;
    }
}

engine::Task<void> feed(transport::FdStream& s, std::vector<std::byte> stream, bool close_after) {
    ByteWriter framed;
    protocol::encode_frames(protocol::MsgCode::data, stream, framed);
    transport::BufferedWriter w(s);
    co_await w.write(framed.bytes());
    co_await w.flush();
    if (close_after) co_await s.close_write();
}

engine::Task<void> run_receiver(engine::Engine& e, transport::FdStream& ours, std::string dest,
                                Outcome& out, cli::Options o, session::SessionParams params,
                                bool as_server, const std::vector<std::string>* source_args) {
    transport::BufferedReader reader(ours);
    transport::BufferedWriter writer(ours);
    session::MuxOut mout(writer);
    session::MuxIn min(reader, &mout);
    mout.start_multiplex();
    min.start_multiplex(nullptr);
    Output output(e, nullptr);
    Session s{e, o, params, min, mout, output};
    s.am_server = as_server;
    s.source_args = source_args;
    co_await receive_files(s, dest, o.filter_rules);
    co_await mout.flush();
    co_await output.flush();
    co_await ours.close_write();
    out.code = s.state.final_code();
}

// A part of a scripted sender's stream, written once the generator has sent `after_dones`
// NDX_DONEs: a real sender writes each of its NDX_DONEs only after reading one of the
// generator's, and the receiver refuses one that comes sooner.
struct PacedPart {
    std::vector<std::byte> bytes;
    int after_dones = 0;
    int after_requests = 0;  // ... and once it has asked for this many transfers
};

// Counts the NDX_DONEs in what the generator writes (requests with empty sum heads, as the
// generator of these scripted sessions writes them: no basis files).
struct GeneratorDones {
    std::vector<std::byte> data;  // MSG_DATA payload not yet parsed
    std::vector<std::byte> raw;   // frames not yet parsed
    protocol::NdxState ndx;
    int dones = 0;
    int requests = 0;
    bool ended = false;

    void take(std::span<const std::byte> got) {
        raw.insert(raw.end(), got.begin(), got.end());
        for (;;) {
            protocol::ByteCursor c(raw);
            auto h = protocol::get_frame_header(c);
            if (!h || !c.has(h->len)) break;
            auto payload = c.take(h->len);
            if (h->code == protocol::MsgCode::data)
                data.insert(data.end(), payload.begin(), payload.end());
            raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(c.position()));
        }
        for (;;) {
            protocol::ByteCursor c(data);
            protocol::NdxState at = ndx;
            auto rec = protocol::get_item_record(c, at);
            if (!rec) break;
            if (rec->ndx >= 0 && (rec->iflags & protocol::k_item_transfer)) {
                auto head = protocol::get_sum_head(c, 16);
                if (!head || !c.has(static_cast<size_t>(protocol::block_sums_size(*head)))) break;
                c.take(static_cast<size_t>(protocol::block_sums_size(*head)));
                requests++;
            } else if (rec->ndx == protocol::k_ndx_del_stats) {
                bool whole = true;
                for (int i = 0; i < 5 && whole; ++i) whole = static_cast<bool>(protocol::get_varint(c));
                if (!whole) break;
            }
            if (rec->ndx == protocol::k_ndx_done) dones++;
            ndx = at;
            data.erase(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(c.position()));
        }
    }
};

engine::Task<void> watch_generator(transport::FdStream& s, GeneratorDones& gen) {
    std::vector<std::byte> buf(65536);
    for (;;) {
        auto r = co_await s.read_some(buf);
        if (!r || r.value() == 0) break;
        gen.take(std::span<const std::byte>(buf.data(), static_cast<size_t>(r.value())));
    }
    gen.ended = true;
}

engine::Task<void> feed_paced(engine::Engine& e, transport::FdStream& s,
                              std::vector<PacedPart> parts, const GeneratorDones& gen) {
    transport::BufferedWriter w(s);
    for (auto& part : parts) {
        for (int waited_ms = 0;
             (gen.dones < part.after_dones || gen.requests < part.after_requests) && !gen.ended &&
             waited_ms < 20000;
             ++waited_ms) {
            co_await e.sleep_ms(1);
        }
        ByteWriter framed;
        protocol::encode_frames(protocol::MsgCode::data, part.bytes, framed);
        co_await w.write(framed.bytes());
        co_await w.flush();
    }
    co_await s.close_write();
}

// Runs receive_files against a sender whose stream comes in parts, each written once the
// generator has sent the NDX_DONEs it answers.
Outcome run_paced(const ScratchDir& dir, std::vector<PacedPart> parts,
                  cli::Options options = archive_options(),
                  const std::vector<std::string>* source_args = nullptr) {
    ::signal(SIGPIPE, SIG_IGN);
    Outcome out;
    engine::Engine e;
    auto [ours, theirs] = transport::make_socketpair_streams(e);
    GeneratorDones gen;
    e.spawn(feed_paced(e, theirs, std::move(parts), gen));
    e.spawn(watch_generator(theirs, gen));
    e.run(run_receiver(e, ours, dir / "dest/", out, std::move(options), params_p31(), false,
                       source_args));
    return out;
}

// Runs receive_files against `stream` (the sender's bytes, framed here) into dir/dest.
Outcome run_hostile(const ScratchDir& dir, std::vector<std::byte> stream, bool close_after = true,
                    cli::Options options = archive_options(),
                    session::SessionParams params = params_p31(), bool as_server = false,
                    const std::vector<std::string>* source_args = nullptr) {
    ::signal(SIGPIPE, SIG_IGN);
    Outcome out;
    engine::Engine e;
    auto [ours, theirs] = transport::make_socketpair_streams(e);
    e.spawn(feed(theirs, std::move(stream), close_after));
    e.spawn(drain(theirs));
    e.run(run_receiver(e, ours, dir / "dest/", out, std::move(options), params, as_server,
                       source_args));
    return out;
}

// A file list with nothing to transfer, then a server sender's end of the run: its NDX_DONE
// for each of phases 0-2 (after the generator's), statistics, the echo of the last phase end.
std::vector<PacedPart> honest_end(std::vector<std::byte> flist) {
    std::vector<PacedPart> parts{{std::move(flist), 0}};
    protocol::NdxState ndx;
    for (int i = 0; i < 3; ++i) {
        ByteWriter w;
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        if (i == 2) {
            for (int k = 0; k < 5; ++k) protocol::put_varlong(w, 0, 3);
        }
        parts.push_back({w.take(), i + 1});
    }
    ByteWriter w;
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 4});
    return parts;
}

class RecvHostile : public ::testing::Test {
protected:
    void SetUp() override { sh("mkdir -p '" + dir / "outside" + "'"); }
    void TearDown() override {
        EXPECT_EQ(tree_listing(dir / "outside", false), ". 0040755 0:0 links=0 size=0 mtime=-\n")
            << "something was written outside the destination";
        EXPECT_TRUE(temp_leftovers(dir.path()).empty());
    }
    ScratchDir dir;
};

TEST_F(RecvHostile, DotDotNameIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("../outside/evil", 0100644, 4)});
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::unsupported));
}

TEST_F(RecvHostile, AbsoluteNameIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry(dir / "outside/evil", 0100644, 4)});
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::unsupported));
}

TEST_F(RecvHostile, FileBeneathAReceivedSymlinkIsNotWrittenThroughIt) {
    // "d" is a symlink to the outside directory, then a file "d/passwd" is offered.
    ByteWriter w;
    auto link = entry("d", 0120777, static_cast<int64_t>((dir / "outside").size()));
    link.symlink_target = dir / "outside";
    put_flist(w, {entry(".", 040755), link, entry("d/passwd", 0100644, 5)});
    protocol::NdxState ndx;
    // Answer the generator's request for d/passwd (index 2) with an echo and the data.
    protocol::put_ndx(w, ndx, 2);
    protocol::put_shortint(w, 0xa000);
    for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
    protocol::put_int(w, 5);
    w.put(std::string_view("evil\n"));
    protocol::put_int(w, 0);
    auto sum = protocol::file_sum(protocol::ChecksumAlgo::md5, protocol::as_bytes("evil\n"));
    w.put(sum.view());
    auto r = run_hostile(dir, w.take());
    // rsync's generator: "ABORTING due to invalid path from sender: d/passwd", exit 2; the list
    // is refused as it arrives, before anything (the symlink either) is made.
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
    struct stat st {};
    EXPECT_NE(::stat((dir / "outside/passwd").c_str(), &st), 0);
    EXPECT_NE(::lstat((dir / "dest/d").c_str(), &st), 0);
}

// Without incremental recursion an entry's directory must be listed, as a directory.
TEST_F(RecvHostile, FileBeneathAnUnlistedDirectoryIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("x/y", 0100644, 1)});
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
}

// Without incremental recursion, stray zeros after the list read as NDX_DONEs would end every
// phase and the goodbye before the generator ended its own, the requested file never sent:
// an NDX_DONE the generator has not sent one for is refused (rsync's generator, left waiting,
// exits 12), whether the connection then closes or stays open.
TEST_F(RecvHostile, NdxDoneBeforeTheGeneratorsIsRefused) {
    for (const bool close_after : {true, false}) {
        SCOPED_TRACE(close_after ? "connection closed" : "connection held open");
        ByteWriter w;
        put_flist(w, {entry(".", 040755), entry("a", 0100644, 1)});
        protocol::NdxState ndx;
        for (int i = 0; i < 6; ++i) protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        auto r = run_hostile(dir, w.take(), close_after, archive_options(), params_p31(), true);
        EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
        struct stat st {};
        EXPECT_NE(::stat((dir / "dest/a").c_str(), &st), 0);
    }
}

// A first entry as the hostile-client suite's garbage seed 11 begins: unknown flag bits, a
// name prefix longer than the (empty) previous name, so an empty name, and XMIT_SAME_MODE
// (the initial mode 0). rsync reads it without complaint and refuses the next entry's name
// length (overflow, 22); so must we, not refuse the first (12).
TEST_F(RecvHostile, OddFirstEntryIsReadAsRsyncReadsIt) {
    cli::Options o;
    o.recursive = o.links = o.perms = o.times = true;
    ByteWriter w;
    protocol::put_varint(w, static_cast<int32_t>((1u << 20) | (1u << 15) | protocol::k_xmit_same_mode |
                                                 protocol::k_xmit_same_name |
                                                 protocol::k_xmit_same_time));
    protocol::put_byte(w, 9);  // l1
    protocol::put_byte(w, 1);  // l2
    w.put(std::string_view("z"));
    protocol::put_varlong(w, 0, 3);  // size
    protocol::put_varint(w, static_cast<int32_t>(protocol::k_xmit_long_name));
    protocol::put_varint(w, static_cast<int32_t>(protocol::k_name_len_max + 1));
    auto r = run_hostile(dir, w.take(), true, o);
    EXPECT_EQ(r.code, to_int(ExitCode::malloc));
}

TEST_F(RecvHostile, OutOfRangeIndexIsAProtocolError) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 1)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 99);
    protocol::put_shortint(w, 0xa000);
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
}

TEST_F(RecvHostile, TransferOfADirectoryIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("sub", 040755)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
}

TEST_F(RecvHostile, SumHeadPointingAtAMissingBasisIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 3500)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    protocol::put_int(w, 5);    // count: but we have no basis at all
    protocol::put_int(w, 700);  // blength
    protocol::put_int(w, 2);    // s2length
    protocol::put_int(w, 0);    // remainder
    protocol::put_int(w, -1);   // token: block 0
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
    struct stat st {};
    EXPECT_NE(::stat((dir / "dest/a").c_str(), &st), 0);
}

TEST_F(RecvHostile, OversizedStrongSumLengthIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 3)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    protocol::put_int(w, 0);
    protocol::put_int(w, 0);
    protocol::put_int(w, 64);  // s2length beyond the md5 digest
    protocol::put_int(w, 0);
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
}

TEST_F(RecvHostile, TruncatedFileDataLeavesNoTempFile) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 100000)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
    protocol::put_int(w, 100000);
    w.put(std::string(5000, 'x'));  // ... and the stream ends
    auto r = run_hostile(dir, w.take());
    EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
    struct stat st {};
    EXPECT_NE(::stat((dir / "dest/a").c_str(), &st), 0);
}

TEST_F(RecvHostile, TruncatedSmallFileWithPartialKeepsWhatArrived) {
    // A small file is gathered in memory (recv_batch.h): --partial still keeps what arrived.
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 100000)});
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
    protocol::put_int(w, 5000);
    w.put(std::string(5000, 'x'));  // ... and the stream ends
    cli::Options o = archive_options();
    o.partial = true;
    auto r = run_hostile(dir, w.take(), true, o);
    EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
    EXPECT_EQ(read_file(dir / "dest/a"), std::string(5000, 'x'));
}

// One whole-file transfer of `data` for index 1 (literal tokens of at most 32 KiB) with the
// digest `sum`, or with the right MD5 digest when `sum` is empty.
void put_whole_file(ByteWriter& w, protocol::NdxState& ndx, const std::string& data,
                    std::string sum = {}) {
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, 0xa000);
    for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
    for (size_t at = 0; at < data.size(); at += 32768) {
        const std::string piece = data.substr(at, 32768);
        protocol::put_int(w, static_cast<int32_t>(piece.size()));
        w.put(std::string_view(piece));
    }
    protocol::put_int(w, 0);
    if (sum.empty()) {
        w.put(protocol::file_sum(protocol::ChecksumAlgo::md5, protocol::as_bytes(data)).view());
    } else {
        w.put(std::string_view(sum));
    }
}

// The end of a run whose only transfer was in phase 0: the sender's NDX_DONEs, statistics and
// the echo of the last phase end, each after the generator's.
void put_paced_end(std::vector<PacedPart>& parts, ByteWriter& w, protocol::NdxState& ndx) {
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 1});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 2});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    for (int i = 0; i < 5; ++i) protocol::put_varlong(w, 0, 3);
    parts.push_back({w.take(), 3});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 4});
}

TEST_F(RecvHostile, FileListedSmallButSentBigSpillsIntoATempFile) {
    // Listed at 4 bytes (gathered in memory), sent at 600 KiB (a file that grew, or a sender
    // that lies): past the in-memory limit it goes on into a temp file, and arrives whole.
    std::string data(600 * 1024, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 23);
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 4)});
    protocol::NdxState ndx;
    std::vector<PacedPart> parts;
    put_whole_file(w, ndx, data);
    parts.push_back({w.take(), 0});
    w.clear();
    put_paced_end(parts, w, ndx);
    auto r = run_paced(dir, std::move(parts));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(read_file(dir / "dest/a"), data);
}

TEST_F(RecvHostile, ManySmallFilesArriveWholeThroughBatches) {
    // More files than one batch holds, some in a subdirectory: every one in place, with its
    // mode and mtime (set by the batch job on the fd), exit 0.
    // In rsync's sorted order: the top's files, then the subdirectory and its files.
    std::vector<FileEntry> entries{entry(".", 040755)};
    constexpr int k_files = 75;
    for (int i = 0; i < k_files; ++i)
        entries.push_back(entry("f" + std::to_string(1000 + i), i % 3 ? 0100640 : 0100755, 10));
    entries.push_back(entry("sub", 040700));
    for (int i = 0; i < k_files; ++i)
        entries.push_back(entry("sub/f" + std::to_string(1000 + i), i % 3 ? 0100755 : 0100600, 10));
    ByteWriter w;
    put_flist(w, entries);
    protocol::NdxState ndx;
    std::vector<PacedPart> parts;
    parts.push_back({w.take(), 0});
    w.clear();
    int requested = 0;
    for (size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].is_dir()) continue;
        protocol::put_ndx(w, ndx, static_cast<int32_t>(i));
        protocol::put_shortint(w, 0xa000);
        for (int k = 0; k < 4; ++k) protocol::put_int(w, 0);
        const std::string body = "0123456789";
        protocol::put_int(w, 10);
        w.put(std::string_view(body));
        protocol::put_int(w, 0);
        w.put(protocol::file_sum(protocol::ChecksumAlgo::md5, protocol::as_bytes(body)).view());
        // Sent once asked for, as a real sender sends a file (the generator makes "sub" first).
        parts.push_back({w.take(), 0, ++requested});
        w.clear();
    }
    w.clear();
    put_paced_end(parts, w, ndx);
    auto r = run_paced(dir, std::move(parts));
    EXPECT_EQ(r.code, 0);
    for (size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].is_dir()) continue;
        const std::string path = dir / ("dest/" + entries[i].name);
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
        EXPECT_EQ(st.st_mode, entries[i].mode) << path;
        EXPECT_EQ(st.st_mtime, entries[i].mtime_sec) << path;
        EXPECT_EQ(read_file(path), "0123456789");
    }
}

TEST_F(RecvHostile, BadChecksumTwiceWithPartialKeepsTheFile) {
    // --partial keeps a file that failed verification (rsync's "update retained"), exit 23.
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 4)});
    protocol::NdxState ndx;
    std::vector<PacedPart> parts;
    for (int pass = 0; pass < 2; ++pass) {
        put_whole_file(w, ndx, "data", std::string(16, '\0'));
        parts.push_back({w.take(), pass});
        w.clear();
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    }
    parts.push_back({w.take(), 2});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    for (int i = 0; i < 5; ++i) protocol::put_varlong(w, 0, 3);
    parts.push_back({w.take(), 3});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 4});
    cli::Options o = archive_options();
    o.partial = true;
    auto r = run_paced(dir, std::move(parts), o);
    EXPECT_EQ(r.code, to_int(ExitCode::partial));
    EXPECT_EQ(read_file(dir / "dest/a"), "data");
}

TEST_F(RecvHostile, BadChecksumTwiceIsAFailedVerification) {
    // Both the first transfer and the redo carry a wrong digest: exit 23, no file.
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 4)});
    protocol::NdxState ndx;
    std::vector<PacedPart> parts;
    for (int pass = 0; pass < 2; ++pass) {
        protocol::put_ndx(w, ndx, 1);
        protocol::put_shortint(w, 0xa000);
        for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
        protocol::put_int(w, 4);
        w.put(std::string_view("data"));
        protocol::put_int(w, 0);
        w.put(std::string(16, '\0'));
        parts.push_back({w.take(), pass});
        w.clear();
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);  // end of phase 0, then of phase 1
    }
    parts.push_back({w.take(), 2});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);  // end of phase 2
    for (int i = 0; i < 5; ++i) protocol::put_varlong(w, 0, 3);  // a server sender's statistics
    parts.push_back({w.take(), 3});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);  // the echo of our last phase end
    parts.push_back({w.take(), 4});
    auto r = run_paced(dir, std::move(parts));
    EXPECT_EQ(r.code, to_int(ExitCode::partial));
    struct stat st {};
    EXPECT_NE(::stat((dir / "dest/a").c_str(), &st), 0);
}

TEST_F(RecvHostile, OneBadChecksumIsRedoneAndSucceeds) {
    // A corrupted first transfer is asked for again in phase 1; the good copy is kept, exit 0.
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("a", 0100644, 4)});
    protocol::NdxState ndx;
    std::vector<PacedPart> parts;
    for (int pass = 0; pass < 2; ++pass) {
        protocol::put_ndx(w, ndx, 1);
        protocol::put_shortint(w, 0xa000);
        for (int i = 0; i < 4; ++i) protocol::put_int(w, 0);
        protocol::put_int(w, 4);
        w.put(std::string_view("data"));
        protocol::put_int(w, 0);
        if (pass == 0) {
            w.put(std::string(16, '\0'));
        } else {
            w.put(protocol::file_sum(protocol::ChecksumAlgo::md5, protocol::as_bytes("data")).view());
        }
        parts.push_back({w.take(), pass});
        w.clear();
        protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    }
    parts.push_back({w.take(), 2});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    for (int i = 0; i < 5; ++i) protocol::put_varlong(w, 0, 3);
    parts.push_back({w.take(), 3});
    w.clear();
    protocol::put_ndx(w, ndx, protocol::k_ndx_done);
    parts.push_back({w.take(), 4});
    auto r = run_paced(dir, std::move(parts));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(read_file(dir / "dest/a"), "data");
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

cli::Options xattr_options() {
    cli::Options o = archive_options();
    o.xattrs = 1;
    return o;
}

// -X: a list reference to a list never sent ends the run as rsync's receive_xattr does.
TEST_F(RecvHostile, XattrReferenceBeyondTheListsSentIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("f", 0100644, 0)}, [](ByteWriter& out, size_t i) {
        if (i == 0) protocol::encode_xattr_literal(out, {});
        else protocol::encode_xattr_ref(out, 5);
    });
    auto r = run_hostile(dir, w.take(), true, xattr_options());
    EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
}

// -X: an answer for a value that was not abbreviated is a protocol error, and the file it was
// for is not created.
TEST_F(RecvHostile, XattrAnswerForAShortValueIsRefused) {
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry("f", 0100644, 0)}, [](ByteWriter& out, size_t i) {
        if (i == 0) protocol::encode_xattr_literal(out, {});
        else protocol::encode_xattr_literal(out, protocol::make_xattr_list({{"user.a", "v"}}));
    });
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, 1);
    protocol::put_shortint(w, static_cast<uint16_t>(k_item_transfer | k_item_report_xattr));
    const std::vector<protocol::XattrValue> values = {{1, "evil"}};
    protocol::encode_xattr_answer(w, values);
    auto r = run_hostile(dir, w.take(), true, xattr_options());
    EXPECT_EQ(r.code, to_int(ExitCode::protocol));
    EXPECT_FALSE(std::filesystem::exists(dir / "dest/f"));
}

// A client (the sender) that ends every phase without ever ending its incremental file list
// (an empty first segment, NDX_DONEs, no NDX_FLIST_EOF): the receiver reads its phases out and
// the generator still waits for the list. rsync exits 12; ursync's engine once aborted here.
// As a server (the client is the sender) the receiver's last read is the goodbye, so the
// connection may stay open.
TEST_F(RecvHostile, PhasesEndedBeforeTheListEndsIsAProtocolError) {
    const std::vector<std::vector<FileEntry>> first_segments = {
        {}, {entry(".", 040755), entry("a", 0100644, 1)}};
    for (const auto& first : first_segments) for (const bool close_after : {true, false}) {
        SCOPED_TRACE(close_after ? "connection closed" : "connection held open");
        SCOPED_TRACE(std::to_string(first.size()) + " entries in the first segment");
        auto params = params_p31();
        params.inc_recurse = true;
        auto fo = flist_options_for(archive_options(), params);
        ByteWriter w;
        protocol::FlistCodecState st;
        protocol::SegmentContext sc{0, {}};
        for (const auto& e : first) ASSERT_TRUE(protocol::encode_entry(w, st, fo, e, sc));
        protocol::encode_end_of_list(w, fo, 0);
        protocol::NdxState ndx;
        for (int i = 0; i < 5; ++i) protocol::put_ndx(w, ndx, protocol::k_ndx_done);
        auto r = run_hostile(dir, w.take(), close_after, archive_options(), params, true);
        EXPECT_EQ(r.code, to_int(ExitCode::stream_io));
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

// A pulling client asked for src/sub; the sender lists .ssh/authorized_keys beside it
// (CVE-2022-29154): rsync refuses the name ("rejecting unrequested file-list name"), exit 4,
// before anything is written.
TEST_F(RecvHostile, UnrequestedTopLevelNameIsRefused) {
    const std::vector<std::string> args = {"src/sub"};
    ByteWriter w;
    put_flist(w, {entry("sub", 040755), entry("sub/a", 0100644, 1), entry(".ssh", 040700),
                  entry(".ssh/authorized_keys", 0100600, 4)});
    auto r = run_hostile(dir, w.take(), true, archive_options(), params_p31(), false, &args);
    EXPECT_EQ(r.code, to_int(ExitCode::unsupported));
    EXPECT_FALSE(std::filesystem::exists(dir / "dest"));
}

// The same kind of list to a client that gave --trust-sender is taken (the session then ends
// as an honest one does, with nothing to transfer) and .ssh is made: the check is what
// stopped it above.
TEST_F(RecvHostile, TrustSenderLetsTheUnrequestedNameThrough) {
    const std::vector<std::string> args = {"src/sub"};
    ByteWriter w;
    put_flist(w, {entry("sub", 040755), entry(".ssh", 040700)});
    auto o = archive_options();
    o.trust_sender = true;
    auto r = run_paced(dir, honest_end(w.take()), o, &args);
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(std::filesystem::exists(dir / "dest/.ssh"));
}

// A name the client's own rules excluded (the sender should never have listed it).
TEST_F(RecvHostile, ExcludedNameIsRefused) {
    const std::vector<std::string> args = {"src/"};
    ByteWriter w;
    put_flist(w, {entry(".", 040755), entry(".ssh", 040700), entry("a", 0100644, 1)});
    auto o = archive_options();
    o.filter_rules = {"- .ssh"};
    auto r = run_hostile(dir, w.take(), true, o, params_p31(), false, &args);
    EXPECT_EQ(r.code, to_int(ExitCode::unsupported));
    EXPECT_FALSE(std::filesystem::exists(dir / "dest"));
}

// -R with incremental recursion: the client asked for src/sub; "src" is only its implied
// parent. A segment for "src" (an honest sender never sends one) brings src/.ssh: refused.
TEST_F(RecvHostile, UnrequestedNameInAnIncrementalSegmentIsRefused) {
    const std::vector<std::string> args = {"src/sub"};
    auto o = archive_options();
    o.relative = true;
    o.dirs = true;
    auto params = params_p31();
    params.inc_recurse = true;
    auto fo = flist_options_for(o, params);
    ByteWriter w;
    protocol::FlistCodecState st;
    std::vector<FileEntry> first = {entry("src", 040755), entry("src/sub", 040755)};
    first[0].top_dir = first[0].no_content_dir = true;
    first[1].top_dir = true;
    {
        protocol::SegmentContext sc{1, {}};
        for (const auto& e : first) ASSERT_TRUE(protocol::encode_entry(w, st, fo, e, sc));
        protocol::encode_end_of_list(w, fo, 0);
    }
    protocol::NdxState ndx;
    protocol::put_ndx(w, ndx, protocol::segment_ndx(0));  // the segment of "src"
    {
        protocol::SegmentContext sc{4, {}};
        ASSERT_TRUE(protocol::encode_entry(w, st, fo, entry("src/.ssh", 040700), sc));
        protocol::encode_end_of_list(w, fo, 0);
    }
    auto r = run_hostile(dir, w.take(), true, o, params, false, &args);
    EXPECT_EQ(r.code, to_int(ExitCode::unsupported));
    EXPECT_FALSE(std::filesystem::exists(dir / "dest/src/.ssh"));
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

// -R --delete: the client asked for src/sub, so "src" is only its implied parent. A sender
// that flags "src" as a directory whose contents it sends must not get src/keep deleted: the
// entry is taken as an implied directory (rsync 3.5.0's downgrade in recv_file_entry).
// With --trust-sender the flags are believed and keep goes, which shows the test can tell.
TEST_F(RecvHostile, ImpliedParentFlaggedAsContentIsNotSwept) {
    const std::vector<std::string> args = {"src/sub"};
    for (const bool trust : {false, true}) {
        SCOPED_TRACE(trust ? "--trust-sender" : "checked");
        sh("rm -rf '" + dir / "dest" + "'; mkdir -p '" + dir / "dest/src/sub" + "'");
        write_file(dir / "dest/src/keep", "keep\n");
        auto o = archive_options();
        o.relative = true;
        o.dirs = true;
        o.delete_mode = cli::DeleteMode::during;
        o.trust_sender = trust;
        std::vector<FileEntry> list = {entry("src", 040755), entry("src/sub", 040755)};
        list[0].top_dir = true;  // and no XMIT_NO_CONTENT_DIR: "send its contents"
        list[1].top_dir = true;
        ByteWriter w;
        protocol::FlistCodecState st;
        auto fo = flist_options_for(o, params_p31());
        protocol::SegmentContext sc{0, {}};
        for (const auto& e : list) ASSERT_TRUE(protocol::encode_entry(w, st, fo, e, sc));
        protocol::encode_end_of_list(w, fo, 0);
        if (protocol::id_lists_present(fo)) {
            ASSERT_TRUE(protocol::encode_id_lists(w, fo, st, "root", "root"));
        }
        auto r = run_paced(dir, honest_end(w.take()), o, &args);
        EXPECT_EQ(r.code, 0);
        EXPECT_EQ(std::filesystem::exists(dir / "dest/src/keep"), !trust);
    }
}

}  // namespace
}  // namespace ursync::roles::testing
