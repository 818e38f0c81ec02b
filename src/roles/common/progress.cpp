// ProgressMeter: rsync progress.c's bookkeeping (start mark, five-second history, throttling).
#include "roles/common/progress.h"

#include <unistd.h>

#include <chrono>
#include <utility>

#include "roles/common/progress_format.h"

namespace ursync::roles {

int64_t ProgressMeter::steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool ProgressMeter::stdout_in_foreground() {
    const pid_t terminal = ::tcgetpgrp(STDOUT_FILENO);
    return terminal == -1 || terminal == ::getpgrp();
}

ProgressMeter::ProgressMeter(int level, int human_level, Sink sink, Clock clock,
                             Foreground foreground)
    : level_(level),
      human_level_(human_level),
      sink_(std::move(sink)),
      clock_(std::move(clock)),
      foreground_(std::move(foreground)) {}

void ProgressMeter::begin_file(int64_t size, int64_t list_index, const ProgressTotals& totals) {
    ++xferred_files_;
    transferred_bytes_ += size;
    list_index_ = list_index;
    totals_ = totals;
}

void ProgressMeter::show(int64_t offset, int64_t size) {
    if (level_ < 1) return;
    const int64_t now = clock_();
    if (level_ >= 2) {
        offset = transferred_bytes_ - size + offset;
        size = totals_.bytes;
    }
    if (!start_.set) {
        // A file that starts right after the last one measures from that one's last mark,
        // so its rate is not computed over an instant.
        const Mark& newest = history_[newest_];
        if (newest.set && now - newest.ms <= k_resume_ms) {
            start_ = Mark{newest.ms, 0, true};
        } else {
            start_ = Mark{now, offset, true};
        }
        history_.fill(start_);
    } else {
        if (now - history_[newest_].ms < k_interval_ms) return;
        newest_ = oldest_;
        oldest_ = (oldest_ + 1) % k_history_len;
        history_[newest_] = Mark{now, offset, true};
    }
    if (foreground_ && !foreground_()) return;
    print(offset, size, now, false);
}

void ProgressMeter::end_file(int64_t size) {
    if (level_ < 1) return;
    const int64_t now = clock_();
    if (level_ >= 2) {
        print(transferred_bytes_, totals_.bytes, now, true);
        return;
    }
    print(size, size, now, true);
    start_ = Mark{};
}

void ProgressMeter::end_list(int64_t last_index, const ProgressTotals& totals) {
    list_index_ = last_index;
    totals_ = totals;
    if (level_ < 2) return;
    print(transferred_bytes_, totals_.bytes, clock_(), true);
}

void ProgressMeter::print(int64_t offset, int64_t size, int64_t now_ms, bool last) {
    ProgressFigures f;
    f.bytes = offset;
    f.size = size;
    f.human_level = human_level_;
    std::string tail = "  ";
    bool line_open = true;
    if (last) {
        tail = progress_counts_text(xferred_files_, totals_.list_complete,
                                    totals_.files - list_index_ - 1, totals_.files);
        if (level_ >= 2) {
            // One line for the whole run, left open; a suffix shorter than the previous one is
            // padded to cover it (only the previous one, as rsync does).
            const size_t len = tail.size();
            if (tail_width_ > len) tail.resize(tail_width_, ' ');
            tail_width_ = len;
        } else {
            tail += "\n";
            line_open = false;
        }
        // The rate over the whole file (or run), the time it took.
        int64_t ms = start_.set ? now_ms - start_.ms : 0;
        if (ms <= 0) ms = 1;
        f.rate_kib_s =
            static_cast<double>(offset - start_.offset) * 1000.0 / static_cast<double>(ms) / 1024.0;
        f.seconds = static_cast<double>(ms) / 1000.0;
    } else {
        // The rate over the recent history, the time left at that rate.
        const Mark& from = history_[oldest_];
        int64_t ms = now_ms - from.ms;
        if (ms <= 0) ms = 1;
        f.rate_kib_s =
            static_cast<double>(offset - from.offset) * 1000.0 / static_cast<double>(ms) / 1024.0;
        f.seconds =
            f.rate_kib_s != 0 ? static_cast<double>(size - offset) / f.rate_kib_s / 1000.0 : 0.0;
    }
    sink_(format_progress_line(f, tail), line_open);
}

}  // namespace ursync::roles
