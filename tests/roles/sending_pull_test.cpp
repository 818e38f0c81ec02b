// The sending side as a server: a stock rsync client pulls from `ursync --server --sender`.
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

std::string ursync_binary() {
    return std::string(URSYNC_BINARY_DIR) + "/ursync";
}

std::string tree_diff(const std::vector<std::string>& ours, const std::vector<std::string>& ref) {
    std::string out;
    for (const auto& l : ours)
        if (std::find(ref.begin(), ref.end(), l) == ref.end()) out += "ours:  " + l + "\n";
    for (const auto& l : ref)
        if (std::find(ours.begin(), ours.end(), l) == ours.end()) out += "stock: " + l + "\n";
    return out;
}

// `rsync <args> -e pipe-rsh --rsync-path=<server> localhost:<src> <dst>/`, with the checksum
// seed pinned (the server, ours or stock, gets it from the client).
int pull(const std::string& server, const std::vector<std::string>& args, const std::string& src,
         const std::string& dst, std::string* out) {
    std::string cmd = "rsync";
    for (const auto& a : tests::with_checksum_seed(args)) cmd += " " + shell_quote(a);
    cmd += " -e " + shell_quote(pipe_rsh()) + " --rsync-path=" + shell_quote(server) + " " +
           shell_quote("localhost:" + src) + " " + shell_quote(dst + "/") + " 2>&1";
    return run_shell(cmd, out);
}

std::multiset<std::string> file_lines(const std::string& text) {
    std::multiset<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.rfind("sent ", 0) == 0 || line.rfind("total size", 0) == 0 ||
            line.find(": ") != std::string::npos)
            continue;
        out.insert(line);
    }
    return out;
}

void settle_dir_times(const std::string& src) {
    int64_t t = 1700000000;
    for (const char* d : {"/d/e", "/d", "/x", ""}) set_mtime(src + d, t += 1000, 0);
}

class SendPull : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync not installed";
        if (::access(ursync_binary().c_str(), X_OK) != 0)
            GTEST_SKIP() << "ursync binary not built: " << ursync_binary();
        const std::string src = tmp / "src";
        make_dir(src);
        make_dir(src + "/d");
        make_dir(src + "/d/e");
        make_dir(src + "/x");
        write_file(src + "/a.txt", "hello\n");
        write_file(src + "/b.o", "object");
        write_file(src + "/d/c.txt", random_bytes(100000, 4));
        write_file(src + "/d/e/f", "f");
        write_file(src + "/x/core", "core");
        write_file(src + "/x/keep.o", "keep");
        write_file(src + "/.rules", "- *.tmp\n");
        write_file(src + "/d/.rules", "+ keep.tmp\n- /c.txt\n");
        write_file(src + "/d/keep.tmp", "k");
        write_file(src + "/d/drop.tmp", "d");
        ::symlink("a.txt", (src + "/ln").c_str());
        ::link((src + "/a.txt").c_str(), (src + "/x/a-hard").c_str());
        for (const char* f : {"/a.txt", "/b.o", "/d/c.txt", "/d/e/f", "/x/core", "/x/keep.o",
                              "/.rules", "/d/.rules", "/d/keep.tmp", "/d/drop.tmp"})
            set_mtime(src + f, 1690000000, 5);
        set_mtime(src + "/ln", 1690000000, 7, true);
        settle_dir_times(src);
    }
    TempDir tmp;
};

// Pulls with our server and with stock's, compares trees, exit codes and (if asked) the
// client's output lines and --stats counters.
void compare_pull(const TempDir& tmp, const std::vector<std::string>& args, const std::string& tag,
                  const std::string& src_arg, bool lines, bool stats, int want_code = 0,
                  const std::function<void(const std::string&)>& prepare = {}) {
    const std::string dst = tmp / ("ours" + tag), ref = tmp / ("stock" + tag);
    make_dir(dst);
    make_dir(ref);
    if (prepare) {
        prepare(dst);
        prepare(ref);
    }
    std::string ours_out, stock_out;
    const int ours = pull(ursync_binary(), args, src_arg, dst, &ours_out);
    const int stock = pull("rsync", args, src_arg, ref, &stock_out);
    std::string label = tag + ":";
    for (const auto& a : args) label += " " + a;
    EXPECT_EQ(stock, want_code) << label << "\n" << stock_out;
    EXPECT_EQ(ours, stock) << label << "\nours:\n" << ours_out << "\nstock:\n" << stock_out;
    // Directories the transfer made without a time of their own from the list (the
    // destination of a slash-less source, -R's implied dirs) differ by the clock only.
    const bool top_in_list = !src_arg.empty() && src_arg.back() == '/' && want_code == 0;
    const bool relative = std::find(args.begin(), args.end(), "-aR") != args.end();
    auto ours_tree = snapshot(dst, true, !relative), stock_tree = snapshot(ref, true, !relative);
    if (!top_in_list) {
        ours_tree.erase(ours_tree.begin());  // "." sorts first
        stock_tree.erase(stock_tree.begin());
    }
    EXPECT_EQ(tree_diff(ours_tree, stock_tree), "") << label;
    if (lines) {
        EXPECT_EQ(file_lines(ours_out), file_lines(stock_out)) << label << "\nours:\n"
                                                               << ours_out << "\nstock:\n"
                                                               << stock_out;
    }
    if (stats) {
        auto a = parse_stats(ours_out), b = parse_stats(stock_out);
        for (const char* k : {"Number of files", "Number of created files", "Total file size",
                              "Total transferred file size", "Literal data", "Matched data",
                              "File list size", "Number of regular files transferred"})
            EXPECT_EQ(a[k], b[k]) << label << " " << k;
        for (const char* k : {"Total bytes sent", "Total bytes received"})
            EXPECT_NEAR(static_cast<double>(a[k]), static_cast<double>(b[k]),
                        std::max(512.0, 0.02 * static_cast<double>(b[k])))
                << label << " " << k;
    }
}

