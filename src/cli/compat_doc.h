// The options table of docs/compat.md, generated from the option table (a test keeps the two
// equal; tests/cli/compat_table_gen prints it for pasting).
#pragma once

#include <string>
#include <string_view>

namespace ursync::cli {

inline constexpr std::string_view k_compat_table_begin =
    "<!-- options-table:begin (generated from src/cli/option_table.cpp; do not edit) -->";
inline constexpr std::string_view k_compat_table_end = "<!-- options-table:end -->";

// The markdown table, begin and end markers included, ending with a newline.
std::string options_compat_table();

// Human wording of a status, as the table shows it.
std::string_view support_text(int support);

}  // namespace ursync::cli
