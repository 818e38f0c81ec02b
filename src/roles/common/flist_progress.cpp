// File-list progress text and its open-line states (rsync's output_needs_newline 1 and 2).
#include "roles/common/flist_progress.h"

#include <string>

namespace ursync::roles {

namespace {

constexpr size_t k_count_every = 100;  // entries between two counts

}  // namespace

void FlistProgress::start(std::string_view kind) {
    if (!shown_) return;
    out_.info(std::string(kind) + " ... ");
    out_.set_open_line(1);
}

void FlistProgress::maybe_emit(size_t count) {
    if (!shown_ || level_ < 2 || count % k_count_every != 0) return;
    // A count overwrites the one before it; after "building file list ... " it starts a line.
    if (out_.open_line() == 2) out_.set_open_line(0);
    out_.raw_info(" " + std::to_string(count) + " files...\r");
    out_.set_open_line(2);
}

void FlistProgress::finish(size_t count) {
    if (!shown_) return;
    out_.set_open_line(0);
    if (level_ >= 2) {
        out_.info(std::to_string(count) + (count == 1 ? " file " : " files ") + "to consider\n");
    } else {
        out_.info("done\n");
    }
}

}  // namespace ursync::roles
