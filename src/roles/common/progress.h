// ProgressMeter: the client's --progress / --info=progress2 lines, as rsync progress.c prints
// them (throttled to one line a second, rates over the last five seconds).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace ursync::roles {

// Where the whole transfer stands; the caller fills it from its file list and statistics.
struct ProgressTotals {
    int64_t files = 0;           // entries in the file lists so far (rsync stats.num_files)
    int64_t bytes = 0;           // their total size (stats.total_size): progress2's 100%
    bool list_complete = false;  // every file list is in (flist_eof): "to-chk", else "ir-chk"
};

// Usage, per transferred file, in this order (the caller prints the file's name line first):
//   begin_file(size, list_index, totals);   // counts the transfer, prints nothing
//   show(offset, size) ...                  // as data goes by; at most one line a second
//   end_file(size);                         // the file's last line (progress2: the overall one)
// With progress2 (level 2) one overall line is kept up to date instead; end_list() repeats it
// where rsync does, at each end of a file-list segment or phase (NDX_DONE) while a list is
// current. Level 0 prints nothing. Nothing here touches the terminal: lines go to the sink.
class ProgressMeter {
  public:
    // `text` is one progress line; `line_open`: it ends without a newline (the next message
    // must start a new line first, rsync's output_needs_newline).
    using Sink = std::function<void(std::string text, bool line_open)>;
    using Clock = std::function<int64_t()>;  // milliseconds on a monotonic clock
    // False while the process runs in the background of its terminal: open lines are then
    // skipped (a file's last line still prints), as rsync's show_progress does.
    using Foreground = std::function<bool()>;

    static int64_t steady_ms();
    // Whether stdout's terminal has our process group in the foreground (true when stdout is
    // no terminal). mirrors the tcgetpgrp check of rsync progress.c:show_progress
    static bool stdout_in_foreground();

    ProgressMeter(int level, int human_level, Sink sink, Clock clock = &steady_ms,
                  Foreground foreground = {});

    int level() const { return level_; }

    // A transfer starts: `size` is the file's size in the file list, `list_index` its position
    // in the whole list (0-based, across incremental segments). mirrors the sender's and
    // receiver's stats.xferred_files++ / total_transferred_size and set_current_file_index
    void begin_file(int64_t size, int64_t list_index, const ProgressTotals& totals);
    // `offset` bytes of the current file (of `size`) are done. mirrors progress.c:show_progress
    void show(int64_t offset, int64_t size);
    // The current file is complete at `size` bytes. mirrors progress.c:end_progress
    void end_file(int64_t size);
    // NDX_DONE with a current list whose last entry is at `last_index`: progress2 prints the
    // overall line again (level 1 prints nothing). mirrors set_current_file_index(NULL) +
    // end_progress(0) in rsync's send_files / recv_files
    void end_list(int64_t last_index, const ProgressTotals& totals);

  private:
    struct Mark {
        int64_t ms = 0;
        int64_t offset = 0;
        bool set = false;
    };
    static constexpr size_t k_history_len = 5;      // seconds of history for the rate
    static constexpr int64_t k_interval_ms = 1000;  // at most one open line per interval
    static constexpr int64_t k_resume_ms = 1500;    // a new file inherits a start this recent

    // mirrors progress.c:rprint_progress
    void print(int64_t offset, int64_t size, int64_t now_ms, bool last);

    int level_;
    int human_level_;
    Sink sink_;
    Clock clock_;
    Foreground foreground_;
    Mark start_;
    std::array<Mark, k_history_len> history_{};
    size_t newest_ = 0;
    size_t oldest_ = 0;
    int64_t xferred_files_ = 0;
    int64_t transferred_bytes_ = 0;
    int64_t list_index_ = 0;
    ProgressTotals totals_;
    size_t tail_width_ = 0;  // progress2: the previous counts suffix's length (a shorter one pads)
};

}  // namespace ursync::roles
