// CLI11 parses the canonical tokens against the option table into ordered option occurrences.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "cli/option_table.h"
#include "util/expected.h"

namespace ursync::cli {

// One use of an option on the command line, in command-line order.
struct Occurrence {
    const OptionSpec* spec = nullptr;
    std::string value;  // empty for flags
};

struct ParsedArgs {
    std::vector<Occurrence> occurrences;
    std::vector<std::string> positionals;
};

// `tokens` come from lex_arguments() (argv[0] excluded) and `rows` are the table rows they use:
// only those are registered with CLI11 (building an App with all ~270 rows costs milliseconds).
// Fails only if CLI11 disagrees with the lexer, which would be a bug; the text then says what
// CLI11 reported.
Expected<ParsedArgs, std::string> parse_with_cli11(std::span<const std::string> tokens,
                                                   std::span<const OptionSpec* const> rows);

}  // namespace ursync::cli
