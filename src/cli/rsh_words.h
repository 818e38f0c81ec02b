// Splits the remote-shell command (-e / $RSYNC_RSH) into words the way rsync does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.h"
#include "util/expected.h"

namespace ursync::cli {

// Words are separated by spaces (only ' '); '...' and "..." quote, and inside quotes a doubled
// quote character stands for one. An unclosed quote is rsync's syntax error.
// mirrors the word splitting in rsync main.c:do_cmd
Expected<std::vector<std::string>, CliError> split_rsh_words(std::string_view command);

}  // namespace ursync::cli
