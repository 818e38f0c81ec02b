// recv_generator: what the generator does with one entry (create, fix up, or request it).
#include "roles/recv/generator/generator_entry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fs/special.h"
#include "protocol/varint.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_backup.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/core/recv_list.h"
#include "roles/recv/core/transfers.h"
#include "roles/recv/generator/basis_sums.h"
#include "roles/recv/generator/delete.h"
#include "roles/recv/generator/gen_hlink.h"
#include "roles/recv/generator/generator_file.h"
#include "roles/recv/generator/generator_util.h"
#include "roles/recv/generator/recv_altdest.h"

namespace ursync::roles {

namespace {

using protocol::FileEntry;

bool is_below(std::string_view name, std::string_view dir) {
    if (dir == ".") return name != ".";
    return name.size() > dir.size() && name.substr(0, dir.size()) == dir && name[dir.size()] == '/';
}

engine::Task<SessionResult<void>> gen_directory(RecvContext& ctx, GenState& g, GenItem item,
                                                const FileEntry& e, const std::string& name,
                                                std::optional<fs::FileAttrs> st) {
    const auto& o = ctx.s.options;
    RecvEntryState& state = ctx.state(item.ref);
    if (item.is_dir < 0) {
        // Inside its parent's segment: only create it early so the parent's mtime can be set.
        if (!o.times || o.omit_dir_times != 0 || o.dry_run) co_return SessionResult<void>{};
        if (st && st->is_dir()) co_return SessionResult<void>{};
        if (st) {
            const bool room = co_await clear_way(ctx, g, name, *st, e.mode);
            if (!room) co_return SessionResult<void>{};
        }
        auto made = co_await fs::make_directory(*ctx.root, name, (e.mode & 0700));
        if (made && *made) state.dir_created = true;
        co_return SessionResult<void>{};
    }
    if (st && !st->is_dir()) {
        const bool room = co_await clear_way(ctx, g, name, *st, e.mode);
        if (!room) {
            ctx.s.output.error("*** Skipping any contents from this failed directory ***\n");
            g.skip_dir = name;
            state.missing_dir = true;
            co_return SessionResult<void>{};
        }
        st.reset();
    }
    const std::optional<fs::FileAttrs> real_st = st;
    std::optional<fs::FileAttrs> shown = state.dir_created ? std::nullopt : st;
    const uint32_t mode = wanted_mode(ctx, e, shown);
    if (o.dry_run && !real_st) {
        if (!g.dry_missing_dir) g.dry_missing_dir = name;
        state.missing_dir = true;
    }
    // A directory an alternate destination has: not itemized if identical there, else shown
    // against it (rsync's try_dests_non for directories).
    bool itemizing = true;
    uint32_t dir_flags = shown ? 0 : k_item_local_change;
    if (!shown && !ctx.alt_roots.empty()) {
        auto alt = co_await try_dests_non(ctx, e, name);
        if (alt.handled) itemizing = false;
        else if (alt.alt_st) shown = alt.alt_st;
    }
    if (itemizing) maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, shown, dir_flags));
    if (o.dry_run) {
        const bool delete_during =
            cli::delete_during(o.delete_mode);
        if (!ctx.fopts.inc_recurse && delete_during && real_st && !e.no_content_dir) {
            auto d = co_await delete_in_dir(ctx, g, item.ref);
            if (!d) co_return d;
        }
        co_return SessionResult<void>{};
    }
    if (!real_st) {
        auto made = co_await fs::make_directory(*ctx.root, name, mode);
        if (!made) {
            report_xfer_error(ctx, "recv_generator: mkdir \"" + name + "\" failed: " +
                                       std::strerror(made.error().err) + " (" +
                                       std::to_string(made.error().err) + ")");
            ctx.s.output.error("*** Skipping any contents from this failed directory ***\n");
            g.skip_dir = name;
            state.missing_dir = true;
            co_return SessionResult<void>{};
        }
    }
    std::optional<fs::FileAttrs> now = real_st;
    if (!now) now = co_await stat_after(ctx, name);
    if (now) co_await set_attrs_at(ctx, name, e, mode, *now, SetAttrsFlags{});
    // Not root: a directory we cannot write into is opened up (u+rwx) until the end of the
    // run, when touch_up_dirs gives it its real mode (rsync's need_retouch_dir_perms).
    if (now && !ctx.am_root && (mode & 0700) != 0700) {
        auto opened = co_await stat_after(ctx, name);
        if (opened) {
            co_await set_attrs_at(ctx, name, e, mode | 0700, *opened, SetAttrsFlags{});
            state.final_perms = mode;
        }
    }
    // Without incremental recursion a directory's extraneous files go as it is met.
    const bool delete_during =
        cli::delete_during(o.delete_mode);
    if (!ctx.fopts.inc_recurse && delete_during && g.phase == 0 && !state.missing_dir &&
        !e.no_content_dir) {
        auto d = co_await delete_in_dir(ctx, g, item.ref);
        if (!d) co_return d;
    }
    co_return SessionResult<void>{};
}

