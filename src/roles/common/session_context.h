// Session: everything a role needs for one connection, passed explicitly (no globals).
//
// roles/common/ is what both sides of a session share, above roles/filter/ only: this Session,
// the run state and exit codes (errors.h), output and its rsync-style lines (output.h,
// log_format.h), statistics and the --stats summary (stats.h), the progress meter
// (progress.h, progress_format.h, flist_progress.h), the file list as segments (file_list.h),
// -X name rules (xattr_names.h), -c's whole-file sums (file_hash.h), and the link between the
// two halves of a local copy (local_link.h). Neither side's code is included here.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"
#include "engine/engine.h"
#include "protocol/flist_codec.h"
#include "roles/common/errors.h"
#include "roles/common/local_link.h"
#include "roles/common/output.h"
#include "roles/common/progress.h"
#include "roles/common/stats.h"
#include "session/handshake.h"
#include "session/mux_in.h"
#include "session/mux_out.h"

namespace ursync::roles {

// Out-of-band messages from the peer that belong to a role; the connection code's message
// handler calls these (each may be empty). They run synchronously inside a read.
struct RoleHooks {
    // MSG_NO_SEND (sender could not open ndx) and MSG_SUCCESS (--remove-source-files): an
    // index the role never listed is an error that ends the run.
    using IndexHook = std::function<session::SessionResult<void>(int32_t ndx)>;
    IndexHook no_send;
    std::function<void(std::string_view name)> deleted; // MSG_DELETED (dirs end in '\0')
    IndexHook success;
};

struct Session {
    engine::Engine& engine;
    const cli::Options& options;
    session::SessionParams params;
    session::MuxIn& in;
    session::MuxOut& out;
    Output& output;
    RunState state;
    Stats stats;       // counters for --stats / -v summary (the roles fill them)
    RoleHooks hooks;   // set by the role before it starts reading
    bool am_server = false;
    bool am_sender = false;
    bool local = false;  // a local copy: both sessions are ours (rsync's local_server)
    LocalLink* link = nullptr;  // a local copy: what the two sessions share
    ProgressMeter* progress = nullptr;  // a client with --progress / --info=progress2
    // A pulling client: the remote source args (path parts), which the names the sender lists
    // are checked against. nullptr for a server, a pushing client and a local copy.
    const std::vector<std::string>* source_args = nullptr;
};

// The file-list encoding facts for this session (options + negotiated flags).
protocol::FlistOptions flist_options_for(const cli::Options& options,
                                         const session::SessionParams& params);

}  // namespace ursync::roles