TEST_F(SendPull, ArchiveTreesStatsAndOutput) {
    int n = 0;
    for (const char* proto : {"32", "31", "30"}) {
        for (bool inc : {true, false}) {
            std::vector<std::string> args{"-a", "--stats", std::string("--protocol=") + proto};
            if (!inc) args.push_back("--no-inc-recursive");
            compare_pull(tmp, args, std::to_string(n++), tmp / "src/", false, true);
        }
    }
    compare_pull(tmp, {"-ai"}, "i", tmp / "src/", true, false);
    compare_pull(tmp, {"-av"}, "v", tmp / "src/", true, false);
    compare_pull(tmp, {"-av", "--no-inc-recursive"}, "vn", tmp / "src/", true, false);
    compare_pull(tmp, {"-a"}, "noslash", tmp / "src", false, false);
    compare_pull(tmp, {"-a"}, "file", tmp / "src/a.txt", false, false);
}

TEST_F(SendPull, FiltersChecksumsHardLinksCompressionDelta) {
    const std::vector<std::vector<std::string>> cases = {
        {"-a", "--exclude=*.o", "--include=keep.o"},
        {"-a", "--include=keep.o", "--exclude=*.o"},
        {"-a", "--filter=- /x/", "--exclude=e/"},
        {"-a", "--filter=: .rules"},
        {"-a", "--filter=: .rules", "--no-inc-recursive"},
        {"-a", "-C"},
        {"-a", "-F"},
        {"-ac"},
        {"-aH"},
        {"-aH", "--no-inc-recursive"},
        {"-az", "--stats"},
        {"-aR", "--no-inc-recursive"},
        {"-aR"},
        {"-a", "--numeric-ids"},
    };
    int n = 0;
    for (const auto& args : cases)
        compare_pull(tmp, args, "f" + std::to_string(n++), tmp / "src/", false, false);

    auto old_version = [this](const std::string& d) {
        ASSERT_EQ(run_shell("rsync -a " + shell_quote(tmp / "src/") + " " + shell_quote(d + "/")),
                  0);
        std::string old = read_text(tmp / "src/d/c.txt");
        old.replace(5000, 100, random_bytes(100, 77));
        write_file(d + "/d/c.txt", old);
        set_mtime(d + "/d/c.txt", 1600000000, 0);
    };
    compare_pull(tmp, {"-a", "--no-W", "--stats"}, "delta", tmp / "src/", false, true, 0,
                 old_version);
    compare_pull(tmp, {"-az", "--no-W", "--stats"}, "zdelta", tmp / "src/", false, false, 0,
                 old_version);
}

TEST_F(SendPull, MissingSourceGivesPartialTransferCode) {
    compare_pull(tmp, {"-a"}, "missing", tmp / "src/nope", false, false, 23);
    compare_pull(tmp, {"-a"}, "missing2", tmp / "nope/", false, false, 23);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(SendPull, TheChecksumSeedReachesOurServer) {
    // The stock client passes --checksum-seed to our server, which sends it in the handshake and
    // matches with it: with tests::k_false_match_seed the false block match in d.bin is found
    // and the file is sent again in phase 1, as with a stock server.
    const std::string src = tmp / "fm", dst = tmp / "fm-ours", ref = tmp / "fm-stock";
    make_false_match_trees(src, {dst, ref});
    const std::vector<std::string> args{
        "-ai", "--checksum-seed=" + std::to_string(tests::k_false_match_seed)};
    std::string ours_out, stock_out;
    ASSERT_EQ(pull("rsync", args, src + "/", ref, &stock_out), 0) << stock_out;
    ASSERT_EQ(tests::count_of(stock_out, "d.bin failed verification"), 1U) << stock_out;
    EXPECT_EQ(pull(ursync_binary(), args, src + "/", dst, &ours_out), 0) << ours_out;
    EXPECT_EQ(tests::count_of(ours_out, "d.bin failed verification"), 1U) << ours_out;
    EXPECT_EQ(file_lines(ours_out), file_lines(stock_out))
        << "ours:\n" << ours_out << "\nstock:\n" << stock_out;
    EXPECT_EQ(tree_diff(snapshot(dst), snapshot(ref)), "");
}

}  // namespace
}  // namespace ursync::roles::testing
