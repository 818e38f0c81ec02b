// The sending side against a real stock `rsync --server` receiver: trees, deltas, output.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sending_util.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles::testing {
namespace {

// Directory times are set last (creating entries changes them), and away from "now": a time
// of the current second is not reliably kept by a stock receiver either.
void settle_dir_times(const std::string& src) {
    int64_t t = 1700000000;
    for (const char* d : {"/sub/deeper/deepest", "/sub/deeper", "/sub", "/empty", "/private", ""})
        set_mtime(src + d, t += 1000, 999999999);
}

// A tree with the cases a transfer must get right.
void make_source(const std::string& src) {
    make_dir(src);
    make_dir(src + "/sub");
    make_dir(src + "/sub/deeper");
    make_dir(src + "/sub/deeper/deepest");
    make_dir(src + "/empty");
    make_dir(src + "/private", 0700);
    write_file(src + "/a.txt", "hello world\n");
    write_file(src + "/b.txt", "second file contents\n");
    write_file(src + "/sub/c.txt", "nested\n");
    write_file(src + "/sub/deeper/d.bin", random_bytes(70000, 1));
    write_file(src + "/sub/deeper/deepest/e", "");
    write_file(src + "/private/secret", "s3cret");
    write_file(src + "/with space.txt", "spaces");
    write_file(src + "/big.bin", random_bytes(300000, 2));
    write_file(src + "/run.sh", "#!/bin/sh\n");
    ::chmod((src + "/run.sh").c_str(), 0755);
    ::chmod((src + "/private/secret").c_str(), 0600);
    ::symlink("a.txt", (src + "/link").c_str());
    ::symlink("../a.txt", (src + "/sub/uplink").c_str());
    for (int i = 0; i < 30; ++i)
        write_file(src + "/sub/many" + std::to_string(i), std::to_string(i));
    set_mtime(src + "/a.txt", 1704164645, 123456789);
    set_mtime(src + "/big.bin", 1704164000, 0);
    set_mtime(src + "/link", 1704160000, 5, true);
    set_mtime(src + "/sub/uplink", 1704160001, 0, true);
    set_mtime(src + "/sub/deeper/deepest/e", 1704160002, 0);
    settle_dir_times(src);
}

// The lines only one of two snapshots has ("" when they are equal).
std::string tree_diff(const std::vector<std::string>& ours, const std::vector<std::string>& ref) {
    std::string out;
    for (const auto& l : ours)
        if (std::find(ref.begin(), ref.end(), l) == ref.end()) out += "ours:  " + l + "\n";
    for (const auto& l : ref)
        if (std::find(ours.begin(), ours.end(), l) == ours.end()) out += "stock: " + l + "\n";
    return out;
}

// The same push done by stock rsync (client and server), for reference; the checksum seed
// pinned as push_to_stock pins it.
int stock_push(const std::vector<std::string>& args, const std::string& src, const std::string& dst,
               std::string* out = nullptr) {
    std::string cmd = "rsync";
    for (const auto& a : tests::with_checksum_seed(args)) cmd += " " + shell_quote(a);
    cmd += " -e " + shell_quote(pipe_rsh()) + " " + shell_quote(src) + " " +
           shell_quote("localhost:" + dst + "/") + " 2>&1";
    return run_shell(cmd, out);
}

class SendPush : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync not installed";
        make_source(tmp / "src");
    }
    TempDir tmp;
};

TEST_F(SendPush, ArchiveMatchesStockAcrossProtocolsAndRecursionModes) {
    for (const char* proto : {"32", "31", "30"}) {
        for (bool inc : {true, false}) {
            std::vector<std::string> args{"-a", std::string("--protocol=") + proto};
            if (!inc) args.push_back("--no-inc-recursive");
            const std::string tag = std::string(proto) + (inc ? "i" : "n");
            const std::string dst = tmp / ("dst" + tag), ref = tmp / ("ref" + tag);
            make_dir(dst);
            make_dir(ref);
            auto r = push_to_stock(args, {tmp / "src/"}, dst);
            EXPECT_EQ(r.server_status, 0) << tag << "\n" << r.stderr_text;
            EXPECT_EQ(r.state.final_code(), 0) << tag << "\n" << r.stderr_text;
            ASSERT_EQ(stock_push(args, tmp / "src/", ref), 0);
            EXPECT_EQ(tree_diff(snapshot(dst), snapshot(ref)), "") << tag;
            EXPECT_EQ(r.stats.num_files.total, 47) << tag;
            EXPECT_EQ(r.stats.xferred_files, 39) << tag;
        }
    }
}

