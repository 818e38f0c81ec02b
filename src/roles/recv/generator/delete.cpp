// Deleting extraneous files: directory scans compared with the file list, recursive removal in
// rsync's order, MSG_DELETED / "deleting" lines, --max-delete, NDX_DEL_STATS.
#include "roles/recv/generator/delete.h"

#include <algorithm>
#include <cstring>

#include "fs/rel_path.h"
#include "fs/scan.h"
#include "protocol/flist_dirs.h"
#include "protocol/flist_sort.h"
#include "protocol/varint.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_backup.h"

namespace ursync::roles {

namespace {

struct LocalItem {
    std::string name;
    uint32_t mode = 0;
};

// Adds the segments not yet indexed to the "names in the list, per directory" index.
void index_children(const RecvContext& ctx, DeleteState& d) {
    const auto& segs = ctx.flist.segments();
    for (; d.children_indexed < segs.size(); ++d.children_indexed) {
        const auto& seg = segs[d.children_indexed];
        for (size_t i = 0; i < seg.entries.size(); ++i) {
            const auto& name = seg.entries[i].name;
            if (name == "." || seg.dropped[i]) continue;
            std::string_view dir = protocol::dir_part(name);
            std::string key = dir.empty() ? std::string(".") : std::string(dir);
            d.list_children[key].insert(name.substr(dir.empty() ? 0 : dir.size() + 1));
        }
    }
}

// One directory's entries in rsync's sorted order (files first, then directories).
engine::Task<fs::FsResult<std::vector<LocalItem>>> list_dir(RecvContext& ctx,
                                                            const std::string& rel) {
    auto scanned = co_await fs::scan_dir(*ctx.root, rel);
    if (!scanned) co_return Unexpected{std::move(scanned).error()};
    std::vector<LocalItem> items;
    for (auto& d : *scanned) {
        if (!d.attrs) continue;  // vanished meanwhile
        // Excluded (or protected) names are not ours to delete (rsync's get_dirlist filter).
        const std::string path = fs::join_rel(rel, d.name);
        if (ctx.filters.excluded(path, d.attrs->is_dir(), FilterSide::receiver)) continue;
        if (items.size() >= k_delete_dir_entries_max) break;
        items.push_back({std::move(d.name), d.attrs->mode});
    }
    std::stable_sort(items.begin(), items.end(), [](const LocalItem& a, const LocalItem& b) {
        return protocol::compare_sort_names({a.name, protocol::mode_is_dir(a.mode)},
                                            {b.name, protocol::mode_is_dir(b.mode)}) < 0;
    });
    co_return items;
}

// rsync log.c:log_delete: MSG_DELETED from a server, a "deleting" line on a client.
engine::Task<SessionResult<void>> log_delete(RecvContext& ctx, GenState& g, const std::string& rel,
                                             uint32_t mode) {
    const auto& o = ctx.s.options;
    if (ctx.s.am_server) {
        auto f = co_await flush_requests(ctx, g, true);
        if (!f) co_return f;
        std::string payload = rel;
        if (protocol::mode_is_dir(mode)) payload.push_back('\0');
        // A local copy's sender prints it in order with the lines of records and copies.
        if (ctx.link && ctx.link->sender) ctx.link->deleted_seqs.push_back(ctx.link->next_seq++);
        co_return co_await ctx.s.out.send_message(protocol::MsgCode::deleted,
                                                  protocol::as_bytes(payload));
    }
    if (o.info.level(cli::InfoWord::del) < 1 && o.stdout_format.empty())
        co_return SessionResult<void>{};
    // rsync's %n ends a directory's name with '/', deleted ones too: the name is given whole
    // and the item typeless, so the formatter adds nothing.
    protocol::FileEntry e;
    e.name = protocol::mode_is_dir(mode) ? rel + "/" : rel;
    LogItem item;
    item.file = &e;
    item.name = e.name;
    item.iflags = k_item_deleted;
    const std::string fmt = o.stdout_format_has_o_or_i ? o.stdout_format : "deleting %n";
    ctx.s.output.info(format_log_line(fmt, item, ctx.log_ctx) + "\n");
    co_return SessionResult<void>{};
}


bool at_delete_limit(RecvContext& ctx) {
    const auto& max = ctx.s.options.max_delete;
    return max && ctx.stats.deleted_files.total >= *max;
}

engine::Task<SessionResult<bool>> delete_item(RecvContext& ctx, GenState& g, const std::string& rel,
                                              uint32_t mode, bool contents_gone = false);

// What is inside directory `rel`, depth first; false: something stayed.
// mirrors rsync delete.c:delete_dir_contents (with DEL_RECURSE)
engine::Task<SessionResult<bool>> delete_contents(RecvContext& ctx, GenState& g,
                                                  const std::string& rel) {
    auto items = co_await list_dir(ctx, rel);
    if (!items) co_return true;  // rsync's get_dirlist: nothing listed, nothing left
    bool all_gone = true;
    for (size_t j = items->size(); j-- > 0;) {
        const auto& it = (*items)[j];
        const std::string child = fs::join_rel(rel, it.name);
        // A subdirectory is emptied first, then removed (or counted at the limit) whatever
        // stayed in it, as rsync does.
        if (protocol::mode_is_dir(it.mode)) {
            auto r = co_await delete_contents(ctx, g, child);
            if (!r) co_return r;
            all_gone = all_gone && *r;
        }
        auto r = co_await delete_item(ctx, g, child, it.mode, true);
        if (!r) co_return r;
        all_gone = all_gone && *r;
    }
    if (!all_gone) ctx.s.output.info("cannot delete non-empty directory: " + rel + "\n");
    co_return all_gone;
}

// Removes one item (a directory with its contents first, unless `contents_gone`). False:
// something stayed. mirrors rsync delete.c:delete_item
engine::Task<SessionResult<bool>> delete_item(RecvContext& ctx, GenState& g, const std::string& rel,
                                              uint32_t mode, bool contents_gone) {
    if (protocol::mode_is_dir(mode) && !contents_gone) {
        auto r = co_await delete_contents(ctx, g, rel);
        if (!r || !*r) co_return r;
    }
    if (at_delete_limit(ctx)) {
        g.del.skipped++;
        co_return false;
    }
    // A dry run reports what it would delete (rsync's syscall wrappers succeed doing nothing).
    fs::FsResult<void> removed;
    if (ctx.s.options.dry_run) {
    } else if (protocol::mode_is_dir(mode)) {
        removed = co_await ctx.root->rmdir(rel);
    } else if (ctx.backup && (ctx.s.options.backup_dir || !is_backup_name(ctx, rel))) {
        // -b: a deleted file is kept as a backup (rsync's delete_item calls make_backup).
        if (!(co_await make_backup(ctx, rel))) co_return false;
    } else {
        removed = co_await ctx.root->unlink(rel);
    }
    if (!removed) {
        const int err = removed.error().err;
        if (protocol::mode_is_dir(mode) && err == ENOTEMPTY) {
            ctx.s.output.info("cannot delete non-empty directory: " + rel + "\n");
            co_return false;
        }
        if (err == ENOENT) co_return true;
        report_xfer_error(ctx, std::string("delete_file: ") +
                                   (protocol::mode_is_dir(mode) ? "rmdir" : "unlink") + "(" +
                                   rel + ") failed: " + std::strerror(err) + " (" +
                                   std::to_string(err) + ")");
        co_return false;
    }
    auto logged = co_await log_delete(ctx, g, rel, mode);
    if (!logged) co_return Unexpected{std::move(logged).error()};
    ctx.stats.deleted_files.add(mode);
    co_return true;
}

const char* type_desc(uint32_t mode) {
    if (protocol::mode_is_regular(mode)) return "regular file";
    if (protocol::mode_is_dir(mode)) return "directory";
    if (protocol::mode_is_symlink(mode)) return "symlink";
    if (protocol::mode_is_device(mode)) return "device file";
    return "special file";
}

bool deletion_suppressed(RecvContext& ctx, DeleteState& d) {
    if (!(ctx.s.state.io_error & k_ioerr_general) || ctx.s.options.ignore_errors) return false;
    if (!d.io_error_warned) {
        ctx.s.output.info("IO error encountered -- skipping file deletion\n");
        d.io_error_warned = true;
    }
    return true;
}

}  // namespace

engine::Task<SessionResult<void>> delete_in_dir(RecvContext& ctx, GenState& g, EntryRef dir) {
    if (ctx.dry_dest_missing || ctx.local_name || !ctx.root) co_return SessionResult<void>{};
    if (ctx.state(dir).missing_dir) co_return SessionResult<void>{};
    if (deletion_suppressed(ctx, g.del)) co_return SessionResult<void>{};
    index_children(ctx, g.del);
    const std::string rel = ctx.entry(dir).name;
    auto items = co_await list_dir(ctx, rel);
    if (!items) co_return SessionResult<void>{};  // rsync's get_dirlist: nothing to compare
    const auto found = g.del.list_children.find(rel);
    for (size_t i = items->size(); i-- > 0;) {
        const auto& it = (*items)[i];
        if (found != g.del.list_children.end() && found->second.count(it.name)) continue;
        const std::string path = fs::join_rel(rel, it.name);
        if (ctx.s.options.delete_mode == cli::DeleteMode::delay) {
            g.del.delayed.emplace_back(path, it.mode);
            continue;
        }
        auto r = co_await delete_item(ctx, g, path, it.mode);
        if (!r) co_return Unexpected{std::move(r).error()};
    }
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> delete_missing(RecvContext& ctx, GenState& g,
                                                const std::string& rel, uint32_t current_mode) {
    if (ctx.filters.excluded(rel, protocol::mode_is_dir(current_mode), FilterSide::receiver))
        co_return SessionResult<void>{};
    auto r = co_await delete_item(ctx, g, rel, current_mode);
    if (!r) co_return Unexpected{std::move(r).error()};
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<bool>> make_room(RecvContext& ctx, GenState& g, const std::string& rel,
                                            uint32_t current_mode, uint32_t wanted_mode) {
    const auto& o = ctx.s.options;
    bool ok = true;
    if (protocol::mode_is_dir(current_mode)) {
        // Its contents go only with --delete or --force (rsync's DEL_RECURSE); they count
        // against --max-delete, the item itself does not (DEL_MAKE_ROOM).
        if (o.force_delete || o.delete_mode != cli::DeleteMode::none) {
            auto r = co_await delete_contents(ctx, g, rel);
            if (!r) co_return r;
            ok = *r;
        } else {
            auto items = co_await list_dir(ctx, rel);
            ok = !items || items->empty();
            if (!ok) ctx.s.output.info("cannot delete non-empty directory: " + rel + "\n");
        }
        if (ok && !o.dry_run) {
            auto removed = co_await ctx.root->rmdir(rel);
            if (!removed && removed.error().err != ENOENT) {
                if (removed.error().err == ENOTEMPTY)
                    ctx.s.output.info("cannot delete non-empty directory: " + rel + "\n");
                else
                    report_xfer_error(ctx, "delete_file: rmdir(" + rel + ") failed: " +
                                               std::strerror(removed.error().err));
                ok = false;
            }
        }
    } else if (!o.dry_run && ctx.backup && (o.backup_dir || !is_backup_name(ctx, rel))) {
        // -b: what is in the way is kept as a backup (rsync's delete_item calls make_backup).
        ok = co_await make_backup(ctx, rel);
    } else if (!o.dry_run) {
        auto removed = co_await ctx.root->unlink(rel);
        if (!removed && removed.error().err != ENOENT) {
            report_xfer_error(ctx, "delete_file: unlink(" + rel + ") failed: " +
                                       std::strerror(removed.error().err));
            ok = false;
        }
    }
    if (!ok) {
        // rsync's FERROR_XFER line (no "rsync:" prefix), exit 23 at the end
        ctx.s.output.error(std::string("could not make way for new ") + type_desc(wanted_mode) +
                           ": " + rel + "\n");
        ctx.s.state.partial = true;
    }
    co_return ok;
}

engine::Task<void> finish_delete_during(RecvContext& ctx, GenState& g) {
    (void)ctx;
    (void)g;
    co_return;
}

engine::Task<SessionResult<void>> do_delete_pass(RecvContext& ctx, GenState& g) {
    if (ctx.dry_dest_missing || !ctx.root) co_return SessionResult<void>{};
    const auto& segs = ctx.flist.segments();
    for (size_t si = 0; si < segs.size(); ++si) {
        for (size_t i = 0; i < segs[si].entries.size(); ++i) {
            const auto& e = segs[si].entries[i];
            if (!e.is_dir() || segs[si].dropped[i] || e.no_content_dir) continue;
            auto st = co_await ctx.root->stat(e.name);
            if (!st || !st->is_dir()) continue;
            auto r = co_await delete_in_dir(ctx, g, EntryRef{si, i});
            if (!r) co_return r;
        }
    }
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> do_delayed_deletions(RecvContext& ctx, GenState& g) {
    auto pending = std::move(g.del.delayed);
    g.del.delayed.clear();
    if (!ctx.root) co_return SessionResult<void>{};
    for (const auto& [path, mode] : pending) {
        auto st = co_await ctx.root->stat(path);
        if (!st) continue;
        auto r = co_await delete_item(ctx, g, path, st->mode);
        if (!r) co_return Unexpected{std::move(r).error()};
    }
    co_return SessionResult<void>{};
}

void report_delete_limit(RecvContext& ctx, const GenState& g) {
    if (!ctx.s.options.max_delete || g.del.skipped == 0) return;
    ctx.s.output.error("Deletions stopped due to --max-delete limit (" +
                       std::to_string(g.del.skipped) + " skipped)\n");
    ctx.s.state.io_error |= k_ioerr_del_limit;
}

void put_del_stats(RecvContext& ctx, protocol::ByteWriter& out) {
    const TypeCounts& d = ctx.stats.deleted_files;
    protocol::put_ndx(out, ctx.ndx_out, protocol::k_ndx_del_stats);
    protocol::put_varint(out, static_cast<int32_t>(d.total - d.dir - d.link - d.dev - d.special));
    protocol::put_varint(out, static_cast<int32_t>(d.dir));
    protocol::put_varint(out, static_cast<int32_t>(d.link));
    protocol::put_varint(out, static_cast<int32_t>(d.dev));
    protocol::put_varint(out, static_cast<int32_t>(d.special));
}

}  // namespace ursync::roles
