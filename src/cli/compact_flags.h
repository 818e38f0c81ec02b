// The compact option string after `--server` ("-vlogDtpre.iLsfxCIvu"): building it as an rsync
// 3.5.0 client does, and reading it (with its `e` capability letters) as a server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/cli_error.h"
#include "cli/options.h"
#include "util/expected.h"

namespace ursync::cli {

inline constexpr int k_protocol_version = 32;

// Whether a client with these options allows incremental recursion (the `i` capability).
// mirrors rsync compat.c:set_allow_inc_recurse (client side)
bool client_allows_inc_recurse(const Options& options, bool server_is_sender);

// The capability text after `e` (".iLsfxCIvu"); empty for --protocol below 30.
// mirrors rsync options.c:maybe_add_e_option
std::string build_client_info(const Options& options, bool server_is_sender);

// The whole compact argument ("-logDtpre.iLsfxCIvu"), or "" when there is nothing to say.
// mirrors the compact-string part of rsync options.c:server_options
std::string build_compact_flags(const Options& options, bool server_is_sender);

// What a client's capability letters say (§1.3 of the protocol notes).
struct ClientInfo {
    int pre_release_protocol = 0;      // "32.1..." from a pre-release client: 32
    int pre_release_sub = 0;           //                                     1
    bool inc_recurse = false;          // i
    bool symlink_times = false;        // L
    bool symlink_iconv = false;        // s
    bool safe_file_list = false;       // f
    bool avoid_xattr_optim = false;    // x
    bool checksum_seed_fix = false;    // C
    bool inplace_partial_dir = false;  // I
    bool varint_flist_flags = false;   // v
    bool id0_names = false;            // u
    bool old_varint = false;           // V (obsolete pre-release form of v)
    bool operator==(const ClientInfo&) const = default;
};
ClientInfo parse_client_info(std::string_view text);

// A compact argument read as a server reads it: the flag letters, the `e` text verbatim, and
// the options those letters set (applied to a default server Options).
struct CompactFlags {
    std::string letters;                     // the letters before `e` ("logDtpr")
    std::optional<std::string> client_info;  // after `e` (".iLsfxCIvu"), if `e` is present
    Options options;
};
// `arg` is the argument as received ("-logDtpre.iLsfxCIvu"). Errors are rsync's server errors
// ("rsync: on remote machine: -logZ: unknown option").
Expected<CompactFlags, CliError> parse_compact_flags(std::string_view arg);

}  // namespace ursync::cli
