// Alternate destination trees for regular files: exact matches are skipped, linked or copied;
// near matches become the delta basis.
#include "roles/recv/generator/recv_altdest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/source_file.h"
#include "fs/temp_file.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/generator/generator_util.h"

namespace ursync::roles {

namespace {

using cli::AltDestKind;

// rsync generator.c:unchanged_attrs for a regular file.
bool unchanged_attrs(const RecvContext& ctx, const protocol::FileEntry& e, const fs::FileAttrs& st) {
    const auto& o = ctx.s.options;
    if (o.times && mtime_differs(ctx, st, e)) return false;
    if (o.perms && (st.mode & 07777) != (e.mode & 07777)) return false;
    if (!o.perms && o.executability && (((st.mode & 0111) != 0) != ((e.mode & 0111) != 0)))
        return false;
    if (ctx.am_root && o.owner && st.uid != e.uid) return false;
    if (o.group && group_settable(ctx, e.gid) && st.gid != e.gid) return false;
    return true;
}

// Copies alt_roots[j]/name into place (a temp file, its attributes, the rename).
// mirrors rsync generator.c:copy_altdest_file
engine::Task<bool> copy_altdest_file(RecvContext& ctx, size_t j, const protocol::FileEntry& e,
                                     const std::string& name) {
    auto src = co_await ctx.alt_roots[j]->open(name, O_RDONLY);
    if (!src) co_return false;
    auto temp = co_await fs::TempFile::create(*ctx.root, ctx.temps, name,
            fs::k_temp_file_mode, ctx.temp_root.get());
    if (!temp) {
        co_await ctx.s.engine.close(*src);
        co_return false;
    }
    const int in = *src, out = temp->fd();
    const int err = co_await ctx.s.engine.offload([in, out] {
        for (;;) {
            ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1u << 30, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno;
            if (n == 0) return 0;
        }
    });
    co_await ctx.s.engine.close(in);
    if (err != 0) {
        co_await temp->discard();
        co_return false;
    }
    auto st = co_await fs::stat_fd(ctx.s.engine, temp->fd(), temp->temp_rel());
    if (st) {
        co_await set_attrs_fd(ctx, temp->fd(), name, e, wanted_mode(ctx, e, std::nullopt), *st,
                              SetAttrsFlags{true, false, false});
    }
    auto done = co_await temp->commit(ctx.s.options.fsync);
    co_return done.has_value();
}

// A hard link from alt_roots[j]/name to the destination's name (two pinned trees).
engine::Task<bool> link_altdest_file(RecvContext& ctx, size_t j, const std::string& name) {
    auto from = co_await ctx.alt_roots[j]->leaf(name, "link-dest");
    auto to = co_await ctx.root->leaf(name, "link-dest");
    if (!from || !to) co_return false;
    auto r = co_await ctx.s.engine.linkat(from->dir->get(), from->name.c_str(), to->dir->get(),
                                          to->name.c_str(), 0);
    co_return r.ok();
}

}  // namespace

engine::Task<void> open_alt_dests(RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (o.alt_dest == AltDestKind::none || !ctx.root) co_return;
    for (const auto& dir : o.alt_dest_dirs) {
        const std::string path = !dir.empty() && dir.front() == '/' ? dir : ctx.root->path() + "/" + dir;
        auto root = co_await fs::DirRoot::open_root(ctx.s.engine, path);
        ctx.alt_roots.push_back(root ? std::move(*root) : nullptr);
    }
}

engine::Task<SessionResult<AltDestChoice>> try_dests_reg(RecvContext& ctx, GenState& g,
                                                         const GenItem& item,
                                                         const protocol::FileEntry& e,
                                                         const std::string& name,
                                                         const std::optional<fs::FileAttrs>& st) {
    const auto& o = ctx.s.options;
    AltDestChoice choice;
    int match_level = 0;
    size_t best = 0;
    std::optional<fs::FileAttrs> best_st;
    for (size_t j = 0; j < ctx.alt_roots.size(); ++j) {
        if (!ctx.alt_roots[j]) continue;
        auto bst = co_await ctx.alt_roots[j]->stat(name);
        if (!bst || !bst->is_regular()) continue;
        if (match_level == 0) { best = j; best_st = *bst; match_level = 1; }
        if (!(co_await quick_check_ok(ctx, g, *ctx.alt_roots[j], e, name, *bst))) continue;
        if (match_level == 1) { best = j; best_st = *bst; match_level = 2; }
        if (unchanged_attrs(ctx, e, *bst)) { best = j; best_st = *bst; match_level = 3; break; }
    }
    if (match_level == 0) co_return choice;

    bool link_failed = false;
    if (match_level == 3 && o.alt_dest != AltDestKind::copy) {
        if (st) {
            if (o.alt_dest == AltDestKind::link && st->dev == best_st->dev && st->ino == best_st->ino)
                co_return choice;  // already the same file: processed as usual
            if (!o.dry_run) co_await ctx.root->unlink(name);
        }
        if (o.alt_dest == AltDestKind::link) {
            const bool linked = o.dry_run || co_await link_altdest_file(ctx, best, name);
            if (linked) {
                if (o.stdout_format_has_i > 1 || info_level(ctx, cli::InfoWord::name) >= 2) {
                    const uint32_t iflags = itemize_flags(ctx, e, best_st, k_item_local_change |
                                                                                k_item_xname_follows);
                    write_record(ctx, g.out, item.ndx, iflags, k_fnamecmp_fname, "");
                }
                choice.handled = true;
                co_return choice;
            }
            link_failed = true;  // rsync's try_a_copy
        } else {
            maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, best_st, 0));
            choice.handled = true;
            co_return choice;
        }
    }
    // An existing file is only replaced by an exact match.
    if (st && !link_failed) co_return choice;
    if (match_level >= 2) {
        // rsync's try_a_copy: the matching file is copied locally.
        if (!o.dry_run && !(co_await copy_altdest_file(ctx, best, e, name))) co_return choice;
        maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, best_st, k_item_local_change));
        choice.handled = true;
        co_return choice;
    }
    choice.basis = static_cast<uint8_t>(best);
    choice.basis_st = best_st;
    co_return choice;
}