// --safe-links: a target that is absolute, empty, or climbs out of the transfer (judged against
// the link's own depth; ".." anywhere but in a leading run is unsafe, as rsync 3.4 hardened it).
// mirrors rsync util1.c:unsafe_symlink
bool unsafe_symlink(std::string_view target, std::string_view link_name) {
    if (target.empty() || target.front() == '/') return true;
    int depth = 0;  // directories between the transfer root and the link
    for (size_t pos = 0, slash; (slash = link_name.find('/', pos)) != std::string_view::npos;
         pos = slash + 1) {
        const auto part = link_name.substr(pos, slash - pos);
        if (part == "..") depth = 0;
        else if (!part.empty() && part != ".") depth++;
    }
    bool leading = true;
    size_t pos = 0;
    for (;;) {
        const size_t slash = target.find('/', pos);
        const auto part = target.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
        if (part == "..") {
            if (!leading || --depth < 0) return true;
        } else if (!part.empty() && part != ".") {
            leading = false;
        }
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return false;
}

// The --compare-dest/--copy-dest/--link-dest step shared by symlinks and devices: nothing at
// `name` and an alternate destination holding the same item either finishes the entry
// (compare/link: nothing to create), or lets it be created quietly (copy), or supplies the
// attributes to itemize against. mirrors rsync generator.c:recv_generator's try_dests_non calls
struct AltDestStep {
    bool done = false;
    bool itemizing = true;
    std::optional<fs::FileAttrs> alt_st;
};

engine::Task<AltDestStep> alt_dest_step(RecvContext& ctx, const FileEntry& e,
                                        const std::string& name,
                                        const std::optional<fs::FileAttrs>& st) {
    AltDestStep step;
    if (st || ctx.alt_roots.empty()) co_return step;
    auto alt = co_await try_dests_non(ctx, e, name);
    if (alt.handled && ctx.s.options.alt_dest != cli::AltDestKind::copy) {
        step.done = true;
    } else if (alt.handled) {
        step.itemizing = false;
    } else {
        step.alt_st = alt.alt_st;
    }
    co_return step;
}

engine::Task<SessionResult<void>> gen_symlink(RecvContext& ctx, GenState& g, GenItem item,
                                              const FileEntry& e, const std::string& name,
                                              std::optional<fs::FileAttrs> st) {
    const auto& o = ctx.s.options;
    if (o.safe_links && unsafe_symlink(e.symlink_target, e.name)) {
        if (info_level(ctx, cli::InfoWord::name) >= 1) {
            ctx.s.output.info("ignoring unsafe symlink \"" + name + "\" -> \"" +
                              e.symlink_target + "\"\n");
        }
        co_return SessionResult<void>{};
    }
    if (st && st->is_symlink()) {
        auto target = co_await ctx.root->readlink(name);
        if (target && *target == e.symlink_target) {
            if (!o.dry_run)
                co_await set_attrs_at(ctx, name, e, e.mode, *st,
                                      SetAttrsFlags{false, o.stdout_format_has_i == 0, false});
            maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, st, 0));
            co_return co_await send_success(ctx, item.ndx, 1);
        }
    }
    if (st && st->is_dir()) {
        const bool room = co_await clear_way(ctx, g, name, *st, e.mode);
        if (!room) co_return SessionResult<void>{};
    }
    const AltDestStep alt = co_await alt_dest_step(ctx, e, name, st);
    if (alt.done) co_return SessionResult<void>{};
    const bool itemizing = alt.itemizing;
    std::optional<fs::FileAttrs> alt_st = alt.alt_st;
    if (st && !st->is_dir() && !(co_await backup_in_the_way(ctx, name)))
        co_return SessionResult<void>{};
    if (!o.dry_run) {
        auto made = co_await fs::make_symlink(*ctx.root, name, e.symlink_target);
        if (!made) {
            report_xfer_error(ctx, "symlink \"" + name + "\" -> \"" + e.symlink_target +
                                       "\" failed: " + std::strerror(made.error().err) + " (" +
                                       std::to_string(made.error().err) + ")");
            co_return SessionResult<void>{};
        }
        auto now = co_await stat_after(ctx, name);
        if (now) co_await set_attrs_at(ctx, name, e, e.mode, *now, SetAttrsFlags{});
    }
    if (st && !st->is_symlink()) st.reset();
    if (alt_st) st = alt_st;
    if (itemizing) {
        maybe_record(ctx, g, item.ndx,
                     itemize_flags(ctx, e, st, k_item_local_change | k_item_report_change));
    }
    co_return co_await send_success(ctx, item.ndx, 0);
}

