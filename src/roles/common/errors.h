// RunState: what has gone wrong so far in a run (io_error bits, the exit code to report).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "util/exit_codes.h"

namespace ursync::roles {

// rsync's io_error bits (sent at the end of a file list and in MSG_IO_ERROR).
inline constexpr int32_t k_ioerr_general = 1;
inline constexpr int32_t k_ioerr_vanished = 2;
inline constexpr int32_t k_ioerr_del_limit = 4;

// An errno as rsync shows it in messages: "No such file or directory (2)".
inline std::string errno_text(int err) {
    return std::string(std::strerror(err)) + " (" + std::to_string(err) + ")";
}

// The line that ends a fatal error's report, as rsync's log_exit prints it: "ursync error:
// <text> (code N) [<role>]" (role: "sender", "receiver", "generator", "client", "server").
inline std::string exit_line(ExitCode code, std::string_view role) {
    return "ursync error: " + std::string(exit_code_text(code)) + " (code " +
           std::to_string(to_int(code)) + ") [" + std::string(role) + "]\n";
}

// Whether a session that fails with `code` tells its peer with MSG_ERROR_EXIT (protocol 31+):
// not for a lost connection, a timeout or a signal, as rsync's _exit_cleanup.
inline bool exit_code_sent_to_peer(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
        case ExitCode::socket_io:
        case ExitCode::stream_io:
        case ExitCode::signal1:
        case ExitCode::timeout:
            return false;
        default:
            return true;
    }
}

struct RunState {
    int32_t io_error = 0;    // accumulated IOERR_* bits (ours and the peer's)
    bool partial = false;    // some file or attribute was not transferred (exit 23)
    int exit_code = 0;       // a hard error's code, if any

    void note_exit(ExitCode code) { exit_code = std::max(exit_code, to_int(code)); }
    // rsync's final code: a hard error wins; then 23 (partial / general io error) over 24
    // (vanished) and 25 (--max-delete limit).
    int final_code() const {
        if (exit_code) return exit_code;
        if (partial || (io_error & k_ioerr_general)) return to_int(ExitCode::partial);
        if (io_error & k_ioerr_vanished) return to_int(ExitCode::vanished);
        if (io_error & k_ioerr_del_limit) return to_int(ExitCode::del_limit);
        return 0;
    }
};

}  // namespace ursync::roles
