// The sending side of a session (rsync's send_file_list + send_files + stats/goodbye), as the
// connection code calls it, server or client.
//
// roles/send/ is rsync's sending side over roles/common/: building the file list from the
// source arguments and directory scans (flist_build.h, send_scan.h), sending it in segments
// (flist_send.h), the sender's transfer loop answering the generator's requests (sender.h,
// sender_transfer.cpp), block matching (match.h), -X lists and answers (send_xattrs.h). It
// includes nothing of the receiving side.
#pragma once

#include <string>
#include <vector>

#include "engine/task.h"
#include "roles/common/session_context.h"

namespace ursync::roles {

// Used by `ursync --server --sender` and by a pushing client. `sources` are the source
// arguments (trailing '/' significant), `filter_rules` the rules the client sent (server) or
// has (client). On return the end-of-run exchange is complete; problems are in s.state and were
// reported through s.output.
engine::Task<void> send_files(Session& s, std::vector<std::string> sources,
                              std::vector<std::string> filter_rules);

}  // namespace ursync::roles
