// Directory listing: names from getdents64, attributes from concurrent statx, depth-first walks.
#include "fs/scan.h"

#include <fcntl.h>

#include <algorithm>
#include <span>

#include "engine/event.h"
#include "fs/dirents.h"
#include "fs/rel_path.h"

namespace ursync::fs {

using engine::Engine;
using engine::SysResult;
using engine::Task;

namespace {

// Shared by the statx workers of one scan; lives in the scanning coroutine's frame, which waits
// on `done` until the last worker has finished with it.
struct StatBatch {
    StatBatch(Engine& engine, int fd, const std::vector<RawDirent>& entries)
        : dir_fd(fd), names(entries), stx(entries.size()), errs(entries.size(), 0), done(engine) {}
    int dir_fd;
    const std::vector<RawDirent>& names;
    std::vector<struct statx> stx;
    std::vector<int> errs;
    size_t next = 0;
    size_t active = 0;
    engine::Event done;
};

Task<void> stat_worker(Engine& engine, StatBatch& batch) {
    while (batch.next < batch.names.size()) {
        size_t i = batch.next++;
        SysResult r = co_await engine.statx(batch.dir_fd, batch.names[i].name.c_str(),
                                            AT_SYMLINK_NOFOLLOW, k_statx_mask, &batch.stx[i]);
        batch.errs[i] = r.err();
    }
    if (--batch.active == 0) batch.done.set();  // the last touch of `batch`
}

Task<FsResult<std::vector<RawDirent>>> read_names(Engine& engine, int dir_fd,
                                                  const std::string& rel_dir) {
    std::vector<RawDirent> names;
    std::vector<std::byte> buf(k_getdents_buf_bytes);
    for (;;) {
        SysResult r = co_await engine.getdents(dir_fd, buf);
        if (!r) co_return Unexpected{sys_error("readdir", rel_dir, r.err())};
        if (r.value() == 0) break;
        auto got = std::span<const std::byte>(buf).first(static_cast<size_t>(r.value()));
        if (!parse_dirents(got, names)) co_return Unexpected{sys_error("readdir", rel_dir, EIO)};
    }
    co_return names;
}

}  // namespace

Task<FsResult<std::vector<DirEntry>>> scan_dir_fd(Engine& engine, int dir_fd, std::string rel_dir) {
    auto names = co_await read_names(engine, dir_fd, rel_dir);
    if (!names) co_return Unexpected{std::move(names).error()};
    std::sort(names->begin(), names->end(),
              [](const RawDirent& a, const RawDirent& b) { return a.name < b.name; });
    StatBatch batch(engine, dir_fd, *names);
    batch.active = std::min(k_scan_statx_inflight_max, names->size());
    if (batch.active == 0) co_return std::vector<DirEntry>{};
    for (size_t w = batch.active; w > 0; --w) engine.spawn(stat_worker(engine, batch));
    co_await batch.done;
    std::vector<DirEntry> entries;
    entries.reserve(names->size());
    for (size_t i = 0; i < names->size(); ++i) {
        std::string& name = (*names)[i].name;
        if (batch.errs[i] != 0) {
            FsError e = sys_error("stat", join_rel(rel_dir, name), batch.errs[i]);
            entries.push_back(DirEntry{std::move(name), Unexpected{std::move(e)}});
        } else {
            entries.push_back(DirEntry{std::move(name), attrs_from_statx(batch.stx[i])});
        }
    }
    co_return entries;
}

Task<FsResult<std::vector<DirEntry>>> scan_dir(DirRoot& root, std::string rel_dir) {
    auto fd = co_await root.open(rel_dir, O_RDONLY | O_DIRECTORY);
    if (!fd) co_return Unexpected{std::move(fd).error()};
    auto entries = co_await scan_dir_fd(root.engine(), *fd, rel_dir);
    co_await root.engine().close(*fd);
    co_return entries;
}

TreeWalker::TreeWalker(DirRoot& root, std::string start_rel, WalkOptions options)
    : root_(root), options_(options), start_rel_(std::move(start_rel)) {}

Task<std::optional<FsResult<DirListing>>> TreeWalker::next() {
    if (!started_) {
        started_ = true;
        auto top = co_await root_.stat(start_rel_);
        if (!top) co_return FsResult<DirListing>{Unexpected{std::move(top).error()}};
        if (!top->is_dir())
            co_return FsResult<DirListing>{Unexpected{sys_error("opendir", start_rel_, ENOTDIR)}};
        start_dev_ = top->dev;
        pending_.push_back(start_rel_);
    }
    if (pending_.empty()) co_return std::nullopt;
    std::string dir = std::move(pending_.back());
    pending_.pop_back();
    auto entries = co_await scan_dir(root_, dir);
    if (!entries) co_return FsResult<DirListing>{Unexpected{std::move(entries).error()}};
    // Push subdirectories last-name-first so that the first name is listed next.
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
        if (!it->attrs || !it->attrs->is_dir()) continue;
        if (options_.one_file_system && it->attrs->dev != *start_dev_) continue;
        pending_.push_back(join_rel(dir, it->name));
    }
    co_return FsResult<DirListing>{DirListing{std::move(dir), std::move(*entries)}};
}

}  // namespace ursync::fs
