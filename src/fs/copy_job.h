// A batch of whole-file copies carried out by plain syscalls on one worker thread: for each
// file, source opened O_NOFOLLOW, data copied kernel-side into a temp file beside the
// destination (or, for an item carrying its data in memory, that data written there), attributes set on the temp fd, then the temp file put in place. Where the
// destination name is free, the temp file is an unnamed O_TMPFILE inode linked in at the end
// (no name ever to clean up, one directory update instead of three); else, and where the file
// system cannot, an O_EXCL ".name.XXXXXX" renamed over the final name.
//
// Two checks keep a copy whole and in place (shared/docs/security.md, "Data safety"): a source
// whose size or mtime changed while it was copied fails the copy (CopyStage::source_changed: the
// caller redoes it), and before the batch's copies are put in place each destination directory
// is checked to be still where the transfer put it (fs/dir_check.h), once per directory per
// batch, and again after (a copy put in place in a directory that was moved meanwhile is taken
// back where it can be: a name linked to an unnamed temp file is removed).
#pragma once

#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fs/attrs.h"
#include "fs/metadata.h"

namespace ursync::fs {

// Where a copy stopped (CopyStage::done when the file is in place).
enum class CopyStage {
    done,
    open_source,
    not_regular,
    create_temp,
    copy_data,
    source_changed,  // err: ENODATA (it shrank: fewer bytes than its size at open), else 0
    fsync,
    rename,  // with dir_moved: the destination directory was no longer at its place (ENOENT)
};

struct CopyItem {
    // In: the source leaf in its directory (or the data itself, `from_memory`), the destination
    // directory with the temp and final leaf names, and the attributes to give the copy.
    int src_dir = -1;
    std::string src_name;
    bool from_memory = false;
    std::vector<std::byte> data;  // from_memory: the file's whole contents
    int dst_dir = -1;
    std::string dst_rel_dir;  // dst_dir's path beneath the destination root ("" at the top)
    std::string temp_name;
    std::string final_name;
    FileAttrs want;
    PreserveAttrs preserve;
    bool fsync = false;
    bool dest_absent = false;  // nothing was at final_name when the copy was decided
    // -X: the attributes the copy gets: values given, or (nullopt) read from the source.
    std::vector<std::pair<std::string, std::optional<std::string>>> xattrs;
    // Out.
    CopyStage stage = CopyStage::done;
    int err = 0;                    // errno of the failed step
    int attr_err = 0;               // an attribute step failed (the copy still went on)
    const char* attr_op = nullptr;  // ... this one
    int64_t bytes = 0;              // data bytes copied
    bool temp_named = false;        // temp_name was created (else the temp file had no name)
    bool dir_moved = false;         // dst_dir was no longer at dst_rel_dir (stage rename)
    int64_t source_size = 0;        // the source's size when it was opened
};

// The destination root the items' directories are checked against (fd -1: no check).
struct CopyRoot {
    int fd = -1;
    bool use_openat2 = false;
};

// Copies every item, filling in its result; runs on a worker thread (blocking syscalls). A
// failed item leaves no temp file behind and the destination untouched.
void run_copy_job(std::span<CopyItem> items, CopyRoot root = {});

// Copies `src` to `dst` from their current offsets: `expected` bytes (or to the end of src if
// it is shorter; -1: to the end), by copy_file_range, or read/write where the kernel cannot
// (another filesystem type, a special file system). Returns the bytes copied, or -errno.
int64_t copy_fd_data(int src, int dst, int64_t expected);

}  // namespace ursync::fs
