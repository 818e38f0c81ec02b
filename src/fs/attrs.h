// FileAttrs: the attributes of one file as rsync needs them, built from struct statx.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "engine/task.h"
#include "fs/fs_error.h"
#include "util/expected.h"

namespace ursync::fs {

class DirRoot;

enum class FileType : uint8_t {
    regular, directory, symlink, fifo, socket, char_device, block_device, unknown,
};

// What ursync asks statx for everywhere: the classic stat fields.
inline constexpr unsigned k_statx_mask = STATX_BASIC_STATS;

struct FileAttrs {
    FileType type = FileType::unknown;
    uint32_t mode = 0;  // st_mode: type bits and permission bits
    uint64_t size = 0;
    int64_t mtime_sec = 0;
    uint32_t mtime_nsec = 0;
    int64_t atime_sec = 0;
    uint32_t atime_nsec = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t rdev_major = 0;
    uint32_t rdev_minor = 0;
    uint32_t nlink = 0;
    uint64_t dev = 0;  // makedev(stx_dev_major, stx_dev_minor)
    uint64_t ino = 0;

    uint32_t perms() const { return mode & 07777; }
    bool is_dir() const { return type == FileType::directory; }
    bool is_regular() const { return type == FileType::regular; }
    bool is_symlink() const { return type == FileType::symlink; }
    bool is_device() const {
        return type == FileType::char_device || type == FileType::block_device;
    }
};

FileType file_type_of(uint32_t mode);
// The S_IF* bits for a type (0 for unknown).
uint32_t mode_bits_of(FileType type);
const char* file_type_name(FileType type);
FileAttrs attrs_from_statx(const struct statx& stx);

// The attributes of `rel` beneath `root`. No component is followed; with `follow` the leaf itself
// may be a symlink that the kernel follows (parents still may not be symlinks). A missing file
// gives an error whose not_found() is true.
engine::Task<Expected<FileAttrs, FsError>> stat_beneath(DirRoot& root, std::string rel,
                                                        bool follow = false);

}  // namespace ursync::fs
