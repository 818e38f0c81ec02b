// The text of rsync's progress lines (--progress, --info=progress2): pure, no clock, no output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ursync::roles {

// What one progress line shows. mirrors the figures of rsync progress.c:rprint_progress
struct ProgressFigures {
    int64_t bytes = 0;      // bytes done (of the file, or of the whole transfer)
    int64_t size = 0;       // bytes in all (100% when bytes == size)
    double rate_kib_s = 0;  // speed in units of 1024 bytes per second
    double seconds = 0;     // time left (an open line) or time taken (a file's last line)
    int human_level = 1;    // -h level for the byte count (1: commas, the default)
};

// "%7.2f" of the rate with its unit: kB/s, or MB/s / GB/s beyond 1024 of the unit below.
std::string progress_rate_text(double rate_kib_s);
// "%4u:%02u:%02u" hours:minutes:seconds, or "  ??:??:??" when negative or past 9999 hours.
std::string progress_time_text(double seconds);
// The per-cent figure: 100 exactly when bytes == size, else truncated.
int progress_percent(int64_t bytes, int64_t size);
// " (xfr#N, to-chk=R/T)": N transfers so far, R of T file-list entries left to check;
// "ir-chk" while incremental recursion is still sending file lists.
std::string progress_counts_text(int64_t xferred_files, bool list_complete, int64_t remaining,
                                 int64_t files_total);
// "\r" + bytes (15 wide) + per cent + rate + time + `tail` (two spaces for an open line, the
// counts and a newline for a file's last line).
std::string format_progress_line(const ProgressFigures& f, std::string_view tail);

}  // namespace ursync::roles
