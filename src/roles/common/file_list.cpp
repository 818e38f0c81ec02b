// FileList implementation: rsync's stable sort, duplicate marking and index arithmetic.
#include "roles/common/file_list.h"

#include <algorithm>

#include "protocol/flist_sort.h"

namespace ursync::roles {

Expected<size_t, protocol::WireError> FileList::add_segment(
    std::vector<protocol::FileEntry> entries, int64_t parent_dir, bool inc_recurse,
    int32_t io_error, const std::vector<bool>& ignored) {
    FlistSegment seg;
    if (segments_.empty()) {
        seg.ndx_start = inc_recurse ? 1 : 0;
    } else {
        const auto& last = segments_.back();
        auto next = protocol::next_ndx_start(last.ndx_start, last.entries.size());
        if (!next) return Unexpected{next.error()};
        seg.ndx_start = *next;
    }
    auto order = protocol::sorted_order(entries);
    auto dup = protocol::find_duplicates(entries, order);
    seg.entries.reserve(entries.size());
    seg.dropped.reserve(entries.size());
    for (uint32_t sent : order) {
        seg.entries.push_back(std::move(entries[sent]));
        seg.dropped.push_back(dup[sent] || (sent < ignored.size() && ignored[sent]));
    }
    seg.sent_position = std::move(order);
    seg.parent_dir = parent_dir;
    seg.io_error = io_error;
    auto added = dirs_.add_segment(seg.entries, seg.dropped);
    if (!added) return Unexpected{added.error()};
    segments_.push_back(std::move(seg));
    return segments_.size() - 1;
}

const FlistSegment* FileList::segment_of(int32_t ndx) const {
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
        if (ndx >= it->ndx_start - 1 &&
            ndx < it->ndx_start + static_cast<int32_t>(it->entries.size()))
            return &*it;
    }
    return nullptr;
}

const protocol::FileEntry* FileList::find_name(size_t seg, std::string_view name) const {
    const FlistSegment& s = segments_.at(seg);
    for (const bool as_dir : {true, false}) {
        const protocol::SortName key{name, as_dir};
        auto it = std::lower_bound(s.entries.begin(), s.entries.end(), key,
                                   [](const protocol::FileEntry& e, protocol::SortName k) {
                                       return protocol::compare_sort_names(
                                                  protocol::sort_name(e), k) < 0;
                                   });
        for (; it != s.entries.end() &&
               protocol::compare_sort_names(protocol::sort_name(*it), key) == 0;
             ++it) {
            if (!s.dropped[static_cast<size_t>(it - s.entries.begin())]) return &*it;
        }
    }
    return nullptr;
}

const protocol::FileEntry* FileList::find(int32_t ndx) const {
    const FlistSegment* seg = segment_of(ndx);
    if (!seg || seg->finished || ndx < seg->ndx_start) return nullptr;
    auto i = static_cast<size_t>(ndx - seg->ndx_start);
    if (seg->dropped[i]) return nullptr;
    return &seg->entries[i];
}

// Segment k starts at first_start + (entries of the k earlier segments) + k: one index per
// segment is its parent-directory slot.
int64_t FileList::position(int32_t ndx, size_t seg) const {
    if (segments_.empty()) return 0;
    return int64_t{ndx} - segments_.front().ndx_start - static_cast<int64_t>(seg);
}

int64_t FileList::last_position(size_t seg) const {
    const FlistSegment& s = segments_.at(seg);
    return position(s.ndx_start, seg) + static_cast<int64_t>(s.entries.size()) - 1;
}

size_t FileList::entry_count() const {
    size_t n = 0;
    for (const auto& s : segments_) n += s.entries.size();
    return n;
}

}  // namespace ursync::roles