engine::Task<SessionResult<void>> gen_node(RecvContext& ctx, GenState& g, GenItem item,
                                           const FileEntry& e, const std::string& name,
                                           std::optional<fs::FileAttrs> st) {
    const auto& o = ctx.s.options;
    const uint32_t mode = wanted_mode(ctx, e, st);
    if (st && fs::mode_bits_of(st->type) == protocol::mode_type(e.mode)) {
        const bool same = e.is_device()
                              ? st->rdev_major == e.rdev_major && st->rdev_minor == e.rdev_minor
                              : true;
        if (same) {
            if (!o.dry_run)
                co_await set_attrs_at(ctx, name, e, mode, *st,
                                      SetAttrsFlags{false, o.stdout_format_has_i == 0, false});
            maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, st, 0));
            co_return co_await send_success(ctx, item.ndx, 1);
        }
    } else if (st) {
        if (st->is_dir()) {
            const bool room = co_await clear_way(ctx, g, name, *st, e.mode);
            if (!room) co_return SessionResult<void>{};
        } else if (!(co_await backup_in_the_way(ctx, name))) {
            co_return SessionResult<void>{};
        }
        st.reset();
    }
    if (st && !(co_await backup_in_the_way(ctx, name))) co_return SessionResult<void>{};
    const AltDestStep alt = co_await alt_dest_step(ctx, e, name, st);
    if (alt.done) co_return SessionResult<void>{};
    const bool itemizing = alt.itemizing;
    std::optional<fs::FileAttrs> alt_st = alt.alt_st;
    if (!o.dry_run) {
        auto made = co_await fs::make_node(*ctx.root, name, mode, e.rdev_major, e.rdev_minor);
        if (!made) {
            report_xfer_error(ctx, "mknod \"" + name + "\" failed: " +
                                       std::strerror(made.error().err) + " (" +
                                       std::to_string(made.error().err) + ")");
            co_return SessionResult<void>{};
        }
        auto now = co_await stat_after(ctx, name);
        if (now) co_await set_attrs_at(ctx, name, e, mode, *now, SetAttrsFlags{});
    }
    if (alt_st) st = alt_st;
    if (itemizing) {
        maybe_record(ctx, g, item.ndx,
                     itemize_flags(ctx, e, st, k_item_local_change | k_item_report_change));
    }
    co_return co_await send_success(ctx, item.ndx, 1);
}

}  // namespace

