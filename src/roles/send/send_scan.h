// Directory listing for the sender in the kernel's (readdir) order, as stock rsync sends it:
// one worker job per directory (getdents, every entry's statx and, for -c, every regular file's
// sum), started ahead of the list that needs it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/scan.h"
#include "fs/xattrs.h"
#include "protocol/strong_sum.h"
#include "roles/common/xattr_names.h"

namespace ursync::roles {

struct ScannedDir {
    // In getdents order, so that the file list goes out in the order stock rsync's readdir()
    // loop sends it (its bytes, name compression and statistics then match).
    fs::FsResult<std::vector<fs::DirEntry>> entries;
    // -c: parallel to the entries, each regular file's whole-file sum (nullopt: unreadable).
    std::vector<std::optional<protocol::Digest>> sums;
    // -X: parallel to the entries, each one's attributes as a sender keeps them (empty when
    // not read), and the errno of a failed read.
    std::vector<fs::XattrPairs> xattrs;
    std::vector<int> xattr_errs;
};

class DirScanner {
  public:
    // `hash`: the -c algorithm, when regular files are to be hashed along with the scan.
    // `xattrs`: with -X, the names the attributes read with the scan are kept by.
    DirScanner(engine::Engine& engine, std::optional<protocol::ChecksumAlgo> hash,
               std::optional<XattrNames> xattrs = std::nullopt)
        : engine_(engine), hash_(hash), xattrs_(xattrs) {}

    // Starts listing `dir_rel` beneath `root` (number `root_index`) in a worker job, unless it
    // is started already.
    engine::Task<void> start(fs::DirRoot& root, uint32_t root_index, std::string dir_rel);
    // The listing of `dir_rel` (started now if it was not before).
    engine::Task<ScannedDir> take(fs::DirRoot& root, uint32_t root_index, std::string dir_rel);

    struct Pending;

  private:
    static std::string key(uint32_t root_index, const std::string& dir_rel);
    engine::Engine& engine_;
    std::optional<protocol::ChecksumAlgo> hash_;
    std::optional<XattrNames> xattrs_;
    std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;
};

}  // namespace ursync::roles
