// Rule text for the filter options, as rsync's exclude.c reads patterns given with old prefixes.
#include "cli/filter_args.h"

namespace ursync::cli {

// mirrors the XFLG_OLD_PREFIXES branch of rsync exclude.c:parse_rule_tok
std::optional<std::string> old_style_rule(std::string_view pattern, bool include) {
    if (pattern.empty()) return std::nullopt;
    if (pattern.size() >= 2 && (pattern[0] == '-' || pattern[0] == '+') && pattern[1] == ' ') {
        return std::string(pattern);
    }
    if (pattern == "!") return std::string(pattern);
    return std::string(include ? "+ " : "- ") + std::string(pattern);
}

// mirrors rsync exclude.c:parse_filter_file (line splitting and comment skipping)
std::vector<std::string> rules_from_file_text(std::string_view text, bool include,
                                              bool nul_separated) {
    std::vector<std::string> rules;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = pos;
        while (end < text.size()) {
            const char c = text[end];
            if (nul_separated ? c == '\0' : (c == '\n' || c == '\r')) break;
            ++end;
        }
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!nul_separated && end < text.size() && text[end] == '\r' && pos < text.size() &&
            text[pos] == '\n') {
            ++pos;  // CRLF ends one line, not two
        }
        if (line.empty() || line[0] == ';' || line[0] == '#') continue;
        if (auto rule = old_style_rule(line, include)) rules.push_back(std::move(*rule));
    }
    return rules;
}

std::optional<std::string> dash_f_rule(int count) {
    if (count == 1) return std::string(": /.rsync-filter");
    if (count == 2) return std::string("- .rsync-filter");
    return std::nullopt;
}

}  // namespace ursync::cli
