// Per-directory merge files (':' rules): reading a file's rules into the directory's layer.
#include <string>
#include <string_view>
#include <vector>

#include "roles/filter/filter.h"

namespace ursync::roles {

namespace {

bool is_space_char(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// The tokens of a merge file: lines (CR, LF or CRLF end one; empty lines and ';'/'#' comments
// skipped) or, with 'w', whitespace-separated words. mirrors rsync exclude.c:parse_filter_file
std::vector<std::string_view> merge_tokens(std::string_view text, bool word_split) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i <= text.size()) {
        size_t j = i;
        while (j < text.size() &&
               !(word_split ? is_space_char(text[j]) : (text[j] == '\n' || text[j] == '\r')))
            ++j;
        std::string_view tok = text.substr(i, j - i);
        if (!tok.empty() && (word_split || (tok.front() != ';' && tok.front() != '#')))
            out.push_back(tok);
        if (j < text.size() && text[j] == '\r' && j + 1 < text.size() && text[j + 1] == '\n') ++j;
        i = j + 1;
    }
    return out;
}

// A rule of a merge file with prefixes ("- x", "+ y"), checked against the merge rule.
Expected<void, FilterError> adopt_rule(const FilterRule& merge, FilterRule& r,
                                       std::string_view rel_dir) {
    if (r.per_dir_merge) {
        return Unexpected{
            FilterError{"merge rules inside a per-directory merge file are not supported",
                        ExitCode::unsupported}};
    }
    const bool merge_sided = merge.sender_side || merge.receiver_side;
    if (merge_sided && (r.sender_side || r.receiver_side)) {
        return Unexpected{FilterError{"specified-side merge file contains specified-side filter",
                                      ExitCode::syntax}};
    }
    if (merge_sided) {
        r.sender_side = merge.sender_side;
        r.receiver_side = merge.receiver_side;
    }
    if (!r.pattern.empty() && r.pattern.front() == '/' && !rel_dir.empty()) {
        // Anchored at the merge file's directory (rsync's XFLG_ANCHORED2ABS).
        const bool dir_only = r.dir_only;
        FilterRule anchored = r;
        anchored.slash_count = 0;
        anchored.wild = anchored.wild2 = anchored.wild2_prefix = anchored.wild3_suffix = false;
        set_rule_pattern(anchored, "/" + std::string(rel_dir) + r.pattern);
        anchored.dir_only = dir_only;
        r = std::move(anchored);
    }
    return {};
}

}  // namespace

// mirrors rsync exclude.c:push_local_filters (a directory's rules first, then the inherited)
Expected<DirMergeRules, FilterError> FilterList::merge_layer(
    const DirMergeRules* parent, const std::vector<std::optional<std::string>>& texts,
    std::string_view rel_dir, FilterParseOptions options) const {
    DirMergeRules layer;
    if (rel_dir == ".") rel_dir = {};
    size_t k = 0;
    for (const auto& merge : rules_) {
        if (!merge.per_dir_merge) continue;
        std::vector<FilterRule> local;
        bool cleared = false;  // a "!" in the file drops the inherited rules too
        if (k < texts.size() && texts[k]) {
            for (std::string_view tok : merge_tokens(*texts[k], merge.word_split)) {
                if (local.size() >= k_filter_rule_count_max)
                    return Unexpected{FilterError{"too many filter rules", ExitCode::protocol}};
                if (merge.no_prefixes) {
                    if (tok == "!" && merge.cvs_ignore) {
                        local.clear();
                        cleared = true;
                        continue;
                    }
                    if (tok.size() > k_filter_pattern_len_max) continue;
                    FilterRule r;
                    r.include = merge.include;
                    r.perishable = merge.perishable;
                    r.sender_side = merge.sender_side;
                    r.receiver_side = merge.receiver_side;
                    set_rule_pattern(r, tok);
                    local.push_back(std::move(r));
                    continue;
                }
                FilterList one;
                auto added = one.add(tok, options);
                if (!added) return Unexpected{std::move(added).error()};
                if (one.rules_.empty()) {  // "!": clears what this list had so far
                    local.clear();
                    cleared = true;
                    continue;
                }
                for (auto& r : one.rules_) {
                    auto ok = adopt_rule(merge, r, rel_dir);
                    if (!ok) return Unexpected{std::move(ok).error()};
                    local.push_back(std::move(r));
                }
            }
        }
        if (parent && !merge.no_inherit && !cleared && k < parent->lists.size()) {
            const auto& inherited = parent->lists[k];
            local.insert(local.end(), inherited.begin(), inherited.end());
        }
        layer.lists.push_back(std::move(local));
        ++k;
    }
    return layer;
}

}  // namespace ursync::roles
