// The two halves of an rsync transfer, as the connection code calls them (server or client).
#pragma once

#include <string>
#include <vector>

#include "engine/task.h"
#include "roles/session_context.h"

namespace ursync::roles {

// The receiving side: generator + receiver (rsync's do_recv), used by `ursync --server` without
// --sender and by a pulling client. `dest` is the destination argument as given ("" = "."),
// `filter_rules` the rules the client sent (server) or has (client). On return the end-of-run
// exchange is complete; problems are in s.state and were reported through s.output.
// Implemented in receiving.cpp.
engine::Task<void> receive_files(Session& s, std::string dest,
                                 std::vector<std::string> filter_rules);

// The sending side (rsync's send_file_list + send_files + stats/goodbye), used by
// `ursync --server --sender` and by a pushing client. `sources` are the source arguments
// (trailing '/' significant). Implemented in sending.cpp.
engine::Task<void> send_files(Session& s, std::vector<std::string> sources,
                              std::vector<std::string> filter_rules);

}  // namespace ursync::roles
