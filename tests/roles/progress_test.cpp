// The progress line formatter and the ProgressMeter's bookkeeping (a fake clock), checked
// against lines stock rsync 3.5.0 printed for the same figures.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "roles/common/progress.h"
#include "roles/common/progress_format.h"

namespace ursync::roles {
namespace {

// --- the formatter ---

ProgressFigures figures(int64_t bytes, int64_t size, double rate_kib_s, double seconds) {
    ProgressFigures f;
    f.bytes = bytes;
    f.size = size;
    f.rate_kib_s = rate_kib_s;
    f.seconds = seconds;
    return f;
}

TEST(ProgressFormat, OpenLinesAsRsyncPrintsThem) {
    // `rsync -a --progress` of a 300,000-byte file: the first line, after the first 32 KiB.
    EXPECT_EQ(format_progress_line(figures(32768, 300000, 0.0, 0.0), "  "),
              "\r         32,768  10%    0.00kB/s    0:00:00  ");
    // A pull at --bwlimit=1000: a line a second later.
    EXPECT_EQ(format_progress_line(figures(1048576, 3000000, 1003.92, 1.94), "  "),
              "\r      1,048,576  34% 1003.92kB/s    0:00:01  ");
    // The receiver's first line, before any data.
    EXPECT_EQ(format_progress_line(figures(0, 3000000, 0.0, 0.0), "  "),
              "\r              0   0%    0.00kB/s    0:00:00  ");
}

TEST(ProgressFormat, LastLinesAsRsyncPrintsThem) {
    const std::string counts = progress_counts_text(1, true, 4, 6);
    EXPECT_EQ(counts, " (xfr#1, to-chk=4/6)");
    // 267,232 bytes in one millisecond: 260,968.75 kB/s.
    EXPECT_EQ(format_progress_line(figures(300000, 300000, 267232.0 / 1.024, 0.001), counts + "\n"),
              "\r        300,000 100%  254.85MB/s    0:00:00 (xfr#1, to-chk=4/6)\n");
    EXPECT_EQ(format_progress_line(figures(3000000, 3000000, 1044.48, 2.93),
                                   progress_counts_text(1, true, 4, 6) + "\n"),
              "\r      3,000,000 100%    1.02MB/s    0:00:02 (xfr#1, to-chk=4/6)\n");
    EXPECT_EQ(format_progress_line(figures(0, 0, 0.0, 0.001), progress_counts_text(2, true, 3, 6)),
              "\r              0 100%    0.00kB/s    0:00:00 (xfr#2, to-chk=3/6)");
    // progress2 over a total that includes a symlink's length: 99%, not 100%.
    EXPECT_EQ(format_progress_line(figures(300005, 300006, 130.49, 0.0),
                                   progress_counts_text(3, true, 0, 6)),
              "\r        300,005  99%  130.49kB/s    0:00:00 (xfr#3, to-chk=0/6)");
}

TEST(ProgressFormat, CountsWhileListsStillArrive) {
    EXPECT_EQ(progress_counts_text(12, false, 1004, 1234), " (xfr#12, ir-chk=1004/1234)");
}

TEST(ProgressFormat, RateUnits) {
    EXPECT_EQ(progress_rate_text(0), "   0.00kB/s");
    EXPECT_EQ(progress_rate_text(1024), "1024.00kB/s");  // switches only beyond 1024
    EXPECT_EQ(progress_rate_text(1025), "   1.00MB/s");
    EXPECT_EQ(progress_rate_text(2.5 * 1024 * 1024), "   2.50GB/s");
}

TEST(ProgressFormat, Times) {
    EXPECT_EQ(progress_time_text(0), "   0:00:00");
    EXPECT_EQ(progress_time_text(59.99), "   0:00:59");
    EXPECT_EQ(progress_time_text(3 * 3600 + 25 * 60 + 7.5), "   3:25:07");
    EXPECT_EQ(progress_time_text(9999.0 * 3600.0), "9999:00:00");
    EXPECT_EQ(progress_time_text(9999.0 * 3600.0 + 1), "  ??:??:??");
    EXPECT_EQ(progress_time_text(-1), "  ??:??:??");
}

TEST(ProgressFormat, Percent) {
    EXPECT_EQ(progress_percent(300000, 300000), 100);
    EXPECT_EQ(progress_percent(299999, 300000), 99);  // truncated, never rounded up
    EXPECT_EQ(progress_percent(0, 5), 0);
    EXPECT_EQ(progress_percent(0, 0), 100);
}

TEST(ProgressFormat, ByteCountWithoutCommas) {
    ProgressFigures f = figures(300000, 300000, 0, 0);
    f.human_level = 0;
    EXPECT_EQ(format_progress_line(f, "  "), "\r         300000 100%    0.00kB/s    0:00:00  ");
}

// --- the meter ---

struct Printed {
    std::string text;
    bool open;
    friend bool operator==(const Printed&, const Printed&) = default;
};

void PrintTo(const Printed& p, std::ostream* os) {
    *os << (p.open ? "open " : "closed ") << ::testing::PrintToString(p.text);
}

struct MeterRig {
    int64_t now_ms = 10000;
    std::vector<Printed> printed;
    ProgressMeter meter;
    explicit MeterRig(int level)
        : meter(
              level, 1,
              [this](std::string text, bool open) {
                  printed.push_back({std::move(text), open});
              },
              [this] { return now_ms; }) {}
};

TEST(ProgressMeter, PerFileLinesAreThrottledToOneASecond) {
    MeterRig rig(1);
    const ProgressTotals totals{6, 300006, true};
    rig.meter.begin_file(300000, 1, totals);
    rig.meter.show(32768, 300000);  // the first line of a file always shows
    rig.now_ms = 10500;
    rig.meter.show(65536, 300000);  // within the second: nothing
    rig.now_ms = 11200;
    rig.meter.show(200000, 300000);  // rate over the history, time left at that rate
    rig.now_ms = 12000;
    rig.meter.end_file(300000);  // rate and time over the whole file
    const std::vector<Printed> want = {
        {"\r         32,768  10%    0.00kB/s    0:00:00  ", true},
        {"\r        200,000  66%  136.09kB/s    0:00:00  ", true},
        {"\r        300,000 100%  130.48kB/s    0:00:02 (xfr#1, to-chk=4/6)\n", false},
    };
    EXPECT_EQ(rig.printed, want);
}

TEST(ProgressMeter, AFileRightAfterAnotherMeasuresFromItsLastMark) {
    MeterRig rig(1);
    const ProgressTotals totals{6, 300006, true};
    rig.meter.begin_file(300000, 1, totals);
    rig.meter.show(32768, 300000);
    rig.now_ms = 11200;
    rig.meter.show(200000, 300000);
    rig.now_ms = 12000;
    rig.meter.end_file(300000);
    rig.printed.clear();
    // An empty file: no data, so no start mark: one line, over "one millisecond".
    rig.meter.begin_file(0, 2, totals);
    rig.meter.end_file(0);
    // 1.1 s after the last mark (within 1.5 s): the start is taken from that mark, at 0 bytes.
    rig.now_ms = 12300;
    rig.meter.begin_file(5, 5, totals);
    rig.meter.show(5, 5);
    rig.meter.end_file(5);
    const std::vector<Printed> want = {
        {"\r              0 100%    0.00kB/s    0:00:00 (xfr#2, to-chk=3/6)\n", false},
        {"\r              5 100%    0.00kB/s    0:00:00  ", true},
        {"\r              5 100%    0.00kB/s    0:00:01 (xfr#3, to-chk=0/6)\n", false},
    };
    EXPECT_EQ(rig.printed, want);
}

TEST(ProgressMeter, InTheBackgroundOnlyLastLinesPrint) {
    std::vector<Printed> printed;
    int64_t now_ms = 0;
    bool foreground = false;
    ProgressMeter meter(
        1, 1,
        [&](std::string text, bool open) {
            printed.push_back({std::move(text), open});
        },
        [&] { return now_ms; }, [&] { return foreground; });
    meter.begin_file(10, 0, ProgressTotals{1, 10, true});
    meter.show(5, 10);
    meter.end_file(10);
    ASSERT_EQ(printed.size(), 1U);
    EXPECT_FALSE(printed[0].open);
    foreground = true;
    now_ms = 5000;
    meter.begin_file(10, 0, ProgressTotals{1, 10, true});
    meter.show(5, 10);
    EXPECT_EQ(printed.size(), 2U);
}

TEST(ProgressMeter, ListEndsPrintNothingPerFile) {
    MeterRig rig(1);
    rig.meter.end_list(5, ProgressTotals{6, 10, true});
    EXPECT_TRUE(rig.printed.empty());
}

TEST(ProgressMeter, LevelZeroPrintsNothing) {
    MeterRig rig(0);
    rig.meter.begin_file(10, 0, ProgressTotals{1, 10, true});
    rig.meter.show(5, 10);
    rig.meter.end_file(10);
    rig.meter.end_list(0, ProgressTotals{1, 10, true});
    EXPECT_TRUE(rig.printed.empty());
}

TEST(ProgressMeter, Progress2KeepsOneOverallLine) {
    MeterRig rig(2);
    rig.now_ms = 5000;
    rig.meter.begin_file(300000, 1, ProgressTotals{6, 300006, false});
    rig.meter.show(32768, 300000);
    rig.now_ms = 5001;
    rig.meter.end_file(300000);
    rig.meter.begin_file(0, 2, ProgressTotals{6, 300006, true});
    rig.meter.show(0, 0);  // throttled: the run's start mark stays
    rig.meter.end_file(0);
    rig.now_ms = 7000;
    rig.meter.begin_file(5, 1, ProgressTotals{12, 300006, true});
    rig.meter.end_file(5);
    rig.meter.end_list(2, ProgressTotals{12, 300006, true});
    rig.meter.end_list(3, ProgressTotals{12, 300006, true});
    const std::vector<Printed> want = {
        {"\r         32,768  10%    0.00kB/s    0:00:00  ", true},
        {"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#1, ir-chk=4/6)", true},
        {"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#2, to-chk=3/6)", true},
        {"\r        300,005  99%  130.49kB/s    0:00:02 (xfr#3, to-chk=10/12)", true},
        // A shorter suffix is padded to cover the one before; the next is not (as rsync).
        {"\r        300,005  99%  130.49kB/s    0:00:02 (xfr#3, to-chk=9/12) ", true},
        {"\r        300,005  99%  130.49kB/s    0:00:02 (xfr#3, to-chk=8/12)", true},
    };
    EXPECT_EQ(rig.printed, want);
}

}  // namespace
}  // namespace ursync::roles
