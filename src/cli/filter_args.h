// --exclude/--include patterns and --exclude-from/--include-from files turned into rule text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ursync::cli {

// The rule an --exclude (include == false) or --include PATTERN adds, with rsync's "old prefix"
// reading: "- X" and "+ X" choose the kind, a lone "!" clears the list; nullopt for "".
std::optional<std::string> old_style_rule(std::string_view pattern, bool include);

// The rules an --exclude-from/--include-from file adds: one pattern per line (CR, LF or CRLF
// ends a line; NUL does with --from0), skipping empty lines and lines starting with ';' or '#'.
std::vector<std::string> rules_from_file_text(std::string_view text, bool include,
                                              bool nul_separated);

// The rules -F adds the first and the second time it is given (none after that).
std::optional<std::string> dash_f_rule(int count);

}  // namespace ursync::cli
