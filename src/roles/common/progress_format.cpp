// Progress line text: the field widths and units of rsync progress.c:rprint_progress.
#include "roles/common/progress_format.h"

#include <cstdio>

#include "roles/common/stats.h"

namespace ursync::roles {

namespace {

constexpr double k_unit = 1024.0;
constexpr double k_time_seconds_max = 9999.0 * 3600.0;

}  // namespace

std::string progress_rate_text(double rate_kib_s) {
    const char* units = "kB/s";
    if (rate_kib_s > k_unit * k_unit) {
        rate_kib_s /= k_unit * k_unit;
        units = "GB/s";
    } else if (rate_kib_s > k_unit) {
        rate_kib_s /= k_unit;
        units = "MB/s";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%7.2f%s", rate_kib_s, units);
    return buf;
}

std::string progress_time_text(double seconds) {
    if (seconds < 0 || seconds > k_time_seconds_max) return "  ??:??:??";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%4u:%02u:%02u", static_cast<unsigned>(seconds / 3600.0),
                  static_cast<unsigned>(seconds / 60.0) % 60, static_cast<unsigned>(seconds) % 60);
    return buf;
}

int progress_percent(int64_t bytes, int64_t size) {
    if (bytes == size || size <= 0) return 100;
    return static_cast<int>(100.0 * static_cast<double>(bytes) / static_cast<double>(size));
}

std::string progress_counts_text(int64_t xferred_files, bool list_complete, int64_t remaining,
                                 int64_t files_total) {
    return " (xfr#" + std::to_string(xferred_files) + ", " + (list_complete ? "to" : "ir") +
           "-chk=" + std::to_string(remaining) + "/" + std::to_string(files_total) + ")";
}

std::string format_progress_line(const ProgressFigures& f, std::string_view tail) {
    char head[64];
    std::snprintf(head, sizeof head, "\r%15s %3d%% ", human_num(f.bytes, f.human_level).c_str(),
                  progress_percent(f.bytes, f.size));
    return head + progress_rate_text(f.rate_kib_s) + " " + progress_time_text(f.seconds) +
           std::string(tail);
}

}  // namespace ursync::roles
