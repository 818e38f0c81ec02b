// Texts for rsync's exit codes (the wording users know from rsync's log.c table).
#include "util/exit_codes.h"

namespace ursync {

std::string_view exit_code_text(ExitCode code) {
    switch (code) {
        case ExitCode::ok: return "success";
        case ExitCode::syntax: return "syntax or usage error";
        case ExitCode::protocol: return "protocol incompatibility";
        case ExitCode::file_select: return "errors selecting input/output files, dirs";
        case ExitCode::unsupported: return "requested action not supported";
        case ExitCode::start_client: return "error starting client-server protocol";
        case ExitCode::socket_io: return "error in socket IO";
        case ExitCode::file_io: return "error in file IO";
        case ExitCode::stream_io: return "error in rsync protocol data stream";
        case ExitCode::message_io: return "errors with program diagnostics";
        case ExitCode::ipc: return "error in IPC code";
        case ExitCode::crashed: return "sibling process crashed";
        case ExitCode::terminated: return "sibling process terminated abnormally";
        case ExitCode::signal1: return "received SIGUSR1";
        case ExitCode::signal: return "received SIGINT, SIGTERM, or SIGHUP";
        case ExitCode::wait_child: return "waitpid() failed";
        case ExitCode::malloc: return "error allocating core memory buffers";
        case ExitCode::partial: return "some files/attrs were not transferred (see previous errors)";
        case ExitCode::vanished: return "some files vanished before they could be transferred";
        case ExitCode::del_limit: return "the --max-delete limit stopped deletions";
        case ExitCode::timeout: return "timeout in data send/receive";
        case ExitCode::connect_timeout: return "timeout waiting for daemon connection";
        case ExitCode::cmd_failed: return "remote shell failed";
        case ExitCode::cmd_killed: return "remote shell killed";
        case ExitCode::cmd_run: return "remote command could not be run";
        case ExitCode::cmd_not_found: return "remote command not found";
    }
    return "unexplained error";
}

}  // namespace ursync
