// Pushes from a stock rsync client to our receiving side (a test `--server` built around
// roles::receive_files): same tree, same client output, same exit code as a stock server.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "receiving_test_util.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles::testing {
namespace {

struct PushResult {
    int code = -1;
    std::string out, err;
};

PushResult push(const std::vector<std::string>& args, const std::string& src,
                const std::string& dest, bool ours) {
    std::string cmd = "rsync";
    for (const auto& a : tests::with_checksum_seed(args)) cmd += " '" + a + "'";
    cmd += " -e '" + pipe_rsh() + "'";
    if (ours) cmd += " --rsync-path='" + std::string(URSYNC_RECEIVING_SERVER) + "'";
    cmd += " '" + src + "' 'localhost:" + dest + "'";
    ScratchDir cap;
    PushResult r;
    r.code = sh(cmd + " >'" + cap / "out" + "' 2>'" + cap / "err" + "'");
    r.out = read_file(cap / "out");
    r.err = read_file(cap / "err");
    return r;
}

std::string sorted_lines(std::string text, const std::string& dest) {
    for (size_t at; (at = text.find(dest)) != std::string::npos;) text.replace(at, dest.size(), "DEST");
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        // Timing and speed lines of the summary differ from run to run.
        // (Byte counts depend on how each side frames its stream; the harness allows for it.)
        if (line.rfind("sent ", 0) == 0 || line.rfind("total size", 0) == 0 ||
            line.rfind("Total bytes", 0) == 0 || line.find(" time: ") != std::string::npos)
            continue;
        lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

class RecvPush : public ::testing::Test {
protected:
    void SetUp() override {
        if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync is not installed";
        const std::string src = dir / "src";
        sh("mkdir -p '" + src + "/sub/deeper' '" + src + "/emptydir'");
        write_file(src + "/a.txt", "hello world\n");
        write_file(src + "/b.txt", "second file contents\n", 1704164000, 5);
        ::symlink("a.txt", (src + "/link").c_str());
    sh("touch -h -d @1600000000.25 '" + src + "/link'");
        write_file(src + "/sub/c.txt", "nested\n");
        std::string big;
        for (int i = 0; i < 30000; ++i) big += "row " + std::to_string(i) + "\n";
        write_file(src + "/sub/deeper/big", big);
        sh("touch -d @1700000000 '" + src + "/sub/deeper' '" + src + "/sub' '" + src +
           "/emptydir' '" + src + "'");
    }

    // The same push to a stock server and to ours, from the same starting state (and with the same
// checksum seed: push() pins it).
    void expect_same(const std::vector<std::string>& args, const std::string& prepare = "") {
        const std::string ours = dir / "ours", theirs = dir / "theirs";
        if (!prepare.empty()) {
            // One starting state, copied (times included) to both destinations.
            const std::string start = dir / "start";
            sh("rm -rf '" + start + "'");
            sh(prepare + " '" + start + "'");
            sh("rm -rf '" + ours + "' '" + theirs + "'");
            sh("cp -a '" + start + "' '" + ours + "' && cp -a '" + start + "' '" + theirs + "'");
        }
        auto want = push(args, dir / "src/", theirs + "/", false);
        auto got = push(args, dir / "src/", ours + "/", true);
        EXPECT_EQ(got.code, want.code) << got.err;
        EXPECT_EQ(tree_listing(ours, dir_times), tree_listing(theirs, dir_times));
        EXPECT_TRUE(temp_leftovers(ours).empty());
        EXPECT_EQ(sorted_lines(got.out, ours), sorted_lines(want.out, theirs));
        last_want = want;
        last_got = got;
    }
    ScratchDir dir;
    PushResult last_want, last_got;  // the last expect_same's runs: stock's server, ours
    bool dir_times = true;  // -b implies --omit-dir-times: directory times are "now" then
};

TEST_F(RecvPush, ArchiveNewTree) { expect_same({"-ai"}); }
TEST_F(RecvPush, ArchiveNoIncRecursive) { expect_same({"-ai", "--no-inc-recursive"}); }
TEST_F(RecvPush, Protocol30) { expect_same({"-ai", "--protocol=30"}); }

TEST_F(RecvPush, UpdatesAndDelta) {
    expect_same({"-ai", "--no-W"},
                "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
                "printf ZZ | dd of=\"$d/sub/deeper/big\" bs=1 seek=7000 conv=notrunc 2>/dev/null; "
                "touch -d @1600000000 \"$d/sub/deeper/big\"; chmod 600 \"$d/b.txt\"'");
}

TEST_F(RecvPush, DeleteSendsMsgDeleted) {
    const std::string prep =
        "sh -c 'd=$0; rm -rf \"$d\"; mkdir -p \"$d/olddir/x\" \"$d/sub\"; echo 1 >\"$d/stale\"; "
        "echo 2 >\"$d/olddir/x/f\"; echo 3 >\"$d/sub/gone\"; ln -s nowhere \"$d/deadlink\"'";
    expect_same({"-ai", "--delete", "--stats"}, prep);
    expect_same({"-ai", "--delete", "--no-inc-recursive"}, prep);
    expect_same({"-ain", "--delete", "--no-inc-recursive"}, prep);
}

TEST_F(RecvPush, DeleteDelayAndAfter) {
    const std::string prep =
        "sh -c 'd=$0; rm -rf \"$d\"; mkdir -p \"$d/olddir\"; echo 1 >\"$d/stale\"; "
        "echo 2 >\"$d/olddir/f\"'";
    expect_same({"-av", "--delete-delay"}, prep);
    expect_same({"-av", "--delete-after"}, prep);
    expect_same({"-av", "--delete-before"}, prep);
}

TEST_F(RecvPush, ZstdAndChecksum) {
    expect_same({"-aiz", "--compress-choice=zstd"});
    expect_same({"-aic"}, "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; "
                          "printf \"hello World\\n\" >\"$d/a.txt\"; touch -r " + dir / "src/a.txt" +
                          " \"$d/a.txt\"'");
}

TEST_F(RecvPush, HardLinksAndSpecials) {
    const std::string src = dir / "src";
    sh("cd '" + src + "' && ln a.txt sub/a-again && ln a.txt a-third && mkfifo fifo");
    if (::geteuid() == 0) sh("mknod '" + src + "/null' c 1 3 && touch -d @1650000000 '" + src + "/null'");
    sh("cd '" + src + "' && touch -d @1700000000 fifo . sub");
    expect_same({"-aiH"});
    expect_same({"-aiH", "--no-inc-recursive"});
}

TEST_F(RecvPush, MaxDeleteStopsWithCode25) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo 1 >\"$d/x1\"; echo 2 >\"$d/x2\"; "
        "echo 3 >\"$d/x3\"'";
    expect_same({"-ai", "--delete", "--max-delete=1"}, prep);
}

TEST_F(RecvPush, DelayUpdates) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "echo x >\"$d/stale\"; rm -r \"$d/sub/deeper\"'";
    expect_same({"-ai", "--delay-updates"}, prep);
    expect_same({"-ai", "--delay-updates", "--delete"}, prep);
    expect_same({"-ai", "--delay-updates", "--delete-after"}, prep);
}