TEST_F(SendPush, SourceWithoutSlashAndSeveralSources) {
    const std::string dst = tmp / "dst", ref = tmp / "ref";
    make_dir(dst);
    make_dir(ref);
    write_file(tmp / "lone.txt", "lone");
    std::vector<std::string> srcs{tmp / "src", tmp / "lone.txt", tmp / "src/sub/"};
    auto r = push_to_stock({"-a"}, srcs, dst);
    EXPECT_EQ(r.server_status, 0) << r.stderr_text;
    std::string cmd = "rsync -a " + tests::checksum_seed_arg() + " -e " + shell_quote(pipe_rsh());
    for (const auto& s : srcs) cmd += " " + shell_quote(s);
    cmd += " " + shell_quote("localhost:" + ref + "/");
    ASSERT_EQ(run_shell(cmd), 0);
    EXPECT_EQ(tree_diff(snapshot(dst), snapshot(ref)), "");
}

TEST_F(SendPush, SingleFileFirstListHasOneEntry) {
    for (bool inc : {true, false}) {
        const std::string dst = tmp / (inc ? "d1" : "d2");
        make_dir(dst);
        std::vector<std::string> args{"-a"};
        if (!inc) args.push_back("--no-inc-recursive");
        auto r = push_to_stock(args, {tmp / "src/a.txt"}, dst);
        EXPECT_EQ(r.server_status, 0) << r.stderr_text;
        EXPECT_EQ(read_text(dst + "/a.txt"), "hello world\n");
        // A lone directory argument without a slash: also one entry in the first list.
        auto d = push_to_stock(args, {tmp / "src/sub"}, dst);
        EXPECT_EQ(d.server_status, 0) << d.stderr_text;
        EXPECT_EQ(read_text(dst + "/sub/c.txt"), "nested\n");
    }
}

TEST_F(SendPush, DeltaCountsEqualStocks) {
    // The receiver has an older version: the sender must find the same matches as stock.
    std::string old_big = random_bytes(2 * 1024 * 1024 + 777, 9);
    std::string new_big = old_big;
    new_big.replace(100000, 5000, random_bytes(5000, 10));  // changed in place
    new_big.insert(900000, random_bytes(1234, 11));         // bytes inserted
    new_big.erase(1500000, 4321);                           // bytes removed
    new_big += random_bytes(3000, 12);                      // appended
    write_file(tmp / "src/big.bin", new_big);
    std::string old_small = random_bytes(5000, 13);
    std::string new_small = old_small;
    new_small[2500] = static_cast<char>(new_small[2500] ^ 0x55);
    write_file(tmp / "src/b.txt", new_small);
    for (bool inc : {true, false}) {
        std::vector<std::string> args{"-a", "--no-W", "--stats", "--checksum-seed=4242"};
        if (!inc) args.push_back("--no-inc-recursive");
        const std::string dst = tmp / (inc ? "dst_i" : "dst_n"),
                          ref = tmp / (inc ? "ref_i" : "ref_n");
        for (const auto& d : {dst, ref}) {
            ASSERT_EQ(
                run_shell("rsync -a " + shell_quote(tmp / "src/") + " " + shell_quote(d + "/")), 0);
            write_file(d + "/big.bin", old_big);
            write_file(d + "/b.txt", old_small);
            set_mtime(d + "/big.bin", 1600000000, 0);
            set_mtime(d + "/b.txt", 1600000000, 0);
        }
        auto r = push_to_stock(args, {tmp / "src/"}, dst);
        EXPECT_EQ(r.server_status, 0) << r.stderr_text;
        std::string stock_out;
        ASSERT_EQ(stock_push(args, tmp / "src/", ref, &stock_out), 0) << stock_out;
        auto stock = parse_stats(stock_out);
        EXPECT_EQ(tree_diff(snapshot(dst), snapshot(ref)), "");
        EXPECT_EQ(r.stats.literal_data, stock["Literal data"]);
        EXPECT_EQ(r.stats.matched_data, stock["Matched data"]);
        EXPECT_GT(r.stats.matched_data, 2000000);
        EXPECT_EQ(r.stats.total_size, stock["Total file size"]);
        EXPECT_EQ(r.stats.xferred_files, stock["Number of regular files transferred"]);
    }
}

