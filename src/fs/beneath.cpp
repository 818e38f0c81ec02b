// Confined resolution beneath a DirRoot: openat2 or an O_NOFOLLOW walk, then *at() leaf ops.
#include "fs/beneath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <span>
#include <utility>

#include "fs/rel_path.h"

namespace ursync::fs {

using engine::SysResult;
using engine::Task;

namespace {

constexpr uint64_t k_resolve_flags = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
// How the walk opens each component: a symlink gives ENOTDIR, never a followed link.
constexpr int k_walk_dir_flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

DirHandle adopt(const SysResult& r) {
    return std::make_shared<const DirFd>(static_cast<int>(r.value()));
}

bool creates(int flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }

// Seeds temp-name randomness: getrandom(GRND_NONBLOCK) opens no file and never waits; if the
// pool is not ready yet, the clock and pid do (collisions only cost an O_EXCL retry).
uint64_t kernel_random_seed() {
    uint64_t seed = 0;
    if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed))
        return seed;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_nsec) ^ (static_cast<uint64_t>(now.tv_sec) << 20) ^
           (static_cast<uint64_t>(::getpid()) << 40);
}

// Asked of the kernel once, at start-up (static initialisation, before any engine runs): a
// DirRoot is made mid-run on the engine thread, which makes no syscall but io_uring_enter.
const uint64_t k_process_seed = kernel_random_seed();

