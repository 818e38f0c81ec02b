// DirRoot: a pinned directory fd and confined operations on relative paths beneath it.
//
// Every path given to a DirRoot is relative and checked (fs/rel_path.h) before any side effect.
// Opens use openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) when the kernel
// allows it, else a walk that opens each component with O_PATH|O_NOFOLLOW|O_DIRECTORY. Namespace
// operations (mkdir, unlink, rename, ...) resolve the parent directory the same way, then act on
// the leaf name with an *at() call that does not follow a symlink. No symlink is ever followed in
// a parent component, whoever planted it (CVE-2024-12747 and the 2026 race batch).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/engine.h"
#include "fs/attrs.h"
#include "fs/dir_cache.h"
#include "fs/fs_error.h"
#include "util/expected.h"

namespace ursync::fs {

template <class T>
using FsResult = Expected<T, FsError>;

enum class Resolution {
    automatic,  // openat2 if a probe says it works (ENOSYS/EPERM mean no), else walk
    openat2,    // openat2 for opens and parent lookups; failing probe is an error
    walk,       // component-by-component O_NOFOLLOW walk (the fallback; tests force it)
};

struct DirRootOptions {
    Resolution resolution = Resolution::automatic;
    size_t dir_cache_entries = DirCache::k_entries_default;
};

// The parent directory of a relative path, and the leaf name to use with it.
struct Leaf {
    DirHandle dir;
    std::string name;
};

class DirRoot {
public:
    // Opens `path` as the root. The root path itself is trusted (typed by the user) and may be
    // reached through symlinks; only paths beneath it are confined.
    static engine::Task<FsResult<std::unique_ptr<DirRoot>>> open_root(
        engine::Engine& engine, std::string path, DirRootOptions options = {});

    DirRoot(const DirRoot&) = delete;
    DirRoot& operator=(const DirRoot&) = delete;

    engine::Engine& engine() const { return engine_; }
    // The root directory, opened O_RDONLY|O_DIRECTORY (usable for getdents and fchmod too).
    int fd() const { return root_->get(); }
    const std::string& path() const { return path_; }
    bool uses_openat2() const { return use_openat2_; }
    DirCache& cache() { return cache_; }
    // Randomness for temporary names made beneath this root (engine thread only).
    uint64_t random_u64() { return rng_(); }

    // The directory `rel_dir` ("." = the root) as an fd (O_PATH below the root), resolved
    // without following any symlink; `op` labels errors. Recently used ones are cached.
    engine::Task<FsResult<DirHandle>> dir(std::string rel_dir, const char* op);
    // The parent of `rel` (which must not be ".") and its leaf name. `op` labels errors.
    engine::Task<FsResult<Leaf>> leaf(std::string rel, const char* op);
    // The directory `rel_dir` as it stands now: resolved afresh from the root, never taken from
    // the cache, which then holds it instead of what it held. A directory moved away (or
    // replaced) since it was cached is not written through again; when nothing is there now
    // (ENOENT), `rel_dir` and everything beneath it are forgotten. Commits (a temp file renamed
    // into place) and the namespace operations below resolve their parents this way.
    engine::Task<FsResult<DirHandle>> dir_now(std::string rel_dir, const char* op);

    // Opens `rel` with O_NOFOLLOW|O_CLOEXEC added: no component, the leaf included, may be a
    // symlink (ELOOP, or ENOTDIR from the walk). Returns the fd; the caller closes it.
    engine::Task<FsResult<int>> open(std::string rel, int flags, mode_t mode = 0);
    // statx of `rel` (leaf not followed unless `follow`); "." is the root itself.
    engine::Task<FsResult<FileAttrs>> stat(std::string rel, bool follow = false);

