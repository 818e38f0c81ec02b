// Helpers for the receiving-side tests: scratch trees, tree listings, and a pull from stock rsync
// driven by roles::receive_files (the connection code written out here, as the client does it).
#pragma once

#include <string>
#include <vector>

#include "roles/common/stats.h"

namespace ursync::roles::testing {

// A fresh directory under $TMPDIR, removed (recursively) by the destructor.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

// Runs `sh -c command`; returns its exit status (or -1).
int sh(const std::string& command);
// Writes `content` to `path` (creating it), sets the mtime to `mtime_sec` + `nsec`.
void write_file(const std::string& path, const std::string& content, long mtime_sec = 1704164645,
                long nsec = 123456789);
std::string read_file(const std::string& path);
// A sorted, one-line-per-item description of everything under `root` (names, types, permission
// bits, sizes, contents digests, nanosecond mtimes (not for directories unless `dir_times`),
// symlink targets, owners), for comparing two trees.
std::string tree_listing(const std::string& root, bool dir_times = true);
// Names of any ".*.XXXXXX" temp files left under root.
std::vector<std::string> temp_leftovers(const std::string& root);

// The pipe remote shell of the interop harness.
std::string pipe_rsh();

struct PullResult {
    int local_code = 0;      // our RunState's final code
    int remote_code = -1;    // the stock server's exit status
    std::string out;         // what our side printed on stdout (itemize / -v lines)
    std::string err;         // ... and on stderr
    Stats stats;
};

// `rsync <client_args> -e pipe-rsh localhost:<src> <dest>` with ursync as the client (receiving
// side) and stock `rsync --server --sender` as the server. Both pulls pin the checksum seed
// (tests::with_checksum_seed) unless `client_args` set one, so that they can be compared.
PullResult ursync_pull(const std::vector<std::string>& client_args, const std::string& src,
                       const std::string& dest);

// The same transfer with stock rsync on both ends; stdout in `out`.
PullResult stock_pull(const std::vector<std::string>& client_args, const std::string& src,
                      const std::string& dest);

}  // namespace ursync::roles::testing
