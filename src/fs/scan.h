// Directory scans: getdents64 and every entry's statx in one worker-pool job (a statx through the
// ring is run by an io-wq worker anyway: one job per directory saves a wake-up per entry); and a
// tree walker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "fs/attrs.h"
#include "fs/beneath.h"
#include "fs/dirents.h"

namespace ursync::fs {

// The buffer each getdents64 call fills.
inline constexpr size_t k_getdents_buf_bytes = 32 * 1024;

struct DirEntry {
    std::string name;
    // The entry's attributes (its symlink not followed), or why it could not be stat'ed: an
    // entry that vanished between getdents and statx gives an error whose not_found() is true.
    FsResult<FileAttrs> attrs;
};

// Lists the directory `rel_dir` ("." = the root) beneath `root`: every entry but "." and "..",
// sorted by name (bytewise), each with its statx. Errors for single entries are values inside.
engine::Task<FsResult<std::vector<DirEntry>>> scan_dir(DirRoot& root, std::string rel_dir);

// The same on a directory fd opened for reading; `rel_dir` names the directory in errors and
// in the entries' errors.
engine::Task<FsResult<std::vector<DirEntry>>> scan_dir_fd(engine::Engine& engine, int dir_fd,
                                                         std::string rel_dir);

// One directory's raw listing: names (getdents order, or sorted bytewise), each with its statx
// (symlinks not followed) or the errno of that statx; `err` is a getdents failure.
struct ScanResult {
    int err = 0;
    std::vector<RawDirent> names;
    std::vector<struct statx> stx;
    std::vector<int> errs;
};

// Lists the open directory `dir_fd` with plain syscalls: for worker-pool jobs.
ScanResult scan_dir_blocking(int dir_fd, bool sorted);

// The entries of `scan` (moved out), errors named after `rel_dir`.
FsResult<std::vector<DirEntry>> entries_of(ScanResult&& scan, const std::string& rel_dir);

struct WalkOptions {
    bool one_file_system = false;  // do not descend into directories on another device (-x)
};

struct DirListing {
    std::string dir;             // relative path of the directory ("." for the root)
    std::vector<DirEntry> entries;
};

// A depth-first walk for the sender's file-list builder: each next() yields one directory's
// listing, the start directory first, then each subdirectory (in name order) before its
// siblings' contents. Symlinks are listed, never followed.
class TreeWalker {
public:
    TreeWalker(DirRoot& root, std::string start_rel, WalkOptions options = {});

    // The next directory, or nullopt when the walk is over. An error for one directory (it
    // vanished, no permission) is that step's value; the walk then goes on with the others.
    engine::Task<std::optional<FsResult<DirListing>>> next();

private:
    DirRoot& root_;
    WalkOptions options_;
    std::vector<std::string> pending_;  // directories still to list; back() is next
    std::string start_rel_;
    std::optional<uint64_t> start_dev_;
    bool started_ = false;
};

}  // namespace ursync::fs
