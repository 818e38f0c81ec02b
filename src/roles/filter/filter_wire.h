// The filter list on the wire (rsync exclude.c:send_filter_list / recv_filter_list).
#pragma once

#include <string>
#include <vector>

#include "cli/options.h"
#include "engine/task.h"
#include "roles/filter/filter_list_codec.h"
#include "session/mux_in.h"
#include "session/mux_out.h"

namespace ursync::roles {

// Whether the receiving side wants the rules (rsync's receiver_wants_list).
bool receiver_wants_filter_list(const cli::Options& options, int protocol);

// The rules a client sends: side-specific rules are converted or left out as rsync does
// (hide/show only for a sending server, protect/risk only for a receiving server), and -C
// adds ":C" and "-C" when we are the sender.
std::vector<std::string> filter_rules_for_peer(const cli::Options& options, bool client_is_sender,
                                               int protocol);

// The list over the session (the pure codecs are in filter_list_codec.h).
engine::Task<session::SessionResult<void>> send_filter_list(session::MuxOut& out,
                                                            const std::vector<std::string>& rules);
engine::Task<session::SessionResult<std::vector<std::string>>> recv_filter_list(
    session::MuxIn& in);

}  // namespace ursync::roles
