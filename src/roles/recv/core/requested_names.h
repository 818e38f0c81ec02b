// A pulling client's checks of the names a remote sender lists: each must be one its source
// args asked for, and none one its own filter rules told the sender to exclude.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"
#include "roles/filter/filter.h"
#include "roles/filter/implied_rules.h"
#include "session/session_error.h"

namespace ursync::roles {

struct RequestedNames {
    // The implied-include rules of the source args (nullopt: the args are trusted).
    std::optional<ImpliedRules> implied;
    // The rules the client sent, as the sender applies them (nullopt: the sender's filtering
    // is trusted, as with a per-directory merge rule whose files only the sender reads).
    std::optional<FilterList> sent_rules;
};

// The checks of a pulling client with these options and remote source args (the path parts,
// an empty one already "."); `protocol` is the negotiated protocol. A server or a local
// copy's receiver checks nothing (it calls nothing here).
// mirrors rsync main.c:start_client's add_implied_include calls and the trust_sender_args /
// trust_sender_filter settings of options.c and exclude.c:parse_rule_tok
RequestedNames requested_names_for(const cli::Options& options,
                                   const std::vector<std::string>& source_args, int protocol);

// Refuses a received name (after the unsafe-name checks, relative to the transfer root) that
// was not asked for or was excluded: rsync's message, exit 4. The root "." always passes.
// mirrors rsync flist.c:recv_file_entry's filter_list and implied_filter_list checks
session::SessionResult<void> check_requested_name(const RequestedNames& checks,
                                                  std::string_view name, bool is_dir);

}  // namespace ursync::roles
