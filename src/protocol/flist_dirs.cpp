// Incremental recursion: directory table, segment numbering, and segment checks.
#include "protocol/flist_dirs.h"

#include <algorithm>

#include "protocol/flist_sort.h"

namespace ursync::protocol {

int32_t segment_ndx(size_t dir_ndx) {
    return k_ndx_flist_offset - static_cast<int32_t>(dir_ndx);
}

int64_t dir_ndx_of_segment(int32_t ndx) {
    if (ndx > k_ndx_flist_offset) return -1;
    return int64_t{k_ndx_flist_offset} - int64_t{ndx};
}

Expected<int32_t, WireError> next_ndx_start(int32_t ndx_start, size_t count) {
    const int64_t next = int64_t{ndx_start} + static_cast<int64_t>(count) + 1;
    if (count > size_t{k_ndx_max} || next > int64_t{k_ndx_max}) {
        return malformed("file-list index overflow");
    }
    return static_cast<int32_t>(next);
}

std::string_view dir_part(std::string_view name) {
    const size_t slash = name.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : name.substr(0, slash);
}

// mirrors the dir_flist handling of rsync flist.c:recv_file_list (and add_dirs_to_tree on the
// sending side, which adds the same directories in sorted order)
Expected<void, WireError> DirTable::add_segment(std::span<const FileEntry> entries,
                                                const std::vector<bool>& dropped) {
    std::vector<uint32_t> dir_idx;
    for (uint32_t i = 0; i < entries.size(); ++i) {
        if (entries[i].is_dir()) dir_idx.push_back(i);
    }
    if (dir_idx.size() > k_dir_count_max - dirs_.size()) {
        return malformed("too many directories in the file list");
    }
    std::stable_sort(dir_idx.begin(), dir_idx.end(), [&](uint32_t x, uint32_t y) {
        return compare_sort_names(sort_name(entries[x]), sort_name(entries[y])) < 0;
    });
    for (uint32_t i : dir_idx) {
        const bool is_dropped = i < dropped.size() && dropped[i];
        dirs_.push_back(Dir{entries[i].name, !is_dropped, false});
    }
    return {};
}

WireResult<size_t> DirTable::open_segment(int32_t ndx) {
    if (finished_) return invalid("file-list segment after the end of all file lists");
    const int64_t dir_ndx = dir_ndx_of_segment(ndx);
    if (dir_ndx < 0) return invalid("not a file-list segment marker: " + std::to_string(ndx));
    if (static_cast<uint64_t>(dir_ndx) >= dirs_.size()) {
        return invalid("invalid dir index " + std::to_string(dir_ndx) + " (have " +
                         std::to_string(dirs_.size()) + ")");
    }
    Dir& dir = dirs_[static_cast<size_t>(dir_ndx)];
    if (!dir.active) {
        return invalid("file-list segment for removed directory " + std::to_string(dir_ndx));
    }
    if (dir.got_segment) {
        return invalid("duplicate file-list segment for directory " + std::to_string(dir_ndx));
    }
    dir.got_segment = true;
    return static_cast<size_t>(dir_ndx);
}

Expected<void, WireError> DirTable::check_segment_entry(size_t dir_ndx,
                                                        std::string_view entry_name) const {
    if (dir_ndx >= dirs_.size() || dir_part(entry_name) != dirs_[dir_ndx].name) {
        return unsupported("ABORTING due to invalid path from sender: " + std::string(entry_name));
    }
    return {};
}

Expected<void, WireError> DirTable::check_top_segment_entry(std::string_view entry_name) {
    if (!dir_part(entry_name).empty()) {
        return unsupported("ABORTING due to invalid path from sender: " + std::string(entry_name));
    }
    return {};
}

}  // namespace ursync::protocol
