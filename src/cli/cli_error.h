// A command-line error: rsync's exact message and the exit code rsync uses for it.
#pragma once

#include <string>

#include "util/exit_codes.h"

namespace ursync::cli {

struct CliError {
    // What rsync prints on stderr before its "rsync error: ..." line, without the final newline
    // (several lines are joined with '\n'), e.g. "rsync: --bogus: unknown option".
    std::string message;
    ExitCode code = ExitCode::syntax;
    // rsync prints its usage text (to stderr) instead of a message, e.g. for `rsync -v`.
    bool show_usage = false;

    bool operator==(const CliError&) const = default;
};

}  // namespace ursync::cli
