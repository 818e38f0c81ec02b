// FileList: the session's file list — sorted segments, file indexes, and the directory table.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/file_entry.h"
#include "protocol/flist_dirs.h"
#include "protocol/wire_error.h"
#include "util/expected.h"

namespace ursync::roles {

struct FlistSegment {
    int32_t ndx_start = 0;        // index of entries[0]; ndx_start - 1 names the parent dir
    int64_t parent_dir = -1;      // dir_ndx of the directory this segment lists (-1: the top)
    std::vector<protocol::FileEntry> entries;  // in rsync's sorted order
    std::vector<bool> dropped;    // duplicates that must not be requested (indexed like entries)
    std::vector<uint32_t> sent_position;  // entries[i] was the sent_position[i]-th entry sent
    bool finished = false;        // NDX_DONE exchanged: its indexes may no longer be used
    int32_t io_error = 0;         // from the segment's end marker
};

class FileList {
public:
    // Sorts `entries` with rsync's comparator, marks duplicates, assigns the next ndx_start
    // (0 for a non-incremental list, 1 for the first incremental segment) and records its
    // directories in the directory table. Returns the new segment's position. `ignored`
    // (indexed like `entries`, may be empty) marks entries the receiver keeps only for their
    // index: they are dropped like duplicates, after the duplicates were found.
    Expected<size_t, protocol::WireError> add_segment(std::vector<protocol::FileEntry> entries,
                                                      int64_t parent_dir, bool inc_recurse,
                                                      int32_t io_error = 0,
                                                      const std::vector<bool>& ignored = {});

    // The entry with index ndx among segments not yet finished (nullptr if none/dropped).
    const protocol::FileEntry* find(int32_t ndx) const;
    // The active (not dropped) entry of segment `seg` named `name`, directory or not; nullptr
    // if none. mirrors rsync flist.c:flist_find_name with want_dir_match < 0
    const protocol::FileEntry* find_name(size_t seg, std::string_view name) const;
    // The segment containing ndx (entries or its parent-dir slot ndx_start - 1).
    const FlistSegment* segment_of(int32_t ndx) const;

    std::vector<FlistSegment>& segments() { return segments_; }
    const std::vector<FlistSegment>& segments() const { return segments_; }
    protocol::DirTable& dirs() { return dirs_; }
    const protocol::DirTable& dirs() const { return dirs_; }
    size_t entry_count() const;
    // Where index `ndx` of segment `seg` stands in the whole list, every earlier segment's
    // entries counted (rsync's current_file_index: ndx - flist_num), and where the last entry
    // of segment `seg` stands. For the progress lines' "to-chk" counts.
    int64_t position(int32_t ndx, size_t seg) const;
    int64_t last_position(size_t seg) const;

private:
    std::vector<FlistSegment> segments_;
    protocol::DirTable dirs_;
};

}  // namespace ursync::roles
