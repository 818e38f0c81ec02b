// File-list reception: decode loop, name checks before any use, id mapping, segment bookkeeping.
#include "roles/recv/core/flist_recv.h"

#include <algorithm>
#include <variant>

#include "protocol/flist_dirs.h"
#include "roles/common/flist_progress.h"
#include "roles/recv/core/prune_dirs.h"
#include "roles/recv/core/recv_ids.h"
#include "roles/recv/core/recv_xattrs.h"

namespace ursync::roles {

namespace {

using protocol::FileEntry;

Unexpected<SessionError> wire_fail(const protocol::WireError& e, std::string_view what) {
    return Unexpected{session::from_wire(e, what)};
}

// Entries rsync reads without complaint and then never acts on: an empty name (rsync's
// comparator finds it equal to ".", which wins as the directory, or its generator finds
// nothing to do) and the mode 0 that XMIT_SAME_MODE on a first entry repeats (rsync's
// generator skips it as a non-regular file). They keep their index, nothing more.
bool ignored_entry(const RecvContext& ctx, const FileEntry& e) {
    if (e.name.empty()) return true;
    return !protocol::mode_type_known(e.mode) && !(e.mode == 0 && ctx.fopts.delete_missing_args);
}

// With incremental recursion an entry must lie directly in its segment's directory (an
// empty name lies in the top one). mirrors rsync flist.c:recv_file_list's dirname check
SessionResult<void> check_entry_place(RecvContext& ctx, const FileEntry& e, int64_t dir_ndx) {
    if (ctx.fopts.inc_recurse && !ctx.s.options.relative) {
        auto in_dir = dir_ndx < 0 ? protocol::DirTable::check_top_segment_entry(e.name)
                                  : ctx.flist.dirs().check_segment_entry(
                                        static_cast<size_t>(dir_ndx), e.name);
        if (!in_dir) return wire_fail(in_dir.error(), "file list");
    }
    return {};
}

// Checks one received entry's name before anything uses it as a path.
SessionResult<void> check_entry_name(RecvContext& ctx, FileEntry& e, int64_t dir_ndx) {
    // rsync's name checks pass an empty name (clean_fname is not called for it); it is
    // ignored (ignored_entry).
    if (e.name.empty()) return check_entry_place(ctx, e, dir_ndx);
    auto ok = protocol::check_received_name(e.name, e.is_dir(), ctx.s.options.relative);
    if (!ok) return wire_fail(ok.error(), "file list");
    if (ctx.s.options.relative) {
        size_t strip = e.name.find_first_not_of('/');
        if (strip != 0) e.name.erase(0, strip);
    }
    auto asked = check_requested_name(ctx.requested, e.name, e.is_dir());
    if (!asked) return asked;
    // A directory allowed only as a parent of what was asked for (-R's implied directories)
    // arrives as one, whatever flags the sender set, so --delete never sweeps it.
    // mirrors the implied-parent downgrade in rsync flist.c:recv_file_entry
    if (e.is_dir() && ctx.requested.implied && ctx.s.params.protocol >= 30 &&
        (!e.no_content_dir || !e.top_dir) && ctx.requested.implied->parent_only(e.name)) {
        e.no_content_dir = true;
        e.top_dir = true;
    }
    return check_entry_place(ctx, e, dir_ndx);
}

// Without incremental recursion every entry's directory must be in the list, as a directory:
// a name beneath a symlink (or a file) of the same list, or beneath nothing listed, is a
// hostile sender's, and the run ends before anything is written. rsync's generator makes
// this check entry by entry as it walks the list (after creating what sorts earlier; not for
// --list-only, nor beneath a directory a dry run did not create); checking the whole list as
// it arrives refuses the same lists, with the same message and exit code, before any side
// effect. With --delete-missing-args a missing arg (mode 0) may have a missing-arg parent,
// or none at all (a warning). mirrors the parent check of rsync generator.c:recv_generator
SessionResult<void> check_parents_listed(RecvContext& ctx, size_t seg_pos) {
    if (ctx.fopts.inc_recurse || ctx.s.options.list_only) return {};
    const FlistSegment& seg = ctx.flist.segments()[seg_pos];
    std::string_view checked;  // the directory part last found good ("": the top)
    for (size_t i = 0; i < seg.entries.size(); ++i) {
        if (seg.dropped[i]) continue;
        const FileEntry& e = seg.entries[i];
        const std::string_view dn = protocol::dir_part(e.name);
        if (dn.empty() || dn == "." || dn == checked) continue;
        const FileEntry* parent = ctx.flist.find_name(seg_pos, dn);
        const bool missing_arg = e.mode == 0 && ctx.fopts.delete_missing_args;
        if (parent && (parent->is_dir() || (missing_arg && parent->mode == 0))) {
            checked = dn;
        } else if (missing_arg && !parent) {
            ctx.s.output.error("WARNING: parent dir is absent in the file list: " +
                               std::string(dn) + "\n");
        } else {
            return session::fail("ABORTING due to invalid path from sender: " + e.name,
                                 ExitCode::protocol);
        }
    }
    return {};
}

// -m: the directories of the whole list with nothing but directories beneath them are
// cleared, as duplicates are.
void prune_list(RecvContext& ctx, FlistSegment& seg) {
    std::vector<PruneItem> items(seg.entries.size());
    for (size_t i = 0; i < seg.entries.size(); ++i) {
        const FileEntry& e = seg.entries[i];
        items[i].is_dir = e.is_dir();
        if (!items[i].is_dir) continue;
        items[i].depth = dir_depth(e.name);
        items[i].excluded = ctx.filters.excluded(e.name, true, FilterSide::receiver);
    }
    const std::vector<bool> pruned = prune_empty_dirs(items);
    for (size_t i = 0; i < pruned.size(); ++i)
        if (pruned[i]) seg.dropped[i] = true;
}

// Reads one list/segment up to its end marker and adds it (sorted) to the file list; counts
// the entries on `counts` if given.
engine::Task<SessionResult<size_t>> recv_segment(RecvContext& ctx, int64_t dir_ndx,
                                                 FlistProgress* counts = nullptr) {
    auto& segs = ctx.flist.segments();
    int32_t ndx_start = ctx.fopts.inc_recurse ? 1 : 0;
    if (!segs.empty()) {
        auto next = protocol::next_ndx_start(segs.back().ndx_start, segs.back().entries.size());
        if (!next) co_return wire_fail(next.error(), "file list");
        ndx_start = *next;
    }
    const uint64_t start_read = ctx.s.in.bytes_read();
    std::vector<FileEntry> entries;
    std::vector<bool> ignored;  // indexed like entries (ignored_entry)
    // Sized like the last segment: directories of one tree tend to be alike.
    if (!segs.empty()) entries.reserve(std::min<size_t>(segs.back().entries.size(), 4096));
    int32_t io_error = 0;
    for (;;) {
        protocol::SegmentContext sc{ndx_start, entries};
        auto item = co_await ctx.s.in.decode<protocol::FlistItem>(
            [&ctx, &sc](protocol::ByteCursor& c) {
                return protocol::decode_entry(c, ctx.codec, ctx.fopts, sc);
            },
            "file list");
        if (!item) co_return Unexpected{std::move(item).error()};
        if (auto* end = std::get_if<protocol::FlistEnd>(&*item)) {
            io_error = end->io_error & protocol::k_io_error_valid_mask;
            if (!ctx.s.options.ignore_errors) ctx.s.state.io_error |= io_error;
            break;
        }
        FileEntry e = std::get<FileEntry>(std::move(*item));
        if (ctx.chmod && !e.is_symlink() && e.mode != 0) e.mode = ctx.chmod->apply(e.mode);
        if (ctx.xattrs) {
            auto xl = co_await recv_xattr_list(ctx);
            if (!xl) co_return Unexpected{std::move(xl).error()};
            e.xattr_ndx = *xl;
        }
        auto ok = check_entry_name(ctx, e, dir_ndx);
        if (!ok) co_return Unexpected{std::move(ok).error()};
        if (entries.size() >= k_segment_entries_max) {
            co_return session::fail("file list too long (more than " +
                                        std::to_string(k_segment_entries_max) + " entries)",
                                    ExitCode::stream_io);
        }
        if (e.user_name) note_id_name(ctx, true, e.uid, *e.user_name);
        if (e.group_name) note_id_name(ctx, false, e.gid, *e.group_name);
        ctx.stats.num_files.add(e.mode);
        if (e.is_regular() || e.is_symlink()) ctx.stats.total_size += e.size;
        ignored.push_back(ignored_entry(ctx, e));
        entries.push_back(std::move(e));
        if (counts) counts->maybe_emit(entries.size());
    }

    // Without incremental recursion the uid/gid lists follow the only list.
    if (!ctx.fopts.inc_recurse && protocol::id_lists_present(ctx.fopts)) {
        auto lists = co_await ctx.s.in.decode<protocol::IdLists>(
            [&ctx](protocol::ByteCursor& c) { return protocol::decode_id_lists(c, ctx.fopts); },
            "uid/gid lists");
        if (!lists) co_return Unexpected{std::move(lists).error()};
        if (lists->uids) {
            for (const auto& id : lists->uids->ids) note_id_name(ctx, true, id.id, id.name);
            if (lists->uids->id0_name) note_id_name(ctx, true, 0, *lists->uids->id0_name);
        }
        if (lists->gids) {
            for (const auto& id : lists->gids->ids) note_id_name(ctx, false, id.id, id.name);
            if (lists->gids->id0_name) note_id_name(ctx, false, 0, *lists->gids->id0_name);
        }
    }
    for (auto& e : entries) {
        if (ctx.fopts.preserve_uid) e.uid = co_await map_id(ctx, true, e.uid);
        if (ctx.fopts.preserve_gid) e.gid = co_await map_id(ctx, false, e.gid);
    }

    auto added = ctx.flist.add_segment(std::move(entries), dir_ndx, ctx.fopts.inc_recurse, io_error,
                                       ignored);
    if (!added) co_return wire_fail(added.error(), "file list");
    const size_t seg_pos = *added;
    auto parents = check_parents_listed(ctx, seg_pos);
    if (!parents) co_return Unexpected{std::move(parents).error()};
    FlistSegment& seg = segs[seg_pos];
    if (ctx.s.options.prune_empty_dirs && !ctx.fopts.inc_recurse) prune_list(ctx, seg);
    // The first incremental segment's parent slot (index 0) is its "." entry, if it has one.
    if (ctx.fopts.inc_recurse && seg_pos == 0) {
        bool has_dot = !seg.entries.empty() && seg.entries[0].name == "." &&
                       seg.entries[0].is_dir();
        seg.parent_dir = has_dot ? 0 : -1;
    }
    SegmentProgress progress;
    progress.state.resize(seg.entries.size());
    ctx.progress.push_back(std::move(progress));
    for (size_t i = 0; i < seg.entries.size(); ++i) {
        if (seg.entries[i].is_dir()) ctx.dir_entries.push_back({seg_pos, i});
    }
    ctx.stats.flist_size += static_cast<int64_t>(ctx.s.in.bytes_read() - start_read);
    co_return seg_pos;
}

}  // namespace

engine::Task<SessionResult<void>> recv_flist_marker(RecvContext& ctx, int32_t ndx) {
    if (!ctx.fopts.inc_recurse) {
        co_return session::fail("Invalid file index: " + std::to_string(ndx), ExitCode::protocol);
    }
    if (ndx == protocol::k_ndx_flist_eof) {
        if (ctx.flist_eof) co_return session::fail("duplicate end of file lists", ExitCode::protocol);
        ctx.flist_eof = true;
        ctx.flist.dirs().finish();
        ctx.receiver_progress.notify();
        co_return SessionResult<void>{};
    }
    // rsync 3.4.0+ refuses a segment once every list was freed.
    if (ctx.recv_first_open >= ctx.flist.segments().size()) {
        co_return session::fail("refusing sub-flist after final flist was freed",
                                ExitCode::protocol);
    }
    auto dir_ndx = ctx.flist.dirs().open_segment(ndx);
    if (!dir_ndx) co_return wire_fail(dir_ndx.error(), "file list");
    auto seg = co_await recv_segment(ctx, static_cast<int64_t>(*dir_ndx));
    if (!seg) co_return Unexpected{std::move(seg).error()};
    ctx.receiver_progress.notify();
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> recv_first_file_list(RecvContext& ctx) {
    // A client says what it is doing (rsync flist.c:recv_file_list, start/finish_filelist_progress).
    const auto& o = ctx.s.options;
    const int flist_level = o.info.level(cli::InfoWord::flist);
    FlistProgress progress(ctx.s.output,
                           flist_level >= 1 && o.dirs && !ctx.s.am_server && !ctx.fopts.inc_recurse,
                           flist_level);
    if (progress.shown()) {
        progress.start("receiving file list");
    } else if (ctx.fopts.inc_recurse && flist_level >= 1 && !ctx.s.am_server) {
        ctx.s.output.info("receiving incremental file list\n");
    }
    auto seg = co_await recv_segment(ctx, -1, &progress);
    if (!seg) co_return Unexpected{std::move(seg).error()};
    progress.finish(ctx.flist.segments()[*seg].entries.size());
    if (!ctx.fopts.inc_recurse) {
        ctx.flist_eof = true;
        ctx.flist.dirs().finish();
        co_return SessionResult<void>{};
    }
    if (ctx.flist.segments()[0].entries.size() == 1) {
        auto ndx = co_await ctx.s.in.read_ndx(ctx.ndx_in, "file-list index");
        if (!ndx) co_return Unexpected{std::move(ndx).error()};
        if (*ndx >= protocol::k_ndx_done || *ndx == protocol::k_ndx_del_stats) {
            co_return session::fail("Invalid file index: " + std::to_string(*ndx),
                                    ExitCode::protocol);
        }
        auto r = co_await recv_flist_marker(ctx, *ndx);
        if (!r) co_return r;
    }
    co_return SessionResult<void>{};
}

}  // namespace ursync::roles