TEST_F(SendPush, HardLinksChecksumsAndCompression) {
    ::link((tmp / "src/a.txt").c_str(), (tmp / "src/sub/a-hard").c_str());
    ::link((tmp / "src/a.txt").c_str(), (tmp / "src/sub/deeper/a-hard2").c_str());
    ::link((tmp / "src/b.txt").c_str(), (tmp / "src/b-hard").c_str());
    settle_dir_times(tmp / "src");
    const std::vector<std::vector<std::string>> cases = {
        {"-aH"},
        {"-aH", "--no-inc-recursive"},
        {"-ac"},
        {"-ac", "--checksum-choice=md5"},
        {"-az"},
        {"-az", "--no-W", "--checksum-seed=5"},
        {"-aHc", "--protocol=30"},
        {"-a", "--numeric-ids"},
        {"-rlt"},
        {"-d"},
        {"-r", "--exclude=*.txt", "--exclude=deeper/"},
        {"-aR"},
        {"-aR", "--no-inc-recursive"},
    };
    int n = 0;
    for (const auto& args : cases) {
        const std::string dst = tmp / ("d" + std::to_string(n)),
                          ref = tmp / ("r" + std::to_string(n));
        ++n;
        make_dir(dst);
        make_dir(ref);
        if (std::find(args.begin(), args.end(), "--no-W") != args.end()) {
            for (const auto& d : {dst, ref}) {
                ASSERT_EQ(
                    run_shell("rsync -a " + shell_quote(tmp / "src/") + " " + shell_quote(d + "/")),
                    0);
                write_file(d + "/big.bin", random_bytes(300000, 3));
            }
        }
        auto r = push_to_stock(args, {tmp / "src/"}, dst);
        std::string label;
        for (const auto& a : args) label += a + " ";
        EXPECT_EQ(r.server_status, 0) << label << r.stderr_text;
        EXPECT_EQ(r.state.final_code(), 0) << label << r.stderr_text;
        std::string out;
        ASSERT_EQ(stock_push(args, tmp / "src/", ref, &out), 0) << label << out;
        // Times are compared where the transfer sets them (not without -t; -R's implied
        // directories are created at "now").
        auto has = [&args](const char* a) {
            return std::find(args.begin(), args.end(), a) != args.end();
        };
        const bool file_times = !has("-d") && !has("-r");
        const bool dir_times = file_times && !has("-aR");
        EXPECT_EQ(tree_diff(snapshot(dst, true, dir_times, file_times),
                            snapshot(ref, true, dir_times, file_times)),
                  "")
            << label;
    }
}

std::multiset<std::string> lines_of(const std::string& text) {
    std::multiset<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("sent ", 0) == 0 || line.rfind("total size", 0) == 0 || line.empty())
            continue;
        out.insert(line);
    }
    return out;
}

TEST_F(SendPush, ItemizeAndVerboseLinesEqualStocks) {
    const std::vector<std::vector<std::string>> cases = {
        {"-ai"}, {"-av"}, {"-aii"}, {"-av", "--no-inc-recursive"}, {"-ai", "--out-format=%n|%l|%o"},
    };
    int n = 0;
    for (const auto& args : cases) {
        for (bool second_run : {false, true}) {
            const std::string dst = tmp / ("d" + std::to_string(n)),
                              ref = tmp / ("r" + std::to_string(n));
            if (!second_run) {
                make_dir(dst);
                make_dir(ref);
            } else {
                write_file(tmp / "src/b.txt", "changed " + std::to_string(n));
            }
            auto r = push_to_stock(args, {tmp / "src/"}, dst);
            std::string out;
            ASSERT_EQ(stock_push(args, tmp / "src/", ref, &out), 0);
            std::string label;
            for (const auto& a : args) label += a + " ";
            EXPECT_EQ(lines_of(r.stdout_text), lines_of(out)) << label << "\nours:\n"
                                                              << r.stdout_text << "\nstock:\n"
                                                              << out;
        }
        ++n;
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(SendPush, TheChecksumSeedReachesTheStockReceiver) {
    // Our client puts --checksum-seed in the stock server's argv, and our sender matches with
    // the seed the server sends back: with tests::k_false_match_seed the false block match in
    // d.bin is found and the file is sent again in phase 1, as in stock's own push.
    const std::string src = tmp / "fm", dst = tmp / "fm-ours", ref = tmp / "fm-stock";
    make_false_match_trees(src, {dst, ref});
    const std::vector<std::string> args{
        "-ai", "--checksum-seed=" + std::to_string(tests::k_false_match_seed)};
    std::string stock_out;
    ASSERT_EQ(stock_push(args, src + "/", ref, &stock_out), 0) << stock_out;
    ASSERT_EQ(tests::count_of(stock_out, "d.bin failed verification"), 1U) << stock_out;
    auto r = push_to_stock(args, {src + "/"}, dst);
    EXPECT_EQ(r.server_status, 0) << r.stderr_text;
    EXPECT_EQ(r.state.final_code(), 0) << r.stderr_text;
    EXPECT_EQ(tests::count_of(r.stderr_text, "d.bin failed verification"), 1U) << r.stderr_text;
    EXPECT_EQ(tests::count_of(r.stdout_text, "<f.st...... d.bin\n"), 2U) << r.stdout_text;
    EXPECT_EQ(tests::count_of(stock_out, "<f.st...... d.bin\n"), 2U) << stock_out;
    EXPECT_EQ(tree_diff(snapshot(dst), snapshot(ref)), "");
}

}  // namespace
}  // namespace ursync::roles::testing
