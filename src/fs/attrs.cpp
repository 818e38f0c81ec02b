// Conversion of struct statx into FileAttrs, and stat beneath a root.
#include "fs/attrs.h"

#include <sys/sysmacros.h>

#include "fs/beneath.h"

namespace ursync::fs {

FileType file_type_of(uint32_t mode) {
    switch (mode & S_IFMT) {
        case S_IFREG: return FileType::regular;
        case S_IFDIR: return FileType::directory;
        case S_IFLNK: return FileType::symlink;
        case S_IFIFO: return FileType::fifo;
        case S_IFSOCK: return FileType::socket;
        case S_IFCHR: return FileType::char_device;
        case S_IFBLK: return FileType::block_device;
        default: return FileType::unknown;
    }
}

uint32_t mode_bits_of(FileType type) {
    switch (type) {
        case FileType::regular: return S_IFREG;
        case FileType::directory: return S_IFDIR;
        case FileType::symlink: return S_IFLNK;
        case FileType::fifo: return S_IFIFO;
        case FileType::socket: return S_IFSOCK;
        case FileType::char_device: return S_IFCHR;
        case FileType::block_device: return S_IFBLK;
        case FileType::unknown: return 0;
    }
    return 0;
}

const char* file_type_name(FileType type) {
    switch (type) {
        case FileType::regular: return "regular file";
        case FileType::directory: return "directory";
        case FileType::symlink: return "symlink";
        case FileType::fifo: return "fifo";
        case FileType::socket: return "socket";
        case FileType::char_device: return "character device";
        case FileType::block_device: return "block device";
        case FileType::unknown: return "unknown";
    }
    return "unknown";
}

FileAttrs attrs_from_statx(const struct statx& stx) {
    FileAttrs a;
    a.mode = stx.stx_mode;
    a.type = file_type_of(a.mode);
    a.size = stx.stx_size;
    a.mtime_sec = stx.stx_mtime.tv_sec;
    a.mtime_nsec = stx.stx_mtime.tv_nsec;
    a.atime_sec = stx.stx_atime.tv_sec;
    a.atime_nsec = stx.stx_atime.tv_nsec;
    a.uid = stx.stx_uid;
    a.gid = stx.stx_gid;
    a.rdev_major = stx.stx_rdev_major;
    a.rdev_minor = stx.stx_rdev_minor;
    a.nlink = stx.stx_nlink;
    a.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    a.ino = stx.stx_ino;
    return a;
}

engine::Task<Expected<FileAttrs, FsError>> stat_beneath(DirRoot& root, std::string rel,
                                                        bool follow) {
    co_return co_await root.stat(std::move(rel), follow);
}

}  // namespace ursync::fs
