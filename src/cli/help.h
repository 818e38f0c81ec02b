// `--help` and `--version` texts in rsync's layout, for ursync.
#pragma once

#include <string>
#include <vector>

namespace ursync::cli {

inline constexpr const char* k_ursync_version = "0.1.0";

// Facts only the running program knows; the app fills them in.
struct VersionFacts {
    int protocol = 32;
    std::vector<std::string> capabilities;   // "64-bit files", "symlinks", ...
    std::vector<std::string> optimizations;  // may be empty
    std::vector<std::string> checksums;     // as listed: "xxh128", "xxh3", "xxh64", "(xxhash)", ...
    std::vector<std::string> compressions;  // "zstd", "zlibx", "zlib", "none", ...
    std::vector<std::string> daemon_auths;  // "sha512", ...; may be empty
    std::string io_backend;                 // e.g. "io_uring (kernel 6.1)" or "worker threads"
};

// `ursync --version` (rsync's layout: name/version/protocol, capability lists, backend line).
std::string version_text(const VersionFacts& facts);
// `ursync --version --version`: the same facts as a JSON object.
std::string version_json(const VersionFacts& facts);
// `ursync --help`: the version header, usage forms and one line per option.
std::string help_text(const VersionFacts& facts);
// `ursync --daemon --help`.
std::string daemon_help_text(const VersionFacts& facts);

}  // namespace ursync::cli
