// Test helpers for the sending side: temp trees, tree snapshots, a minimal pushing client.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "roles/common/errors.h"
#include "roles/common/stats.h"

namespace ursync::roles::testing {

// A directory under /tmp removed (recursively) on destruction.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& rel) const { return path + "/" + rel; }
};

void write_file(const std::string& path, const std::string& content);
void make_dir(const std::string& path, mode_t mode = 0755);
void set_mtime(const std::string& path, int64_t sec, long nsec, bool no_follow = false);
// A source directory holding d.bin (tests::false_match_file()) and destinations holding its
// first tests::k_false_match_basis_len bytes as an older d.bin: with tests::k_false_match_seed
// a delta transfer finds a false block match and redoes d.bin in phase 1.
void make_false_match_trees(const std::string& src, const std::vector<std::string>& dests);
std::string read_text(const std::string& path);
// A deterministic pseudo-random byte string.
std::string random_bytes(size_t n, uint32_t seed);

// Runs a shell command; returns its exit status and (optionally) its stdout.
int run_shell(const std::string& cmd, std::string* out = nullptr);
std::string shell_quote(const std::string& s);
std::string pipe_rsh();  // interop/pipe-rsh

// Every item beneath root as comparable text ("name type mode size mtime[.nsec] uid gid
// target/content-hash link-group"), sorted.
// dir_times=false leaves directory mtimes out (for directories a transfer creates without
// setting their time, whose "now" differs from run to run).
// file_times=false leaves all mtimes out (transfers without -t).
std::vector<std::string> snapshot(const std::string& root, bool with_nsec = true,
                                  bool dir_times = true, bool file_times = true);

// --stats counters from rsync's output ("Literal data" -> 123).
std::map<std::string, int64_t> parse_stats(const std::string& text);

// What a push by our sending side against a stock `rsync --server` produced.
struct PushOutcome {
    int server_status = -1;   // the server's exit code (or -1 if it did not exit normally)
    RunState state;           // our side's errors
    Stats stats;              // our side's counters
    std::string stdout_text;  // what our Output printed to stdout
    std::string stderr_text;  // what our Output printed to stderr
};

// `ursync <args> <sources...> localhost:<dest>/` done in-process: parses the client command
// line, starts stock `rsync --server ...` directly (no shell), runs the handshake as the
// client, sends the filter list when the receiver wants one, then roles::send_files.
// The checksum seed is pinned (tests::with_checksum_seed) unless `args` set one: the stock
// reference of a comparison must be given the same.
PushOutcome push_to_stock(const std::vector<std::string>& args,
                          const std::vector<std::string>& sources, const std::string& dest);

}  // namespace ursync::roles::testing
