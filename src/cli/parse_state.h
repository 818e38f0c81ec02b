// The state rsync's option walk keeps (its raw tri-state globals) between applying occurrences and
// the final checks; internal to src/cli.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/cli11_parse.h"
#include "cli/cli_error.h"
#include "cli/options.h"
#include "cli/parse.h"

namespace ursync::cli {

struct ParseState {
    Options opt;
    bool am_server = false;
    bool am_daemon = false;               // parsing with the daemon table
    bool daemon_opt = false;              // --daemon itself was seen (daemon table)
    bool secluded_args_received = false;  // a -s server parsing the args it read from stdin
    // rsync's raw values, resolved by finalize_options()
    int recurse = 0;     // 1 from -a, 2 from -r
    int xfer_dirs = -1;  // -1 unset, 0 --no-d, 2 -d, 4 --old-d
    int relative = -1;
    int whole_file = -1;
    int protect_args = -1;
    int old_style_args = -1;
    int list_only = 0;  // 2 from --list-only, |1 when implied
    int delete_before = 0;
    int delete_during = 0;  // 1 during, 2 delay
    int delete_after = 0;
    bool delete_plain = false;  // --delete
    int missing_args = 0;       // bit 1 ignore, bit 2 delete
    int f_option_count = 0;
    int compress_count = 0;
    std::optional<std::string> compress_choice;
    std::optional<int> compress_level;
    std::optional<std::string> checksum_choice;
    bool usermap_via_chown = false;
    bool groupmap_via_chown = false;
    std::optional<std::string> max_alloc_arg;
    std::optional<std::string> stdout_format;
    std::optional<std::string> backup_suffix;
    int version_count = 0;
    std::size_t raw_arg_count = 0;  // argv entries after argv[0], before any parsing
    std::vector<OptionId> used;
    std::vector<std::string> warnings;
};

// What the walk should do after an occurrence.
enum class ApplyAction { next, daemon_mode, help, info_help, debug_help, daemon_help };

Expected<ApplyAction, CliError> apply_occurrence(ParseState& st, const Occurrence& occ,
                                                 const Environment& env);
Expected<ApplyAction, CliError> apply_daemon_occurrence(ParseState& st, const Occurrence& occ);

enum class FinalizeResult {
    ready,
    awaiting_secluded_args,  // a server started with -s stops here until its args arrive
    help,                    // a lone -h: rsync prints its usage
};

// rsync's checks and derivations after the walk (the second half of parse_arguments);
// `arg_count` is the number of positional arguments.
Expected<FinalizeResult, CliError> finalize_options(ParseState& st, std::size_t arg_count,
                                                    const Environment& env);

// "rsync: " + text, as rsync prints the errors it collects while parsing options.
CliError option_error(std::string text);

}  // namespace ursync::cli
