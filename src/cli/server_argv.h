// The command a client runs to start the remote rsync, built exactly as rsync 3.5.0 builds it:
// `<rsh words> [-l user] host <rsync-path> --server [--sender] -<flags>e.<caps> [long opts] .
// paths`
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.h"
#include "cli/options.h"
#include "cli/remote_spec.h"
#include "util/expected.h"

namespace ursync::cli {

struct ServerArgLists {
    // What follows the program name on the remote command line.
    std::vector<std::string> command_line;
    // With -s: what is sent on the connection instead (long options, ".", paths; unescaped).
    std::vector<std::string> secluded;
};

// `remote_paths`: the source paths for a pull (server is sender), or the one destination path
// for a push. Paths are escaped for the remote shell (unless -s).
// mirrors rsync options.c:server_options plus the "." and path part of main.c:do_cmd
ServerArgLists build_server_arg_lists(const Options& options, bool server_is_sender,
                                      std::span<const std::string> remote_paths);

// The remote command line after the program name (`--server`, ...).
std::vector<std::string> build_server_args(const Options& options, bool server_is_sender,
                                           std::span<const std::string> remote_paths);

// The bytes a -s client writes right after starting the server: "rsync\0", each secluded arg
// NUL-terminated (an empty one as "."), then one more NUL. Empty when `secluded` is empty.
// mirrors rsync rsync.c:send_protected_args
std::string secluded_args_bytes(std::span<const std::string> secluded);

// Reads what secluded_args_bytes() produced (a server with -s): the args, "rsync" first.
// Fails when the terminator is missing or a limit is exceeded.
inline constexpr std::size_t k_secluded_args_count_max = 1000;
inline constexpr std::size_t k_secluded_arg_len_max = 4096;
Expected<std::vector<std::string>, std::string> decode_secluded_args(std::string_view bytes,
                                                                     std::size_t* consumed);

// The whole argv to execute: rsh words ($RSYNC_RSH / -e, split as rsync does), `-l user`,
// `-4`/`-6` for ssh, the host, --rsync-path, then build_server_args().
// mirrors rsync main.c:do_cmd
Expected<std::vector<std::string>, CliError> build_remote_command(
    const Options& options, const RemoteShellSpec& remote, bool server_is_sender,
    std::span<const std::string> remote_paths);

// The command that starts a daemon over the remote shell (`host::module` with -e):
// `<rsh words> [-l user] host <rsync-path> --server --daemon .`
Expected<std::vector<std::string>, CliError> build_daemon_shell_command(const Options& options,
                                                                        const DaemonSpec& remote);

}  // namespace ursync::cli
