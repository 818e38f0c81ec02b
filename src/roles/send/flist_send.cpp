// File-list sending: encoding segments, hard-link first members, the depth-first segment walk.
#include "roles/send/flist_send.h"

#include <algorithm>
#include <chrono>

#include "protocol/flist_dirs.h"
#include "protocol/flist_sort.h"
#include "protocol/mux_frame.h"
#include "protocol/varint.h"
#include "roles/send/send_yield.h"

namespace ursync::roles {

using session::SessionError;
using session::SessionResult;

namespace {

int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

}  // namespace

SendList::SendList(Session& s, FlistBuilder& builder, SendBuffer& out, protocol::NdxState& ndx_out)
    : s_(s),
      builder_(builder),
      out_(out),
      ndx_out_(ndx_out),
      fopts_(flist_options_for(s.options, s.params)) {
    if (s.options.xattrs > 0) {
        const FilterList& rules = builder.filters();
        xattrs_ = std::make_unique<SendXattrs>(
            s, XattrNames{s.options.xattrs, false, rules.has_xattr_rules() ? &rules : nullptr,
                          FilterSide::sender});
    }
}

engine::Task<SessionResult<void>> SendList::emit_segment(std::vector<BuiltEntry> entries,
                                                         int64_t parent_dir) {
    const bool inc = s_.params.inc_recurse;
    int32_t ndx_start = inc ? 1 : 0;
    if (!list_.segments().empty()) {
        const auto& last = list_.segments().back();
        auto next = protocol::next_ndx_start(last.ndx_start, last.entries.size());
        if (!next) co_return session::fail("too many files in the file list", ExitCode::protocol);
        ndx_start = *next;
    }
    if (entries.size() > size_t{protocol::k_ndx_max} - static_cast<size_t>(ndx_start))
        co_return session::fail("too many files in the file list", ExitCode::protocol);
    const int32_t io_error_before = s_.state.io_error;
    protocol::SegmentContext ctx{ndx_start, {}};
    std::vector<protocol::XattrList> xattr_lists;
    if (xattrs_) xattr_lists = co_await xattrs_->read(builder_, entries);
    PeriodicYield guard(s_.engine);
    for (size_t i = 0; i < entries.size(); ++i) {
        co_await guard.tick();
        if (flist_progress_) flist_progress_->maybe_emit(i);
        protocol::FileEntry& e = entries[i].entry;
        const SendInfo& info = entries[i].info;
        if (fopts_.preserve_hard_links && !e.is_dir() && info.nlink > 1 && e.mode != 0) {
            const auto key = std::make_pair(info.dev, info.ino);
            const int32_t me = ndx_start + static_cast<int32_t>(i);
            auto [it, is_new] = hlink_first_.emplace(key, me);
            e.hlink.linked = true;
            e.hlink.first = is_new;
            e.hlink.first_ndx = it->second;
        }
        const size_t before = out_.w().size();
        auto enc = protocol::encode_entry(out_.w(), codec_, fopts_, e, ctx);
        if (!enc) co_return Unexpected{session::from_wire(enc.error(), "")};
        if (xattrs_) xattrs_->put(out_.w(), e, std::move(xattr_lists[i]));
        stock_out_.add(out_.w().size() - before);
        s_.stats.num_files.add(e.mode);
        if (e.is_regular() || e.is_symlink()) s_.stats.total_size += e.size;
        auto sent = co_await out_.commit();
        if (!sent) co_return sent;
    }
    // An io_error met while building this segment travels in its end marker (safe flist).
    const int32_t seg_error =
        (s_.state.io_error != io_error_before || list_.segments().empty()) ? s_.state.io_error : 0;
    const int32_t marker_error = s_.options.ignore_errors ? 0 : seg_error;
    if (!protocol::encode_end_of_list(out_.w(), fopts_, marker_error)) {
        // Without safe flist the error goes in MSG_IO_ERROR instead (rsync protocol 30).
        auto flushed = co_await out_.flush();
        if (!flushed) co_return flushed;
        protocol::ByteWriter msg;
        protocol::put_int(msg, marker_error);
        auto m = co_await out_.mux().send_message(protocol::MsgCode::io_error, msg.bytes());
        if (!m) co_return m;
    }
    std::vector<protocol::FileEntry> wire;
    std::vector<SendInfo> info;
    wire.reserve(entries.size());
    info.reserve(entries.size());
    for (auto& b : entries) {
        wire.push_back(std::move(b.entry));
        info.push_back(std::move(b.info));
    }
    auto added = list_.add_segment(std::move(wire), parent_dir, inc);
    if (!added) co_return Unexpected{session::from_wire(added.error(), "")};
    FlistSegment& seg = list_.segments()[*added];
    if (seg.ndx_start != ndx_start)
        co_return session::fail("internal file-list numbering mismatch", ExitCode::protocol);
    SegmentInfo si;
    si.info.reserve(info.size());
    for (uint32_t sent_pos : seg.sent_position) si.info.push_back(std::move(info[sent_pos]));
    seg_info_.push_back(std::move(si));
    for (size_t i = 0; i < seg.entries.size(); ++i)
        if (seg.entries[i].is_dir()) dir_loc_.push_back(DirLoc{*added, i});
    if (inc) push_child_dirs(*added);
    co_return SessionResult<void>{};
}

// The directories of segment `seg` still to expand, pushed so that the first (in sorted order)
// is expanded next: rsync's dir_flist tree walked depth-first (add_dirs_to_tree).
void SendList::push_child_dirs(size_t seg) {
    const FlistSegment& s = list_.segments()[seg];
    std::vector<size_t> kids;
    // The segment's directories were appended to the table last, in sorted order.
    size_t dirs = 0;
    for (const auto& e : s.entries)
        if (e.is_dir()) ++dirs;
    const size_t first_dir = list_.dirs().size() - dirs;
    size_t d = first_dir;
    for (size_t i = 0; i < s.entries.size(); ++i) {
        if (!s.entries[i].is_dir()) continue;
        const size_t dir_ndx = d++;
        // "." was listed with the first segment; every other directory gets a segment, an
        // empty one when its contents are not sent (rsync send1extra).
        if (s.entries[i].name == ".") continue;
        kids.push_back(dir_ndx);
    }
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) pending_dirs_.push_back(*it);
}

