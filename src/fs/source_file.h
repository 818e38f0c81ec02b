// Opening a source file for sending: O_NOFOLLOW beneath the root, then statx of the open fd.
#pragma once

#include <string>

#include "engine/task.h"
#include "fs/attrs.h"
#include "fs/beneath.h"

namespace ursync::fs {

struct SourceFile {
    int fd = -1;      // open for reading; the caller closes it (engine.close)
    FileAttrs attrs;  // of the open fd, not of a path that may have changed since the scan
};

// Opens `rel` beneath `root` for reading. The name is never stat'ed and then opened: the fd is
// opened with O_NOFOLLOW (a symlink swapped in fails with ELOOP), and its own attributes are
// returned. Anything but a regular file is refused (EISDIR for a directory, EINVAL otherwise)
// and its fd closed. A fifo swapped in cannot block the open (O_NONBLOCK, cleared afterwards).
engine::Task<FsResult<SourceFile>> open_source_file(DirRoot& root, std::string rel);

// statx of an open fd (AT_EMPTY_PATH); `rel` labels the error.
engine::Task<FsResult<FileAttrs>> stat_fd(engine::Engine& engine, int fd, std::string rel);

}  // namespace ursync::fs
