// Directory listing: getdents64 and statx in one worker job per directory; depth-first walks.
#include "fs/scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <span>

#include "fs/dirents.h"
#include "fs/rel_path.h"

namespace ursync::fs {

using engine::Engine;
using engine::Task;

ScanResult scan_dir_blocking(int dir_fd, bool sorted) {
    ScanResult out;
    std::vector<std::byte> buf(k_getdents_buf_bytes);
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dir_fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            out.err = errno;
            return out;
        }
        if (n == 0) break;
        auto got = std::span<const std::byte>(buf).first(static_cast<size_t>(n));
        if (!parse_dirents(got, out.names)) {
            out.err = EIO;
            return out;
        }
    }
    if (sorted) {
        std::sort(out.names.begin(), out.names.end(),
                  [](const RawDirent& a, const RawDirent& b) { return a.name < b.name; });
    }
    out.stx.resize(out.names.size());
    out.errs.assign(out.names.size(), 0);
    for (size_t i = 0; i < out.names.size(); ++i) {
        if (::statx(dir_fd, out.names[i].name.c_str(), AT_SYMLINK_NOFOLLOW, k_statx_mask,
                    &out.stx[i]) != 0)
            out.errs[i] = errno;
    }
    return out;
}

FsResult<std::vector<DirEntry>> entries_of(ScanResult&& scan, const std::string& rel_dir) {
    if (scan.err != 0) return Unexpected{sys_error("readdir", rel_dir, scan.err)};
    std::vector<DirEntry> entries;
    entries.reserve(scan.names.size());
    for (size_t i = 0; i < scan.names.size(); ++i) {
        std::string& name = scan.names[i].name;
        if (scan.errs[i] != 0) {
            FsError e = sys_error("stat", join_rel(rel_dir, name), scan.errs[i]);
            entries.push_back(DirEntry{std::move(name), Unexpected{std::move(e)}});
        } else {
            entries.push_back(DirEntry{std::move(name), attrs_from_statx(scan.stx[i])});
        }
    }
    return entries;
}

Task<FsResult<std::vector<DirEntry>>> scan_dir_fd(Engine& engine, int dir_fd, std::string rel_dir) {
    auto job = [dir_fd] { return scan_dir_blocking(dir_fd, true); };
    ScanResult scan = co_await engine.offload(job);
    co_return entries_of(std::move(scan), rel_dir);
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
