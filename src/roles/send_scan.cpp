// Unsorted directory scans for the sender: getdents order kept, statx calls in parallel.
#include "roles/send_scan.h"

#include <fcntl.h>

#include <algorithm>
#include <span>

#include "engine/event.h"
#include "fs/dirents.h"
#include "fs/rel_path.h"

namespace ursync::roles {

using engine::SysResult;
using engine::Task;

namespace {

// Shared by the statx workers of one scan; it lives in the scanning coroutine's frame, which
// waits on `done` until the last worker has let go of it.
struct StatBatch {
    StatBatch(engine::Engine& engine, int fd, const std::vector<fs::RawDirent>& entries)
        : dir_fd(fd), names(entries), stx(entries.size()), errs(entries.size(), 0), done(engine) {}
    int dir_fd;
    const std::vector<fs::RawDirent>& names;
    std::vector<struct statx> stx;
    std::vector<int> errs;
    size_t next = 0;
    size_t active = 0;
    engine::Event done;
};

Task<void> stat_worker(engine::Engine& engine, StatBatch& batch) {
    while (batch.next < batch.names.size()) {
        const size_t i = batch.next++;
        SysResult r = co_await engine.statx(batch.dir_fd, batch.names[i].name.c_str(),
                                            AT_SYMLINK_NOFOLLOW, fs::k_statx_mask, &batch.stx[i]);
        batch.errs[i] = r.err();
    }
    if (--batch.active == 0) batch.done.set();
}

}  // namespace

Task<fs::FsResult<std::vector<fs::DirEntry>>> scan_dir_unsorted(fs::DirRoot& root,
                                                                std::string rel_dir) {
    engine::Engine& engine = root.engine();
    auto fd = co_await root.open(rel_dir, O_RDONLY | O_DIRECTORY);
    if (!fd) co_return Unexpected{std::move(fd).error()};
    std::vector<fs::RawDirent> names;
    std::vector<std::byte> buf(fs::k_getdents_buf_bytes);
    int err = 0;
    for (;;) {
        SysResult r = co_await engine.getdents(*fd, buf);
        if (!r) {
            err = r.err();
            break;
        }
        if (r.value() == 0) break;
        auto got = std::span<const std::byte>(buf).first(static_cast<size_t>(r.value()));
        if (!fs::parse_dirents(got, names)) {
            err = EIO;
            break;
        }
    }
    std::vector<fs::DirEntry> entries;
    if (err == 0 && !names.empty()) {
        StatBatch batch(engine, *fd, names);
        batch.active = std::min(fs::k_scan_statx_inflight_max, names.size());
        for (size_t w = batch.active; w > 0; --w) engine.spawn(stat_worker(engine, batch));
        co_await batch.done;
        entries.reserve(names.size());
        for (size_t i = 0; i < names.size(); ++i) {
            std::string& name = names[i].name;
            if (batch.errs[i] != 0) {
                fs::FsError e = fs::sys_error("stat", fs::join_rel(rel_dir, name), batch.errs[i]);
                entries.push_back(fs::DirEntry{std::move(name), Unexpected{std::move(e)}});
            } else {
                entries.push_back(
                    fs::DirEntry{std::move(name), fs::attrs_from_statx(batch.stx[i])});
            }
        }
    }
    co_await engine.close(*fd);
    if (err != 0) co_return Unexpected{fs::sys_error("readdir", rel_dir, err)};
    co_return entries;
}

}  // namespace ursync::roles