engine::Task<SessionResult<void>> recv_generator(RecvContext& ctx, GenState& g, GenItem item) {
    const auto& o = ctx.s.options;
    const FileEntry& e = ctx.entry(item.ref);
    const std::string name = ctx.local_path(e);

    if (o.list_only) {
        if (item.is_dir >= 0) list_file_entry(ctx, e);
        co_return SessionResult<void>{};
    }
    if (g.skip_dir) {
        if (is_below(name, *g.skip_dir)) {
            if (item.is_dir) ctx.state(item.ref).missing_dir = true;
            co_return SessionResult<void>{};
        }
        g.skip_dir.reset();
    }

    std::optional<fs::FileAttrs> st;
    int stat_err = 0;
    if (ctx.dry_dest_missing || (g.dry_missing_dir && is_below(name, *g.dry_missing_dir))) {
        stat_err = 0;  // beneath a directory a dry run did not create: nothing exists
    } else {
        g.dry_missing_dir.reset();
        auto r = co_await ctx.root->stat(name, o.keep_dirlinks && item.is_dir != 0);
        if (r) {
            st = *r;
        } else if (!r.error().not_found()) {
            stat_err = r.error().err;
        }
    }

    if (e.mode == 0 && o.missing_args == cli::MissingArgs::remove) {
        if (st) co_return co_await delete_missing(ctx, g, name, st->mode);
        co_return SessionResult<void>{};
    }
    const auto eff = effective(ctx, g);
    if (eff.existing && !st && stat_err == 0) {
        if (item.is_dir) {
            if (item.is_dir < 0) co_return SessionResult<void>{};
            g.skip_dir = name;
            ctx.state(item.ref).missing_dir = true;
        }
        if (info_level(ctx, cli::InfoWord::skip) >= 1) {
            ctx.s.output.info(std::string("not creating new ") +
                              (item.is_dir ? "directory" : "file") + " \"" + name + "\"\n");
        }
        co_return SessionResult<void>{};
    }
    if (eff.ignore_existing && st && (!item.is_dir || !st->is_dir())) {
        if (info_level(ctx, cli::InfoWord::skip) >= 1 && item.is_dir >= 0)
            ctx.s.output.info(name + " exists\n");
        co_return SessionResult<void>{};
    }

    if (item.is_dir) co_return co_await gen_directory(ctx, g, item, e, name, st);
    if (o.links && e.is_symlink()) co_return co_await gen_symlink(ctx, g, item, e, name, st);
    if ((ctx.am_root && o.devices && e.is_device()) || (o.specials && e.is_special()))
        co_return co_await gen_node(ctx, g, item, e, name, st);
    if (!e.is_regular()) {
        if (info_level(ctx, cli::InfoWord::nonreg) >= 1)
            ctx.s.output.info("skipping non-regular file \"" + name + "\"\n");
        co_return SessionResult<void>{};
    }
    if (hlink_applies(ctx, e) && !g.redo_mode) {
        auto handled = co_await hlink_before(ctx, g, item, st);
        if (!handled) co_return Unexpected{std::move(handled).error()};
        if (*handled) co_return SessionResult<void>{};
        auto r = co_await gen_file(ctx, g, item, e, name, st, stat_err);
        if (!r) co_return r;
        hlink_after(ctx, item);
        co_return co_await process_finished_hlinks(ctx, g);
    }
    co_return co_await gen_file(ctx, g, item, e, name, st, stat_err);
}

engine::Task<SessionResult<void>> process_finished_hlinks(RecvContext& ctx, GenState& g) {
    while (!ctx.hlinks.finished.empty()) {
        auto retry = co_await hlink_next_finished(ctx, g);
        if (!retry) co_return Unexpected{std::move(retry).error()};
        for (const GenItem& item : *retry) {
            // rsync's handle_skipped_hlink: the members left try again, the first leads.
            if (ctx.fopts.inc_recurse) ctx.progress[item.ref.seg].in_progress--;
            ctx.state(item.ref).hlink_retry = true;
            auto r = co_await recv_generator(ctx, g, item);
            if (!r) co_return r;
        }
    }
    co_return SessionResult<void>{};
}

}  // namespace ursync::roles
