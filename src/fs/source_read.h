// Opening and reading a source file inside a worker job (blocking calls, never on the engine
// thread): the confined open, fstat of the open fd, and the whole file read when it is small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace ursync::fs {

// What open_and_read found for one source file.
struct SourceRead {
    int err = 0;  // the file cannot be sent: the open's errno, EISDIR, or EINVAL (not regular)
    uint64_t size = 0;  // st_size of the open fd: what is sent (rsync sends the size at open)
    // size <= whole_max: the file's bytes, `size` of them, zeros where a read failed or the file
    // had shrunk (read_err then says which: the errno, or ENODATA for a short file). Allocated
    // without being cleared first: every byte is read or zero-filled.
    std::unique_ptr<std::byte[]> bytes;
    bool whole = false;
    std::span<const std::byte> data() const { return {bytes.get(), whole ? size : 0}; }
    int read_err = 0;
    // size > whole_max: the fd, open for blocking reads (O_NONBLOCK cleared); the taker closes it.
    int fd = -1;
};

// Opens `leaf` (one name, no slash) in the directory `dir_fd` for reading, confined as DirRoot
// opens: openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS when
// `use_openat2`, else openat with O_NOFOLLOW; the leaf itself is never followed. The open uses
// O_NONBLOCK, so a fifo swapped in at the name cannot block it; nothing is stat'ed before the
// open (CVE-2024-12747): the fd's own fstat decides, and anything but a regular file is refused.
SourceRead open_and_read(int dir_fd, const char* leaf, bool use_openat2, uint64_t whole_max);

}  // namespace ursync::fs
