// Source-side opens: no stat-then-open window (CVE-2024-12747); only regular files pass.
#include "fs/source_file.h"

#include <fcntl.h>

namespace ursync::fs {

using engine::SysResult;
using engine::Task;

Task<FsResult<FileAttrs>> stat_fd(engine::Engine& engine, int fd, std::string rel) {
    struct statx stx {};
    SysResult r = co_await engine.statx(fd, "", AT_EMPTY_PATH, k_statx_mask, &stx);
    if (!r) co_return Unexpected{sys_error("stat", rel, r.err())};
    co_return attrs_from_statx(stx);
}

Task<FsResult<SourceFile>> open_source_file(DirRoot& root, std::string rel) {
    auto fd = co_await root.open(rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (!fd) co_return Unexpected{std::move(fd).error()};
    auto attrs = co_await stat_fd(root.engine(), *fd, rel);
    int refuse = 0;
    if (!attrs) {
        refuse = attrs.error().err;
    } else if (!attrs->is_regular()) {
        refuse = attrs->is_dir() ? EISDIR : EINVAL;
    } else {
        // Back to blocking reads for the data. fcntl(F_SETFL) only edits the open file's
        // flags: it does no I/O and cannot block, so it is called here directly.
        int flags = ::fcntl(*fd, F_GETFL);
        if (flags < 0 || ::fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK) < 0) refuse = errno;
    }
    if (refuse != 0) {
        co_await root.engine().close(*fd);
        co_return Unexpected{sys_error("open", rel, refuse)};
    }
    co_return SourceFile{*fd, *attrs};
}

}  // namespace ursync::fs
