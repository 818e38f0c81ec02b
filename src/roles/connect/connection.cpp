// The three ways a session starts: a server on stdin/stdout, a local copy (two sessions over a
// socketpair), a client over a remote shell. The session itself is session_run.h.
#include "roles/connect/connection.h"

#include <algorithm>
#include <cstdlib>

#include "cli/server_argv.h"
#include "engine/event.h"
#include "roles/common/errors.h"
#include "roles/common/output.h"
#include "roles/connect/session_run.h"
#include "transport/child_process.h"
#include "transport/fd_stream.h"

namespace ursync::roles {

engine::Task<int> run_server(engine::Engine& e, const cli::Invocation& inv) {
    transport::FdStream stdio(e, 0, 1, false);
    bool sender = inv.mode == cli::Mode::server_sender;
    std::string dest = inv.destination.value_or("");
    co_return co_await run_session(e, stdio, inv, Seat{true, sender}, inv.sources, dest);
}

namespace {

engine::Task<void> run_local_receiver(engine::Engine& e, transport::FdStream& stream,
                                      const cli::Invocation& inv, int& code, engine::Event& done,
                                      LocalLink* link) {
    std::string dest = inv.destination.value_or(".");
    code = co_await run_session(e, stream, inv, Seat{true, false, true, link}, {}, std::move(dest));
    co_await stream.close_write();
    done.set();
}

// An exit code our side stopped on by itself, not one it took from the connection or the
// transfer's results (0, the socket / stream errors a peer's end causes, 23 / 24 / 25).
// How long a failed run waits for its remote shell to exit before it ends it.
constexpr uint64_t k_failed_run_reap_ms = 2000;

bool own_hard_error(int code) {
    switch (code) {
        case 0:
        case to_int(ExitCode::socket_io):
        case to_int(ExitCode::stream_io):
        case to_int(ExitCode::partial):
        case to_int(ExitCode::vanished):
        case to_int(ExitCode::del_limit):
            return false;
        default:
            return true;
    }
}

}  // namespace

engine::Task<int> run_local(engine::Engine& e, const cli::Invocation& inv) {
    // As rsync does for a local copy: a sender and a receiving "local server" joined by a
    // socketpair, both on this engine.
    auto [client_end, server_end] = transport::make_socketpair_streams(e);
    cli::Invocation server_inv = inv;
    server_inv.options.server = true;
    server_inv.options.client_info = ".iLsfxCIvu";
    // The sending side reads a --files-from list itself; the receiving one has none to forward.
    server_inv.options.files_from.reset();
    server_inv.options.files_from_host.reset();
    if (!server_inv.options.whole_file) server_inv.options.whole_file = true;
    cli::Invocation client_inv = inv;
    if (!client_inv.options.whole_file) client_inv.options.whole_file = true;
    int server_code = 0;
    engine::Event receiver_done(e);
    // Whole files are copied by the receiving side itself (kernel-side) unless asked not to.
    LocalLink link;
    // (With --bwlimit the data crosses the socketpair, where the limit applies, as in rsync.)
    LocalLink* shared = std::getenv("URSYNC_LOCAL_WIRE") || inv.options.bwlimit > 0 ? nullptr : &link;
    e.spawn(run_local_receiver(e, server_end, server_inv, server_code, receiver_done, shared));
    int client_code = co_await run_session(e, client_end, client_inv,
                                           Seat{false, true, true, shared}, inv.sources, "");
    co_await client_end.close_write();
    co_await receiver_done;
    // The receiver stopped on an error of its own (a full disk, say) and the sender then lost
    // the connection: the receiver's code is the run's, as rsync's parent takes its child's.
    if (server_code != 0 && client_code == to_int(ExitCode::stream_io)) co_return server_code;
    co_return std::max(client_code, server_code);
}

engine::Task<int> run_remote_client(engine::Engine& e, const cli::Invocation& inv) {
    const cli::Options& o = inv.options;
    bool push = inv.mode == cli::Mode::push;
    std::vector<std::string> remote_paths;
    if (push) {
        remote_paths.push_back(inv.destination.value_or(""));
    } else {
        remote_paths = inv.sources;
    }
    auto argv = cli::build_remote_command(o, *inv.shell, !push, remote_paths);
    if (!argv) {
        Output out(e, nullptr);
        out.error(argv.error().message + "\n");
        co_await out.flush();
        co_return to_int(argv.error().code);
    }
    auto child = transport::ChildProcess::spawn(e, *argv);
    if (!child) {
        // rsync's piped_child: the exec failure, then "error in IPC code" (14).
        const char* role = push ? "sender" : "generator";
        Output out(e, nullptr);
        out.error(std::string("ursync: [") + role + "] " + child.error() + "\n");
        out.error(exit_line(ExitCode::ipc, role));
        co_await out.flush();
        co_return to_int(ExitCode::ipc);
    }
    auto& proc = **child;
    int code = 0;
    if (push) {
        code = co_await run_session(e, proc.stream(), inv, Seat{false, true}, inv.sources, "");
    } else {
        code = co_await run_session(e, proc.stream(), inv, Seat{false, false}, {},
                                    inv.destination.value_or("."));
    }
    co_await proc.stream().close_write();
    // A run that ended normally waits for its remote shell (rsync's wait_process_with_flush);
    // one that failed only looks briefly (rsync's exit_cleanup uses WNOHANG): a remote shell
    // that stays up after the failure (a hung link) must not hold the client forever. The
    // ChildProcess ends a shell still running when it goes.
    const bool normal_end = code == 0 || code == to_int(ExitCode::partial) ||
                            code == to_int(ExitCode::vanished) ||
                            code == to_int(ExitCode::del_limit);
    transport::ChildStatus status;
    if (normal_end) {
        status = co_await proc.wait();
    } else {
        auto ended = co_await proc.wait_for(k_failed_run_reap_ms);
        if (!ended) co_return code;
        status = *ended;
    }
    // A hard error of our own (a refused file-list name, say) ends the run with its code, as
    // rsync's exit_cleanup does: the remote end, cut off, only counts if it had already ended,
    // which it has not by then. A lost connection or a partial transfer takes the worse of the
    // two. mirrors rsync cleanup.c:_exit_cleanup (wait_process with WNOHANG)
    if (own_hard_error(code)) co_return code;
    // A lost connection (10, 12) is rsync's exit_cleanup path: a remote shell that died of a
    // signal adds nothing there (its WEXITSTATUS is 0), so a killed ssh leaves 10 pushing and
    // 12 pulling. Only a run that ended normally reports the signal, as 16 (rsync main.c's
    // wait_process_with_flush).
    const bool lost = code == to_int(ExitCode::socket_io) || code == to_int(ExitCode::stream_io);
    int remote = status.exited ? status.code : (lost ? 0 : to_int(ExitCode::terminated));
    co_return std::max(code, remote);
}

}  // namespace ursync::roles