TEST_F(RecvPush, Backups) {
    dir_times = false;
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "echo changed >\"$d/sub/c.txt\"; echo x >\"$d/stale\"; echo y >\"$d/old~\"'";
    expect_same({"-ai", "-b"}, prep);
    expect_same({"-ai", "-b", "--delete"}, prep);
    expect_same({"-ai", "-b", "--suffix=.bak", "--delete"}, prep);
    expect_same({"-ai", "--backup-dir=saved", "--delete"}, prep);
}

TEST_F(RecvPush, InplaceAndPartial) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; "
        "printf ZZ | dd of=\"$d/sub/deeper/big\" bs=1 seek=7000 conv=notrunc 2>/dev/null; "
        "touch -d @1600000000 \"$d/sub/deeper/big\"'";
    expect_same({"-ai", "--inplace", "--no-W"}, prep);
    expect_same({"-ai", "--partial"}, prep);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPush, TheChecksumSeedReachesOurServer) {
    // The stock client passes --checksum-seed to our receiving server, which sends it in the
    // handshake and makes its block sums with it: with tests::k_false_match_seed the stock
    // sender finds the false block match in d.bin and sends the file again in phase 1, as to a
    // stock server.
    const std::string big = dir / "src/sub/deeper/big";
    write_file(big, tests::false_match_file());
    expect_same({"-ai", "--checksum-seed=" + std::to_string(tests::k_false_match_seed)},
                "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; head -c " +
                    std::to_string(tests::k_false_match_basis_len) + " " + big +
                    " >\"$d/sub/deeper/big\"; touch -d @1600000000 \"$d/sub/deeper/big\"'");
    EXPECT_EQ(tests::count_of(last_want.out, "<f.st...... sub/deeper/big\n"), 2U) << last_want.out;
    EXPECT_EQ(tests::count_of(last_want.err, "big failed verification"), 1U) << last_want.err;
    EXPECT_EQ(tests::count_of(last_got.err, "big failed verification"), 1U) << last_got.err;
}

}  // namespace
}  // namespace ursync::roles::testing
