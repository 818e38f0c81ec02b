// --progress, -P and --info=progress2 against stock rsync 3.5.0: the same transfer run by
// rsync alone and by ursync (as the client, with stock rsync as the server over the pipe
// remote shell, or alone for a local copy) must print the same progress structure: the same
// names in the same order, the same byte counts and per cents, the same (xfr#N, to-chk=R/T)
// counts, the same "\r" / "\n" layout. Rates and times are replaced by placeholders.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "sending_util.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles::testing {
namespace {

std::string ursync_binary() {
    return std::string(URSYNC_BINARY_DIR) + "/ursync";
}

// Rates, times and the byte totals of the summary lines as placeholders.
std::string without_figures(const std::string& text) {
    static const std::regex rate(R"( *[0-9]+\.[0-9]{2}[kMG]B/s)");
    static const std::regex time(R"( *([0-9]+:[0-9]{2}:[0-9]{2}|\?\?:\?\?:\?\?))");
    static const std::regex sent(
        R"(sent [0-9,]+ bytes +received [0-9,]+ bytes +[0-9,.]+ bytes/sec)");
    static const std::regex speedup(R"(speedup is [0-9,.]+)");
    std::string out = std::regex_replace(text, rate, " RATE");
    out = std::regex_replace(out, time, " TIME");
    out = std::regex_replace(out, sent, "sent SUMMARY");
    return std::regex_replace(out, speedup, "speedup is N");
}

// A progress line left open ("  " at its end, no counts): how many appear depends on timing
// (one a second), so only the deterministic ones stay: per file (level 1) the first of a run
// of them, which every file of some data starts with; with progress2 the first of all.
bool is_open_progress(const std::string& record) {
    static const std::regex open(R"( *[0-9,]+ +[0-9]+% RATE TIME  )");
    return std::regex_match(record, open);
}

// The "xfr#N" of a counted progress record (-1 if it has none).
long transfers_of(const std::string& record) {
    static const std::regex counted(R"(\(xfr#([0-9]+), (to|ir)-chk=[0-9]+/[0-9]+\) *)");
    std::smatch m;
    if (!std::regex_search(record, m, counted)) return -1;
    return std::stol(m[1].str());
}

// `overall`: --info=progress2. `loose_list_ends`: progress2 with incremental recursion, where
// the overall line repeated at each NDX_DONE comes when the generator finishes a segment,
// which depends on timing in stock rsync too: those repeats (a record with the same xfr# as the
// one before) are counted instead, and the padding a shorter suffix gets is not compared.
std::string normalise(const std::string& text, bool overall, bool loose_list_ends) {
    const std::string plain = without_figures(text);
    std::string out;
    bool previous_open = false;
    bool any_open = false;
    long previous_xfr = -1;
    int repeats = 0;
    size_t at = 0;
    for (bool first = true;; first = false) {
        const size_t cr = plain.find('\r', at);
        const std::string segment = plain.substr(at, cr == std::string::npos ? cr : cr - at);
        if (first) {
            out += segment;
        } else {
            // A "\r" starts a progress record (or a file-list count), up to a newline if any.
            const size_t nl = segment.find('\n');
            std::string record = segment.substr(0, nl);
            const bool open = is_open_progress(record);
            bool keep = !open || (overall ? !any_open : !previous_open);
            const long xfr = transfers_of(record);
            if (loose_list_ends && xfr >= 0) {
                if (xfr == previous_xfr) {
                    keep = false;
                    ++repeats;
                }
                previous_xfr = xfr;
                record.erase(record.find_last_not_of(' ') + 1);
            }
            if (keep) out += "\r" + record;
            if (nl != std::string::npos) out += segment.substr(nl);
            previous_open = open;
            any_open = any_open || open;
        }
        if (cr == std::string::npos) break;
        at = cr + 1;
    }
    if (loose_list_ends) out += "\n[" + std::to_string(repeats) + " repeated overall lines]";
    return out;
}

// For failure messages: each "\r" shown as "<CR>" and a line break.
std::string readable(const std::string& text) {
    return std::regex_replace(text, std::regex("\r"), "<CR>\n");
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

enum class Mode { local, push, pull };

using Param = std::tuple<Mode, std::vector<std::string>, bool>;

class ProgressLive : public ::testing::TestWithParam<Param> {
  protected:
    void SetUp() override {
        if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync is not installed";
        src_ = dir_ / "src";
        dst_ = dir_ / "dst";
        make_dir(src_);
        make_dir(src_ + "/sub");
        make_dir(src_ + "/sub/deep");
        make_dir(src_ + "/many");
        write_file(src_ + "/big.bin", random_bytes(300000, 7));
        write_file(src_ + "/empty", "");
        write_file(src_ + "/small.txt", "hello\n");
        ::symlink("small.txt", (src_ + "/link").c_str());
        write_file(src_ + "/sub/deep/c.txt", random_bytes(70000, 8));
        // More than a hundred entries: the " 100 files..." counts of a whole file list.
        for (int i = 0; i < 120; ++i)
            write_file(src_ + "/many/f" + std::to_string(i), std::to_string(i));
    }

    // Runs `program` for this test's mode and options into a fresh destination.
    int run(const std::string& program, std::string* out) {
        const auto& [mode, opts, inc] = GetParam();
        run_shell("rm -rf " + shell_quote(dst_));
        std::string cmd = shell_quote(program);
        for (const auto& o : opts) cmd += " " + shell_quote(o);
        cmd += inc ? " -a" : " -a --no-inc-recursive";
        if (mode != Mode::local) cmd += " -e " + shell_quote(pipe_rsh()) + " --rsync-path=rsync";
        const std::string src = (mode == Mode::pull ? "localhost:" : "") + src_ + "/";
        const std::string dst = (mode == Mode::push ? "localhost:" : "") + dst_ + "/";
        cmd += " " + shell_quote(src) + " " + shell_quote(dst) + " 2>&1";
        return run_shell(cmd, out);
    }

    TempDir dir_;
    std::string src_;
    std::string dst_;
};

TEST_P(ProgressLive, SameStructureAsStockRsync) {
    const auto& [mode, opts, inc] = GetParam();
    const bool overall = std::find(opts.begin(), opts.end(), "--info=progress2") != opts.end();
    std::string stock;
    ASSERT_EQ(run("rsync", &stock), 0) << stock;
    std::string ours;
    ASSERT_EQ(run(ursync_binary(), &ours), 0) << ours;
    const std::string want = normalise(stock, overall, overall && inc);
    const std::string got = normalise(ours, overall, overall && inc);
    // The reference must show what is compared: a counted line per transferred file (4
    // regular files and the 120 in many/).
    ASSERT_GE(count_of(want, "xfr#"), 124U) << readable(want);
    EXPECT_EQ(got, want) << "stock rsync:\n" << readable(want) << "\nursync:\n" << readable(got);
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    const auto& [mode, opts, inc] = info.param;
    std::string name = mode == Mode::local ? "local" : mode == Mode::push ? "push" : "pull";
    for (const auto& o : opts) {
        name += "_";
        for (char c : o)
            if (std::isalnum(static_cast<unsigned char>(c))) name += c;
    }
    return name + (inc ? "_inc" : "_noinc");
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ProgressLive,
    ::testing::Combine(::testing::Values(Mode::local, Mode::push, Mode::pull),
                       ::testing::Values(std::vector<std::string>{"--progress"},
                                         std::vector<std::string>{"-P"},
                                         std::vector<std::string>{"-i", "--progress"},
                                         std::vector<std::string>{"--info=progress2"},
                                         std::vector<std::string>{"-v", "--info=progress2"}),
                       ::testing::Bool()),
    param_name);

}  // namespace
}  // namespace ursync::roles::testing
