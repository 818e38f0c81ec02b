// Backups: renaming the old version of a file to name+suffix, or into the --backup-dir tree.
#include "roles/recv/core/recv_backup.h"

#include <cstring>

#include "fs/rel_path.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_attrs.h"

namespace ursync::roles {

namespace {

// Creates every missing directory of `rel_dir` beneath `root` (rsync's make_path for backups).
engine::Task<bool> make_dirs(fs::DirRoot& root, const std::string& rel_dir) {
    if (rel_dir.empty() || rel_dir == ".") co_return true;
    size_t pos = 0;
    for (;;) {
        const size_t slash = rel_dir.find('/', pos);
        const std::string part = rel_dir.substr(0, slash);
        auto made = co_await root.mkdir(part, 0755);
        if (!made && made.error().err != EEXIST) co_return false;
        if (slash == std::string::npos) co_return true;
        pos = slash + 1;
    }
}

}  // namespace

engine::Task<SessionResult<std::unique_ptr<BackupTarget>>> open_backup_target(RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (!o.backup || o.dry_run || !ctx.root) co_return std::unique_ptr<BackupTarget>{};
    auto t = std::make_unique<BackupTarget>();
    if (!o.backup_dir) {
        t->root = ctx.root.get();
        co_return t;
    }
    std::string dir = *o.backup_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    bool own_tree = !dir.empty() && dir.front() == '/';
    if (!own_tree && !fs::is_safe_rel_path(dir)) {
        // A relative --backup-dir that leaves the destination ("../bk") is relative to it,
        // as in rsync: opened as a tree of its own, like an absolute one.
        dir = ctx.root->path() + "/" + dir;
        own_tree = true;
    }
    if (own_tree) {
        // An absolute --backup-dir is the operator's: created if missing, then pinned.
        auto r = co_await ctx.s.engine.mkdirat(AT_FDCWD, dir.c_str(), 0755);
        (void)r;
        auto root = co_await fs::DirRoot::open_root(ctx.s.engine, dir);
        if (!root) {
            co_return session::fail("backup-dir \"" + dir + "\": " + errno_text(root.error().err),
                                    ExitCode::file_io);
        }
        t->own_root = std::move(*root);
        t->root = t->own_root.get();
        co_return t;
    }
    t->root = ctx.root.get();
    t->prefix = dir;
    co_return t;
}

bool is_backup_name(const RecvContext& ctx, const std::string& rel) {
    const std::string& suffix = ctx.s.options.suffix;
    return rel.size() > suffix.size() &&
           rel.compare(rel.size() - suffix.size(), suffix.size(), suffix) == 0;
}

engine::Task<bool> backup_in_the_way(RecvContext& ctx, const std::string& rel) {
    const auto& o = ctx.s.options;
    if (!ctx.backup || o.dry_run || (!o.backup_dir && is_backup_name(ctx, rel))) co_return true;
    co_return co_await make_backup(ctx, rel);
}

engine::Task<bool> make_backup(RecvContext& ctx, const std::string& rel) {
    BackupTarget* t = ctx.backup.get();
    if (!t) co_return true;
    auto st = co_await ctx.root->stat(rel);
    if (!st) co_return true;  // nothing to keep
    const auto& o = ctx.s.options;
    const std::string backup_rel = fs::join_rel(t->prefix, rel) + o.suffix;
    if (t->root == ctx.root.get() && t->prefix.empty()) {
        auto moved = co_await ctx.root->rename(rel, backup_rel);
        if (!moved) {
            report_xfer_error(ctx, "make_backup: rename \"" + rel + "\" -> \"" + backup_rel +
                                       "\" failed: " + errno_text(moved.error().err));
            co_return false;
        }
        co_return true;
    }
    const size_t slash = backup_rel.rfind('/');
    if (slash != std::string::npos && !(co_await make_dirs(*t->root, backup_rel.substr(0, slash)))) {
        report_xfer_error(ctx, "make_backup: cannot create the directories of \"" + backup_rel + "\"");
        co_return false;
    }
    if (t->root == ctx.root.get()) {
        auto moved = co_await ctx.root->rename(rel, backup_rel);
        if (!moved) {
            report_xfer_error(ctx, "make_backup: rename \"" + rel + "\" -> \"" + backup_rel +
                                       "\" failed: " + errno_text(moved.error().err));
            co_return false;
        }
        co_return true;
    }
    // Another tree: a rename across two pinned roots (same filesystem) by their dir fds.
    auto from = co_await ctx.root->leaf(rel, "make_backup");
    auto to = co_await t->root->leaf(backup_rel, "make_backup");
    if (!from || !to) {
        report_xfer_error(ctx, "make_backup: cannot resolve \"" + backup_rel + "\"");
        co_return false;
    }
    auto r = co_await ctx.s.engine.renameat(from->dir->get(), from->name.c_str(), to->dir->get(),
                                            to->name.c_str());
    if (!r) {
        report_xfer_error(ctx, "make_backup: rename \"" + rel + "\" -> \"" + backup_rel +
                                   "\" failed: " + errno_text(r.err()));
        co_return false;
    }
    co_return true;
}

}  // namespace ursync::roles
