// The separate "is this run supported yet" step: what parses but is not implemented stops the
// run up front with rsync's exit code 4, instead of being silently ignored.
#pragma once

#include "cli/cli_error.h"
#include "cli/parse.h"
#include "util/expected.h"

namespace ursync::cli {

// Whether ursync can run connections to an rsync daemon and the daemon itself (flipped by the
// lead when those roles land).
inline constexpr bool k_daemon_client_supported = false;
inline constexpr bool k_daemon_server_supported = false;

// The first option (in command-line order) or mode the invocation uses that ursync does not
// implement, as a CliError with ExitCode::unsupported naming it.
Expected<void, CliError> check_supported(const Invocation& invocation);

}  // namespace ursync::cli
