// What a client prints while a whole (non-incremental) file list is built or received:
// "building file list ... ", " 100 files...\r" counts with --progress, "N files to consider".
#pragma once

#include <cstddef>
#include <string_view>

#include "roles/common/output.h"

namespace ursync::roles {

// mirrors rsync flist.c:start_filelist_progress, maybe_emit_filelist_progress and
// finish_filelist_progress (shown only when `shown`: a client, --info=flist1+, directories
// transferred and no incremental recursion; `level` is the FLIST level)
class FlistProgress {
  public:
    FlistProgress(Output& out, bool shown, int level) : out_(out), shown_(shown), level_(level) {}

    bool shown() const { return shown_; }
    // "building file list ... " / "receiving file list ... ", the line left open.
    void start(std::string_view kind);
    // With FLIST2, every hundredth entry: " N files...\r" (`count` entries so far).
    void maybe_emit(size_t count);
    // "N files to consider" with FLIST2, else "done".
    void finish(size_t count);

  private:
    Output& out_;
    bool shown_;
    int level_;
};

}  // namespace ursync::roles
