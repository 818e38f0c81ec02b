// Incremental recursion (rsync-protocol.md §7.10): the directory table, segment index arithmetic,
// and the receiver's checks on segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/file_entry.h"
#include "protocol/ndx.h"
#include "protocol/wire_error.h"
#include "util/expected.h"

namespace ursync::protocol {

// Most directories the table holds: dir_ndx must stay encodable as k_ndx_flist_offset - dir_ndx.
inline constexpr size_t k_dir_count_max = size_t{0x7FFFFFFF} - 101;

// The ndx value that announces the segment of directory dir_ndx (k_ndx_flist_offset - dir_ndx).
int32_t segment_ndx(size_t dir_ndx);
// If ndx announces a segment, its dir_ndx; otherwise -1.
int64_t dir_ndx_of_segment(int32_t ndx);

// The first index of the segment that follows one starting at ndx_start with count entries:
// every segment reserves one index (ndx_start - 1) for its directory. The first segment of an
// incremental session starts at 1, a non-incremental list at 0. Fails past INT32_MAX.
Expected<int32_t, WireError> next_ndx_start(int32_t ndx_start, size_t count);

// "sub/c.txt" -> "sub"; "a.txt" -> "" (the directory part that must equal the segment's dir).
std::string_view dir_part(std::string_view name);

// The global directory table both sides keep: every directory of every segment, appended per
// segment and then sorted among that segment's directories; dir_ndx is the position here.
class DirTable {
  public:
    // Adds the directories among `entries` (one whole segment, in any order). `dropped` marks
    // duplicates (find_duplicates); it is indexed like entries and may be empty (none dropped).
    // Fails if the table would exceed k_dir_count_max.
    Expected<void, WireError> add_segment(std::span<const FileEntry> entries,
                                          const std::vector<bool>& dropped = {});

    size_t size() const { return dirs_.size(); }
    const std::string& name(size_t dir_ndx) const { return dirs_[dir_ndx].name; }
    bool active(size_t dir_ndx) const { return dirs_[dir_ndx].active; }
    bool has_segment(size_t dir_ndx) const { return dirs_[dir_ndx].got_segment; }

    // Receiver: validates the ndx that announces a segment and returns its dir_ndx. Refuses an
    // ndx that is not a segment marker, an unknown or inactive (duplicate) directory, a directory
    // that already had its segment, and anything after finish(). Mirrors the 3.4.0+ checks in
    // rsync flist.c:recv_file_list.
    WireResult<size_t> open_segment(int32_t ndx);

    // Receiver: checks that an entry of the segment of dir_ndx lies directly in that directory.
    // The first segment (no directory) is checked with check_top_segment_entry().
    Expected<void, WireError> check_segment_entry(size_t dir_ndx,
                                                  std::string_view entry_name) const;
    static Expected<void, WireError> check_top_segment_entry(std::string_view entry_name);

    // After NDX_FLIST_EOF: no further segment is accepted.
    void finish() { finished_ = true; }
    bool finished() const { return finished_; }

  private:
    struct Dir {
        std::string name;
        bool active = true;
        bool got_segment = false;
    };
    std::vector<Dir> dirs_;
    bool finished_ = false;
};

}  // namespace ursync::protocol
