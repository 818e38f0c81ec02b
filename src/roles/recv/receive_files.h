// The receiving side of a session: generator + receiver (rsync's do_recv), as the connection
// code calls it, server or client.
//
// recv/ is rsync's receiving side in three parts. recv/core/ holds what the generator and the
// receiver share: the session's RecvContext, the file lists as they arrive, attributes, item
// records, -X lists, uid/gid maps, backups, hard-link groups and how requested transfers end.
// recv/generator/ walks the list, fixes up what exists, deletes, and requests transfers (and
// copies whole files itself in a local copy). recv/receiver/ reads what the sender sends back
// and puts files in place. This file joins the two coroutines; nothing below includes it.
#pragma once

#include <string>
#include <vector>

#include "engine/task.h"
#include "roles/common/session_context.h"

namespace ursync::roles {

// Used by `ursync --server` without --sender and by a pulling client. `dest` is the destination
// argument as given ("" = "."), `filter_rules` the rules the client sent (server) or has
// (client). On return the end-of-run exchange is complete; problems are in s.state and were
// reported through s.output.
engine::Task<void> receive_files(Session& s, std::string dest,
                                 std::vector<std::string> filter_rules);

}  // namespace ursync::roles
