// rsync's exit codes (RERR_*), shared by every role so the user sees what rsync would return.
#pragma once

#include <string_view>

namespace ursync {

enum class ExitCode : int {
    ok = 0,
    syntax = 1,
    protocol = 2,
    file_select = 3,
    unsupported = 4,
    start_client = 5,
    socket_io = 10,
    file_io = 11,
    stream_io = 12,
    message_io = 13,
    ipc = 14,
    crashed = 15,
    terminated = 16,
    signal1 = 19,
    signal = 20,
    wait_child = 21,
    malloc = 22,
    partial = 23,
    vanished = 24,
    del_limit = 25,
    timeout = 30,
    connect_timeout = 35,
    cmd_failed = 124,
    cmd_killed = 125,
    cmd_run = 126,
    cmd_not_found = 127,
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

// rsync's text for an exit code, as printed in "rsync error: <text> (code N) at ...".
std::string_view exit_code_text(ExitCode code);

}  // namespace ursync
