// Connection set-up around the roles: the server on stdin/stdout, a client over a remote shell.
//
// roles/connect/ is the top wing: it starts sessions (this header), runs one through its
// phases (session_run.h), routes the peer's messages (peer_messages.h) and keeps a --timeout
// link alive (keep_alive.h), calling the sending side (send/send_files.h) or the receiving
// side (recv/receive_files.h). src/app calls these three entry points.
#pragma once

#include "cli/parse.h"
#include "engine/engine.h"
#include "engine/task.h"

namespace ursync::roles {

// `ursync --server [--sender] ...` on fds 0/1, as started by a stock rsync client. Returns the
// process exit code.
engine::Task<int> run_server(engine::Engine& engine, const cli::Invocation& inv);

// A client push or pull: spawns the remote shell running `rsync --server ...`, runs the
// session, waits for the shell and returns the exit code (the larger of ours and the remote's).
engine::Task<int> run_remote_client(engine::Engine& engine, const cli::Invocation& inv);

// A local copy (both paths local), run as rsync does: sender and receiver over a socketpair.
engine::Task<int> run_local(engine::Engine& engine, const cli::Invocation& inv);

}  // namespace ursync::roles