    // Starts one worker job that stats `rels` (leaves not followed) and returns without
    // waiting for it. The next stat() (without `follow`) of each takes its result, waiting for
    // the job if need be. `extra`, when set, runs in that job for each entry stat'ed, given its
    // position in `rels`, its directory fd, its leaf name and attributes; what it returns is kept
    // for take_prefetched_extra(). A change made through this root to a path, or to a directory
    // above it, drops what was prefetched for it, in flight or not. A name whose directory does
    // not exist, or that this root created (empty) and nothing has named since, is prefetched
    // as not found without a look.
    using PrefetchExtra = std::function<std::optional<std::vector<std::byte>>(
        size_t, int, const char*, const FileAttrs&)>;
    engine::Task<void> prefetch_stats(std::vector<std::string> rels, PrefetchExtra extra = {});
    // Forgets every prefetched stat nobody took (waiting for the jobs still running) and which
    // directories it created empty: what was written since did not all go through this root.
    engine::Task<void> drop_prefetched();
    // `rel` has a prefetched stat waiting, or one in flight.
    bool has_prefetched(std::string_view rel) const;
    // What prefetch_stats' `extra` returned for `rel` (once), if it is still valid.
    std::optional<std::vector<std::byte>> take_prefetched_extra(const std::string& rel);
    // Prefetch jobs still running.
    size_t prefetches_in_flight() const { return in_flight_.size(); }
    engine::Task<FsResult<void>> mkdir(std::string rel, mode_t mode);
    engine::Task<FsResult<void>> unlink(std::string rel);  // a non-directory
    engine::Task<FsResult<void>> rmdir(std::string rel);   // an empty directory
    // renameat2 of two paths beneath the root; `flags` as renameat2 (RENAME_NOREPLACE, ...).
    engine::Task<FsResult<void>> rename(std::string from_rel, std::string to_rel,
                                        unsigned flags = 0);
    engine::Task<FsResult<void>> symlink(std::string target, std::string rel);
    // A hard link `new_rel` to `existing_rel` (a symlink is linked itself, never followed).
    engine::Task<FsResult<void>> link(std::string existing_rel, std::string new_rel);
    engine::Task<FsResult<void>> mknod(std::string rel, mode_t mode, dev_t dev);
    engine::Task<FsResult<std::string>> readlink(std::string rel);

    // Forgets cached directory fds for `rel` and everything beneath it. The operations above do
    // this themselves; callers that change the tree by other means call it.
    void forget(std::string_view rel) {
        cache_.invalidate(rel);
        changed(rel, true);
    }

private:
    DirRoot(engine::Engine& engine, std::string path, DirHandle root, bool use_openat2,
            size_t cache_entries);
    // The longest cached ancestor-or-self of `rel_dir` (the root if none) and the byte offset in
    // `rel_dir` where the part still to resolve starts (rel_dir.size() when all of it is cached).
    std::pair<DirHandle, size_t> nearest_cached(std::string_view rel_dir);
    // The coroutines below take views: their callers keep the strings alive while awaiting.
    // `fresh`: from the root, not from the cache (which then holds the result).
    engine::Task<FsResult<DirHandle>> resolve_dir(std::string_view rel_dir, const char* op,
                                                  std::string_view rel, bool fresh = false);
    engine::Task<FsResult<Leaf>> resolve_leaf(std::string_view rel, const char* op,
                                              bool fresh = false);

    engine::Engine& engine_;
    std::string path_;
    DirHandle root_;
    bool use_openat2_;
    DirCache cache_;
    std::mt19937_64 rng_;
    // A change to `rel` (and, with `subtree`, everything beneath it) made through this root:
    // prefetched facts about it are dropped.
    void changed(std::string_view rel, bool subtree);
    struct Prefetched {
        FileAttrs attrs;
        int err = 0;
    };
    struct PrefetchBatch;
    static engine::Task<void> run_prefetch(engine::Engine& engine,
                                           std::shared_ptr<PrefetchBatch> batch);
    // Waits for the oldest prefetch job and moves its still-valid results into prefetched_.
    engine::Task<void> harvest_oldest();
    void harvest(PrefetchBatch& batch);
    std::unordered_map<std::string, Prefetched> prefetched_;
    std::unordered_map<std::string, std::vector<std::byte>> prefetched_extra_;
    std::deque<std::shared_ptr<PrefetchBatch>> in_flight_;  // oldest first
    std::unordered_set<std::string> in_flight_rels_;
    // Directories mkdir() made: empty then, and entries in them are made through the copy that
    // prefetching runs ahead of (a name is prefetched before its entry is worked on).
    std::unordered_set<std::string> fresh_dirs_;
};

// The symlink-refusing open_how used for every confined openat2.
open_how beneath_how(int flags, mode_t mode);

// Longest symlink target readlink accepts (rsync's MAXPATHLEN).
inline constexpr size_t k_link_target_bytes_max = 4096;

}  // namespace ursync::fs
