// popt's reading of argv (what rsync's option library accepts and how it words its errors),
// turned into a canonical token list that CLI11 then parses without ambiguity.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/option_table.h"

namespace ursync::cli {

struct LexedArgs {
    // The arguments (argv[0] excluded) up to the first syntax error, rewritten so that every
    // option value is a token of its own (`--x=` and `-B=N` are popt spellings CLI11 reads
    // differently); positional arguments and `--` are kept as they are.
    std::vector<std::string> tokens;
    // popt's complaint about the first bad argument ("--bogus: unknown option"), if any.
    std::optional<std::string> error;
    // `--server` occurs among the options read before the error (rsync then reparses as a server).
    bool saw_server = false;
    // The table rows those tokens use, each once (CLI11 only needs to know these).
    std::vector<const OptionSpec*> rows;
};

LexedArgs lex_arguments(std::span<const std::string> args, OptionTableKind table);

// popt's integer reading: strtol base 0, the whole text must be used, the result must fit an int.
enum class IntegerError { none, bad_number, overflow };
IntegerError parse_popt_integer(const std::string& text, int& value);

}  // namespace ursync::cli
