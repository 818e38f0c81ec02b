// Sending the file list: the first list, incremental segments in depth-first order, ndx lookup.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "engine/task.h"
#include "protocol/flist_codec.h"
#include "protocol/ndx.h"
#include "roles/common/file_list.h"
#include "roles/common/flist_progress.h"
#include "roles/common/session_context.h"
#include "roles/send/flist_build.h"
#include "roles/send/send_buffer.h"
#include "roles/send/send_xattrs.h"
#include "session/session_error.h"

namespace ursync::roles {

// rsync's "File list size" of a sending client counts the bytes its output buffer actually
// wrote to the socket while the list was sent (small lists: 0). This models that buffer:
// 64 KiB (ROUND_UP_1024(IO_BUFFER_SIZE * 2)) with a 4-byte frame header, written out when an
// addition does not fit, emptied whenever the sender waits for input.
struct StockOutputModel {
    static constexpr size_t k_size_bytes = 64 * 1024;
    static constexpr size_t k_header_bytes = 4;
    size_t buffered = 0;
    int64_t written = 0;
    void add(size_t n) {
        if (buffered + n + k_header_bytes > k_size_bytes && buffered > 0) {
            written += static_cast<int64_t>(buffered + k_header_bytes);
            buffered = 0;
        }
        buffered += n;
    }
    void flushed() { buffered = 0; }
};

// Entries kept announced beyond the segment being worked on (rsync MIN_FILECNT_LOOKAHEAD).
inline constexpr size_t k_flist_lookahead_entries = 1000;
// How far ursync's sender goes past that: a stock generator holds its NDX_DONEs until it waits,
// so with rsync's window both ends take turns; past the window every segment is flushed as it
// is built. 20,000-file no-op pull, stock client: 0.187 s with 1000, 0.149 s with 3000.
inline constexpr size_t k_flist_extra_lookahead_entries = 4000;
// Directories whose listing is started ahead of the one being sent (incremental recursion).
inline constexpr size_t k_scan_ahead_dirs = 8;

class SendList {
  public:
    SendList(Session& s, FlistBuilder& builder, SendBuffer& out, protocol::NdxState& ndx_out);

    // Builds and sends the first (or only) list: its end marker, the id lists without
    // incremental recursion, and, with it, NDX_FLIST_EOF or (when the list has exactly one
    // entry) one more segment. mirrors rsync flist.c:send_file_list
    engine::Task<session::SessionResult<void>> send_first(const std::vector<std::string>& sources);

    // Incremental recursion: sends segments (depth-first) until at least `ahead` entries wait
    // in segments after the one being worked on, or all are sent (then NDX_FLIST_EOF).
    // mirrors rsync flist.c:send_extra_file_list
    engine::Task<session::SessionResult<void>> send_more(size_t ahead);

    bool eof() const { return eof_; }
    // While set, each entry about to be sent is counted on it (the " N files..." lines).
    void set_flist_progress(FlistProgress* progress) { flist_progress_ = progress; }
    // The segment of the last request (rsync's cur_flist on the sender), none once every
    // segment is finished.
    std::optional<size_t> current_segment() const;
    // The sender is about to wait for input (stock flushes its output then).
    void output_flushed() { stock_out_.flushed(); }
    FlistBuilder& builder() { return builder_; }
    // With -X: the lists sent, for the generator's requests.
    SendXattrs* xattrs() { return xattrs_.get(); }
    FileList& list() { return list_; }
    const FileList& list() const { return list_; }

    // The entry a request names: an unfinished segment's entry (not a dropped duplicate), or
    // its parent-directory slot ndx_start - 1 when that directory exists. Anything else is a
    // protocol error (the message names the index). Remembers the segment as the current one.
    struct Item {
        const protocol::FileEntry* entry = nullptr;
        SendInfo* info = nullptr;
    };
    Expected<Item, session::SessionError> lookup(int32_t ndx);
    // The same without changing the current segment.
    Expected<Item, session::SessionError> peek(int32_t ndx) {
        const size_t saved = current_seg_;
        auto found = lookup(ndx);
        current_seg_ = saved;
        return found;
    }
    // What the sender knows of entries[idx] of segment `seg` (no lookup side effects).
    const SendInfo& info_at(size_t seg, size_t idx) const { return seg_info_[seg].info[idx]; }

    // NDX_DONE from the generator while segments remain: the oldest unfinished one is done.
    // Returns false when none is left unfinished.
    bool finish_oldest();
    size_t unfinished_segments() const;

  private:
    struct SegmentInfo {
        std::vector<SendInfo> info;  // sorted like FlistSegment::entries
    };
    struct DirLoc {
        size_t seg = 0;
        size_t idx = 0;
    };

    // Encodes `entries` (send order) as one list body + end marker, adds them to the FileList.
    engine::Task<session::SessionResult<void>> emit_segment(std::vector<BuiltEntry> entries,
                                                            int64_t parent_dir);
    engine::Task<session::SessionResult<void>> send_one_segment();
    void push_child_dirs(size_t seg);
    size_t entries_after_current() const;

    Session& s_;
    FlistBuilder& builder_;
    SendBuffer& out_;
    protocol::NdxState& ndx_out_;
    protocol::FlistOptions fopts_;
    protocol::FlistCodecState codec_;
    std::unique_ptr<SendXattrs> xattrs_;
    FileList list_;
    std::vector<SegmentInfo> seg_info_;
    std::vector<DirLoc> dir_loc_;       // by dir_ndx
    std::vector<size_t> pending_dirs_;  // dir_ndx values still to send; back() is next
    std::map<std::pair<uint64_t, uint64_t>, int32_t> hlink_first_;  // (dev, ino) -> first ndx
    StockOutputModel stock_out_;
    FlistProgress* flist_progress_ = nullptr;
    size_t current_seg_ = 0;
    size_t first_unfinished_ = 0;
    bool eof_ = false;
};

}  // namespace ursync::roles