engine::Task<SessionResult<void>> SendList::send_first(const std::vector<std::string>& sources) {
    const auto build_start = std::chrono::steady_clock::now();
    auto built = co_await builder_.build_top(sources);
    if (!built) co_return Unexpected{std::move(built).error()};
    s_.stats.flist_buildtime_ms = std::max<int64_t>(1, elapsed_ms(build_start));
    const auto xfer_start = std::chrono::steady_clock::now();
    const int64_t written_before = stock_out_.written;

    auto emitted = co_await emit_segment(std::move(*built), -1);
    if (!emitted) co_return emitted;
    if (protocol::id_lists_present(fopts_)) {
        std::string uid0, gid0;
        if (s_.params.id0_names) {
            uid0 = co_await builder_.user0_name();
            gid0 = co_await builder_.group0_name();
        }
        auto ids = protocol::encode_id_lists(out_.w(), fopts_, codec_, uid0, gid0);
        if (!ids) co_return Unexpected{session::from_wire(ids.error(), "")};
    }
    s_.stats.flist_size = stock_out_.written - written_before;
    s_.stats.flist_xfertime_ms = elapsed_ms(xfer_start);
    if (s_.params.inc_recurse) {
        if (pending_dirs_.empty()) {
            protocol::put_ndx(out_.w(), ndx_out_, protocol::k_ndx_flist_eof);
            eof_ = true;
        } else if (list_.segments().front().entries.size() == 1) {
            // One entry only: one more segment (or the end) follows at once, so the receiver
            // can tell a single-file transfer. mirrors send_extra_file_list(f, 1)
            auto more = co_await send_more(1);
            if (!more) co_return more;
        }
    } else {
        eof_ = true;
    }
    // A client flushes the first list at once (rsync client_run); a server leaves it buffered
    // with the segments that follow until it waits for the generator, so that its client reads
    // them together, as from stock.
    if (s_.am_server) co_return SessionResult<void>{};
    stock_out_.flushed();
    co_return co_await out_.flush();
}

size_t SendList::entries_after_current() const {
    size_t n = 0;
    const auto& segs = list_.segments();
    for (size_t i = current_seg_ + 1; i < segs.size(); ++i) n += segs[i].entries.size();
    return n;
}

