// A client's positional arguments -> direction, remote end, sources and destination, with
// rsync's checks (rsync main.c:start_client).
#pragma once

#include <string>
#include <vector>

#include "cli/cli_error.h"
#include "cli/parse.h"

namespace ursync::cli {

// Fills mode, sources, destination, shell and daemon of `inv` from `args` (at least one).
Expected<void, CliError> classify_client_args(Invocation& inv, std::vector<std::string> args);

}  // namespace ursync::cli