engine::Task<AltNonChoice> try_dests_non(RecvContext& ctx, const protocol::FileEntry& e,
                                         const std::string& name) {
    const auto& o = ctx.s.options;
    AltNonChoice choice;
    int match_level = 0;
    size_t best = 0;
    for (size_t j = 0; j < ctx.alt_roots.size(); ++j) {
        if (!ctx.alt_roots[j]) continue;
        auto ast = co_await ctx.alt_roots[j]->stat(name);
        if (!ast || fs::mode_bits_of(ast->type) != protocol::mode_type(e.mode)) continue;
        if (match_level < 1) { match_level = 1; best = j; choice.alt_st = *ast; }
        bool same = true;  // rsync's quick_check_ok for the non-regular types
        if (e.is_symlink()) {
            auto target = co_await ctx.alt_roots[j]->readlink(name);
            same = target && *target == e.symlink_target;
        } else if (e.is_device()) {
            same = ast->rdev_major == e.rdev_major && ast->rdev_minor == e.rdev_minor;
        }
        if (!same) continue;
        if (match_level < 2) { match_level = 2; best = j; choice.alt_st = *ast; }
        if (unchanged_attrs(ctx, e, *ast)) { match_level = 3; best = j; choice.alt_st = *ast; break; }
    }
    if (match_level < 3) co_return choice;
    if (o.alt_dest == AltDestKind::link && !e.is_dir()) {
        if (!o.dry_run && !(co_await link_altdest_file(ctx, best, name))) {
            report_xfer_error(ctx, "failed to hard-link \"" + name + "\" from the --link-dest dir");
            co_return choice;
        }
    }
    choice.handled = true;
    co_return choice;
}

}  // namespace ursync::roles
