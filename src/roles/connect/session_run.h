// One rsync session over a connected stream, in its phases: the secluded arguments (-s), the
// output and progress set-up, the handshake, the filter list, keep-alives, the role (sending
// or receiving side), and the client's summary.
#pragma once

#include <string>
#include <vector>

#include "cli/parse.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "roles/common/local_link.h"
#include "transport/fd_stream.h"

namespace ursync::roles {

// Which seat this end of the session takes. `local`: both ends are ours (a local copy over a
// socketpair): no filter list on the wire; `link` is what the two sessions of a local copy
// share.
struct Seat {
    bool am_server = false;
    bool am_sender = false;
    bool local = false;
    LocalLink* link = nullptr;
};

// Runs the session and returns its exit code. `paths` are the sender's source arguments,
// `dest` the receiver's destination argument.
engine::Task<int> run_session(engine::Engine& e, transport::FdStream& stream,
                              const cli::Invocation& inv, Seat seat, std::vector<std::string> paths,
                              std::string dest);

}  // namespace ursync::roles