engine::Task<SessionResult<void>> SendList::send_more(size_t ahead) {
    while (!eof_ && entries_after_current() < ahead) {
        auto r = co_await send_one_segment();
        if (!r) co_return r;
    }
    if (ahead < k_flist_lookahead_entries) co_return SessionResult<void>{};
    // Past rsync's window each segment goes out as soon as it is built (the receiver already
    // has rsync's window in hand: this only keeps it from running dry).
    while (!eof_ && entries_after_current() < k_flist_extra_lookahead_entries) {
        stock_out_.flushed();
        auto f = co_await out_.flush();
        if (!f) co_return f;
        auto r = co_await send_one_segment();
        if (!r) co_return r;
    }
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> SendList::send_one_segment() {
    if (pending_dirs_.empty()) {
        protocol::put_ndx(out_.w(), ndx_out_, protocol::k_ndx_flist_eof);
        eof_ = true;
        co_return SessionResult<void>{};
    }
    const size_t dir_ndx = pending_dirs_.back();
    pending_dirs_.pop_back();
    if (!list_.dirs().active(dir_ndx)) co_return SessionResult<void>{};  // a stray duplicate
    // The next directories are listed by worker jobs while this one is sent.
    for (size_t n = 1; n <= k_scan_ahead_dirs && n <= pending_dirs_.size(); ++n) {
        const size_t next = pending_dirs_[pending_dirs_.size() - n];
        if (!list_.dirs().active(next)) continue;
        const DirLoc loc = dir_loc_[next];
        BuiltEntry ahead{list_.segments()[loc.seg].entries[loc.idx], seg_info_[loc.seg].info[loc.idx]};
        co_await builder_.scan_ahead(ahead);
    }
    std::vector<BuiltEntry> entries;
    {
        const DirLoc loc = dir_loc_[dir_ndx];
        BuiltEntry dir{list_.segments()[loc.seg].entries[loc.idx],
                       seg_info_[loc.seg].info[loc.idx]};
        auto listed = co_await builder_.list_contents(dir, entries);
        if (!listed) co_return listed;
    }
    // Duplicates of this directory (same name, dropped by the receiver) are sent in the same
    // segment. mirrors the FLAG_DUPLICATE loop of rsync send_extra_file_list
    while (!pending_dirs_.empty() && !list_.dirs().active(pending_dirs_.back()) &&
           list_.dirs().name(pending_dirs_.back()) == list_.dirs().name(dir_ndx)) {
        const DirLoc loc = dir_loc_[pending_dirs_.back()];
        pending_dirs_.pop_back();
        BuiltEntry dup{list_.segments()[loc.seg].entries[loc.idx],
                       seg_info_[loc.seg].info[loc.idx]};
        auto listed = co_await builder_.list_contents(dup, entries);
        if (!listed) co_return listed;
    }
    const int64_t written_before = stock_out_.written;
    protocol::put_ndx(out_.w(), ndx_out_, protocol::segment_ndx(dir_ndx));
    auto emitted = co_await emit_segment(std::move(entries), static_cast<int64_t>(dir_ndx));
    if (!emitted) co_return emitted;
    s_.stats.flist_size += stock_out_.written - written_before;
    if (pending_dirs_.empty()) {
        protocol::put_ndx(out_.w(), ndx_out_, protocol::k_ndx_flist_eof);
        eof_ = true;
    }
    co_return SessionResult<void>{};
}

Expected<SendList::Item, SessionError> SendList::lookup(int32_t ndx) {
    auto& segs = list_.segments();
    for (size_t i = first_unfinished_; i < segs.size(); ++i) {
        const FlistSegment& seg = segs[i];
        const int64_t end = int64_t{seg.ndx_start} + static_cast<int64_t>(seg.entries.size());
        if (ndx < seg.ndx_start - 1 || ndx >= end) continue;
        if (ndx == seg.ndx_start - 1) {
            // The segment's own directory (an incremental list's parent slot).
            if (!s_.params.inc_recurse) break;
            if (seg.parent_dir >= 0) {
                const DirLoc loc = dir_loc_[static_cast<size_t>(seg.parent_dir)];
                current_seg_ = i;
                return Item{&segs[loc.seg].entries[loc.idx], &seg_info_[loc.seg].info[loc.idx]};
            }
            // The first segment: index 0 names its "." entry when it starts with one.
            if (i == 0 && !seg.entries.empty() && seg.entries[0].name == "." && !seg.dropped[0]) {
                current_seg_ = i;
                return Item{&seg.entries[0], &seg_info_[0].info[0]};
            }
            break;
        }
        const auto k = static_cast<size_t>(ndx - seg.ndx_start);
        if (seg.dropped[k]) {
            return Unexpected{
                SessionError{"refusing transfer of cleared file index " + std::to_string(ndx),
                             ExitCode::protocol}};
        }
        current_seg_ = i;
        return Item{&seg.entries[k], &seg_info_[i].info[k]};
    }
    int64_t first = 0, last = -1;
    if (first_unfinished_ < segs.size()) {
        first = segs[first_unfinished_].ndx_start - 1;
        last =
            int64_t{segs.back().ndx_start} + static_cast<int64_t>(segs.back().entries.size()) - 1;
    }
    return Unexpected{SessionError{"File-list index " + std::to_string(ndx) + " not in " +
                                       std::to_string(first) + " - " + std::to_string(last) +
                                       " (send_files) [sender]",
                                   ExitCode::protocol}};
}

bool SendList::finish_oldest() {
    auto& segs = list_.segments();
    if (first_unfinished_ >= segs.size()) return false;
    // The entries stay: directories of a finished segment may still be expanded later.
    segs[first_unfinished_].finished = true;
    ++first_unfinished_;
    if (current_seg_ < first_unfinished_) current_seg_ = first_unfinished_;
    return true;
}

std::optional<size_t> SendList::current_segment() const {
    if (current_seg_ >= list_.segments().size()) return std::nullopt;
    return current_seg_;
}

size_t SendList::unfinished_segments() const {
    return list_.segments().size() - first_unfinished_;
}

}  // namespace ursync::roles