// Each DirRoot's own seed: the process's, stirred with a count of roots (splitmix64's step).
uint64_t random_seed() {
    static std::atomic<uint64_t> roots{0};
    uint64_t z = k_process_seed + 0x9e3779b97f4a7c15ull * (roots.fetch_add(1) + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

open_how beneath_how(int flags, mode_t mode) {
    open_how how{};
    how.flags = static_cast<unsigned>(flags | O_NOFOLLOW | O_CLOEXEC);
    how.mode = creates(flags) ? mode : 0;  // openat2 refuses a mode without O_CREAT
    how.resolve = k_resolve_flags;
    return how;
}

DirRoot::DirRoot(engine::Engine& engine, std::string path, DirHandle root, bool use_openat2,
                 size_t cache_entries)
    : engine_(engine), path_(std::move(path)), root_(std::move(root)), use_openat2_(use_openat2),
      cache_(cache_entries), rng_(random_seed()) {}

Task<FsResult<std::unique_ptr<DirRoot>>> DirRoot::open_root(engine::Engine& engine,
                                                            std::string path,
                                                            DirRootOptions options) {
    SysResult r = co_await engine.openat(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!r) co_return Unexpected{sys_error("open", path, r.err())};
    DirHandle root = adopt(r);
    bool use_openat2 = false;
    if (options.resolution != Resolution::walk) {
        // The probe: ENOSYS (old kernel) or EPERM (seccomp) here means "walk instead".
        open_how how = beneath_how(O_PATH | O_DIRECTORY, 0);
        SysResult probe = co_await engine.openat2(root->get(), ".", how);
        if (probe) {
            co_await engine.close(static_cast<int>(probe.value()));
            use_openat2 = true;
        } else if (options.resolution == Resolution::openat2) {
            co_return Unexpected{sys_error("openat2", path, probe.err())};
        }
    }
    co_return std::unique_ptr<DirRoot>(new DirRoot(engine, std::move(path), std::move(root),
                                                   use_openat2, options.dir_cache_entries));
}

std::pair<DirHandle, size_t> DirRoot::nearest_cached(std::string_view rel_dir) {
    std::string_view probe = rel_dir;
    while (!probe.empty()) {
        if (DirHandle h = cache_.find(probe))
            return {std::move(h), probe.size() == rel_dir.size() ? probe.size() : probe.size() + 1};
        size_t slash = probe.rfind('/');
        if (slash == std::string_view::npos) break;
        probe = probe.substr(0, slash);
    }
    return {root_, 0};
}

Task<FsResult<DirHandle>> DirRoot::resolve_dir(std::string_view rel_dir, const char* op,
                                               std::string_view rel, bool fresh) {
    if (rel_dir.empty() || is_root_rel(rel_dir)) co_return root_;
    auto [base, done] = fresh ? std::pair<DirHandle, size_t>{root_, 0} : nearest_cached(rel_dir);
    if (done == rel_dir.size()) co_return base;
    if (use_openat2_) {
        std::string rest(rel_dir.substr(done));
        open_how how = beneath_how(O_PATH | O_DIRECTORY, 0);
        SysResult r = co_await engine_.openat2(base->get(), rest.c_str(), how);
        if (!r) {
            if (fresh && r.err() == ENOENT) cache_.invalidate(rel_dir);
            co_return Unexpected{sys_error(op, rel, r.err())};
        }
        DirHandle handle = adopt(r);
        cache_.insert(rel_dir, handle);
        co_return handle;
    }
    while (done < rel_dir.size()) {
        size_t slash = rel_dir.find('/', done);
        size_t end = slash == std::string_view::npos ? rel_dir.size() : slash;
        std::string part(rel_dir.substr(done, end - done));
        SysResult r = co_await engine_.openat(base->get(), part.c_str(), k_walk_dir_flags);
        if (!r) {
            if (fresh && r.err() == ENOENT) cache_.invalidate(rel_dir.substr(0, end));
            co_return Unexpected{sys_error(op, rel, r.err())};
        }
        base = adopt(r);
        cache_.insert(rel_dir.substr(0, end), base);
        done = end == rel_dir.size() ? end : end + 1;
    }
    co_return base;
}

Task<FsResult<Leaf>> DirRoot::resolve_leaf(std::string_view rel, const char* op, bool fresh) {
    if (!is_safe_rel_path(rel)) co_return Unexpected{unsafe_path_error(op, rel)};
    if (is_root_rel(rel)) co_return Unexpected{sys_error(op, rel, EINVAL)};
    auto [parent, name] = split_parent_leaf(rel);
    auto dir = co_await resolve_dir(parent, op, rel, fresh);
    if (!dir) co_return Unexpected{std::move(dir).error()};
    co_return Leaf{std::move(*dir), std::string(name)};
}

Task<FsResult<DirHandle>> DirRoot::dir(std::string rel_dir, const char* op) {
    if (!is_safe_rel_path(rel_dir)) co_return Unexpected{unsafe_path_error(op, rel_dir)};
    co_return co_await resolve_dir(rel_dir, op, rel_dir);
}

Task<FsResult<Leaf>> DirRoot::leaf(std::string rel, const char* op) {
    co_return co_await resolve_leaf(rel, op);
}

Task<FsResult<DirHandle>> DirRoot::dir_now(std::string rel_dir, const char* op) {
    if (rel_dir.empty()) co_return root_;  // the parent of a name at the top
    if (!is_safe_rel_path(rel_dir)) co_return Unexpected{unsafe_path_error(op, rel_dir)};
    co_return co_await resolve_dir(rel_dir, op, rel_dir, true);
}

Task<FsResult<int>> DirRoot::open(std::string rel, int flags, mode_t mode) {
    if (!is_safe_rel_path(rel)) co_return Unexpected{unsafe_path_error("open", rel)};
    if (flags & (O_CREAT | O_TRUNC)) changed(rel, false);
    SysResult r;
    if (is_root_rel(rel)) {
        r = co_await engine_.openat(root_->get(), ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
    } else if (use_openat2_) {
        std::string_view parent = split_parent_leaf(rel).parent;
        auto [base, done] = nearest_cached(parent);
        if (!parent.empty() && done == parent.size()) ++done;  // skip the slash before the leaf
        std::string rest = rel.substr(done);
        open_how how = beneath_how(flags, mode);
        r = co_await engine_.openat2(base->get(), rest.c_str(), how);
    } else {
        auto leaf = co_await resolve_leaf(rel, "open");
        if (!leaf) co_return Unexpected{std::move(leaf).error()};
        r = co_await engine_.openat(leaf->dir->get(), leaf->name.c_str(),
                                    flags | O_NOFOLLOW | O_CLOEXEC, mode);
    }
    if (!r) co_return Unexpected{sys_error("open", rel, r.err())};
    co_return static_cast<int>(r.value());
}

Task<FsResult<FileAttrs>> DirRoot::stat(std::string rel, bool follow) {
    if (!is_safe_rel_path(rel)) co_return Unexpected{unsafe_path_error("stat", rel)};
    while (!follow) {
        auto it = prefetched_.find(rel);
        if (it != prefetched_.end()) {
            Prefetched p = it->second;
            prefetched_.erase(it);
            if (p.err != 0) co_return Unexpected{sys_error("stat", rel, p.err)};
            // A file with other names may have been changed through one of them since (its
            // owner or mode set while an earlier name was processed): stat it again.
            if (p.attrs.nlink > 1 && !p.attrs.is_dir()) break;
            co_return p.attrs;
        }
        if (!in_flight_rels_.contains(rel)) break;
        co_await harvest_oldest();
    }
    int nofollow = follow ? 0 : AT_SYMLINK_NOFOLLOW;
    struct statx stx {};
    SysResult r;
    if (is_root_rel(rel)) {
        r = co_await engine_.statx(root_->get(), "", AT_EMPTY_PATH | nofollow, k_statx_mask, &stx);
    } else {
        auto leaf = co_await resolve_leaf(rel, "stat");
        if (!leaf) co_return Unexpected{std::move(leaf).error()};
        r = co_await engine_.statx(leaf->dir->get(), leaf->name.c_str(), nofollow, k_statx_mask,
                                   &stx);
    }
    if (!r) co_return Unexpected{sys_error("stat", rel, r.err())};
    co_return attrs_from_statx(stx);
}

Task<FsResult<void>> DirRoot::mkdir(std::string rel, mode_t mode) {
    changed(rel, false);
    auto leaf = co_await resolve_leaf(rel, "mkdir", true);
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    SysResult r = co_await engine_.mkdirat(leaf->dir->get(), leaf->name.c_str(), mode);
    if (!r) co_return Unexpected{sys_error("mkdir", rel, r.err())};
    fresh_dirs_.insert(rel);
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::unlink(std::string rel) {
    changed(rel, false);
    auto leaf = co_await resolve_leaf(rel, "unlink", true);
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    SysResult r = co_await engine_.unlinkat(leaf->dir->get(), leaf->name.c_str(), 0);
    cache_.invalidate(rel);
    if (!r) co_return Unexpected{sys_error("unlink", rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::rmdir(std::string rel) {
    changed(rel, true);
    auto leaf = co_await resolve_leaf(rel, "rmdir", true);
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    cache_.invalidate(rel);  // before: our cached fd of it must not outlive the name
    SysResult r = co_await engine_.unlinkat(leaf->dir->get(), leaf->name.c_str(), AT_REMOVEDIR);
    if (!r) co_return Unexpected{sys_error("rmdir", rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::rename(std::string from_rel, std::string to_rel, unsigned flags) {
    changed(from_rel, true);
    changed(to_rel, true);
    auto from = co_await resolve_leaf(from_rel, "rename", true);
    if (!from) co_return Unexpected{std::move(from).error()};
    auto to = co_await resolve_leaf(to_rel, "rename", true);
    if (!to) co_return Unexpected{std::move(to).error()};
    SysResult r = co_await engine_.renameat(from->dir->get(), from->name.c_str(), to->dir->get(),
                                            to->name.c_str(), flags);
    cache_.invalidate(from_rel);
    cache_.invalidate(to_rel);
    if (!r) co_return Unexpected{sys_error("rename", from_rel + " -> " + to_rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::symlink(std::string target, std::string rel) {
    changed(rel, false);
    if (target.find('\0') != std::string::npos)
        co_return Unexpected{unsafe_path_error("symlink", rel)};
    auto leaf = co_await resolve_leaf(rel, "symlink", true);
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    SysResult r = co_await engine_.symlinkat(target.c_str(), leaf->dir->get(), leaf->name.c_str());
    if (!r) co_return Unexpected{sys_error("symlink", rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::link(std::string existing_rel, std::string new_rel) {
    changed(new_rel, false);
    auto from = co_await resolve_leaf(existing_rel, "link");
    if (!from) co_return Unexpected{std::move(from).error()};
    auto to = co_await resolve_leaf(new_rel, "link", true);
    if (!to) co_return Unexpected{std::move(to).error()};
    SysResult r = co_await engine_.linkat(from->dir->get(), from->name.c_str(), to->dir->get(),
                                          to->name.c_str(), 0);
    if (!r) co_return Unexpected{sys_error("link", new_rel + " => " + existing_rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> DirRoot::mknod(std::string rel, mode_t mode, dev_t dev) {
    changed(rel, false);
    auto leaf = co_await resolve_leaf(rel, "mknod", true);
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    SysResult r = co_await engine_.mknodat(leaf->dir->get(), leaf->name.c_str(), mode, dev);
    if (!r) co_return Unexpected{sys_error("mknod", rel, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<std::string>> DirRoot::readlink(std::string rel) {
    auto leaf = co_await resolve_leaf(rel, "readlink");
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    std::string target(k_link_target_bytes_max, '\0');
    SysResult r = co_await engine_.readlinkat(leaf->dir->get(), leaf->name.c_str(),
                                              std::span<char>(target.data(), target.size()));
    if (!r) co_return Unexpected{sys_error("readlink", rel, r.err())};
    auto n = static_cast<size_t>(r.value());
    if (n >= target.size()) co_return Unexpected{sys_error("readlink", rel, ENAMETOOLONG)};
    target.resize(n);
    co_return target;
}

}  // namespace ursync::fs
