// rsync's include/exclude filter rules: parsing rule text and first-match-wins matching.
//
// roles/filter/ is the bottom wing of the roles: the rules as text and on the wire
// (filter_wire.h), wildcard matching (filter_wildmatch.h), per-directory merge files
// (filter_merge.cpp), and the matching both sides do (sender: what is listed; receiver: what
// is protected from deletion; -X: which attribute names pass). It includes no other wing.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/exit_codes.h"
#include "util/expected.h"

namespace ursync::roles {

// Longest pattern kept (rsync discards longer ones with a message): MAXPATHLEN - 1.
inline constexpr size_t k_filter_pattern_len_max = 4095;
// Most rules one list accepts (the peer sends them: a bound on what it can make us hold).
inline constexpr size_t k_filter_rule_count_max = 1u << 16;

// Which side of the transfer asks: rules marked for one side only ('s' sender / hide / show,
// 'r' receiver / protect / risk) are ignored by the other.
enum class FilterSide { sender, receiver };

struct FilterError {
    std::string what;  // one line, rsync's wording ("Unknown filter rule: `x'")
    ExitCode code = ExitCode::syntax;
};

// One parsed include/exclude rule. Merge rules are kept only as the per-directory merge list
// they name (see FilterList); `.`-style merges are read when the rule is added.
struct FilterRule {
    std::string pattern;         // without the trailing '/' of a directory-only rule
    bool include = false;        // '+' (and show/risk)
    bool dir_only = false;       // the pattern ended in '/'
    bool negate = false;         // '!' modifier: matches what the pattern does not
    bool abs_path = false;       // '/' modifier: matched against the absolute path
    bool sender_side = false;    // 's' (hide/show, or any rule with --delete-excluded)
    bool receiver_side = false;  // 'r' (protect/risk)
    bool perishable = false;     // 'p'
    bool xattr = false;          // 'x': an xattr-name rule (never matches file names)
    bool cvs_ignore = false;     // "-C": the CVS default ignore list
    bool per_dir_merge = false;  // ':' dir-merge: `pattern` is the merge file's name
    // dir-merge modifiers: 'n' (not inherited by subdirectories), 'w' (words, not lines),
    // '+'/'-' (the file's rules have no prefixes: all includes / all excludes).
    bool no_inherit = false;
    bool word_split = false;
    bool no_prefixes = false;
    // Derived from the pattern (rsync add_rule).
    bool wild = false;          // contains '*', '?' or '['
    bool wild2 = false;         // contains "**"
    bool wild2_prefix = false;  // starts with "**"
    bool wild3_suffix = false;  // ends with "***"
    int slash_count = 0;

    bool applies_to(FilterSide side) const {
        if (!sender_side && !receiver_side) return true;
        return side == FilterSide::sender ? sender_side : receiver_side;
    }
};

// The rules read from per-directory merge files (':' rules) for one directory: lists[k] holds,
// for the k-th ':' rule of the list, the rules of this directory's file followed by the ones
// inherited from its parents, in the order rsync checks them.
struct DirMergeRules {
    std::vector<std::vector<FilterRule>> lists;
};

// How rule text is read.
struct FilterParseOptions {
    bool delete_excluded = false;  // plain include/exclude rules become sender-side
};

// An ordered rule list. check() answers like rsync's check_filter: the first rule that matches
// decides.
class FilterList {
  public:
    FilterList() = default;

    // Parses `rules` (each one rule as rsync rule text: "- *.o", "+ keep/", "-! x",
    // "exclude foo", "!", ...) in order. mirrors rsync exclude.c:parse_filter_str
    static Expected<FilterList, FilterError> parse(const std::vector<std::string>& rules,
                                                   FilterParseOptions options = {});
    // Adds one rule (or clears the list for "!").
    Expected<void, FilterError> add(std::string_view rule_text, FilterParseOptions options = {});
    // Appends a rule built by the caller (its flags already set, as rsync's internal rules are).
    void push_rule(FilterRule rule) { rules_.push_back(std::move(rule)); }

    // -1 excluded, 1 included, 0 no rule matched. `name` is the path relative to the transfer
    // root ('/'-separated); abs_dir is the transfer root's absolute path without its leading
    // '/' (for '/'-modifier rules; empty = the root is "/"). mirrors rsync exclude.c:check_filter
    // `merged`: the per-directory rules in effect where `name` lives (nullptr: none read).
    int check(std::string_view name, bool is_dir, FilterSide side,
              const DirMergeRules* merged = nullptr, bool ignore_perishable = false) const;
    bool excluded(std::string_view name, bool is_dir, FilterSide side,
                  const DirMergeRules* merged = nullptr, bool ignore_perishable = false) const {
        return check(name, is_dir, side, merged, ignore_perishable) < 0;
    }

    // The per-directory rules for directory `rel_dir` (relative to the transfer root, "." or ""
    // for the root): `texts[k]` is the content of the k-th ':' rule's file in that directory
    // (nullopt when it does not exist), `parent` the parent directory's rules (nullptr at the
    // top). '/'-anchored patterns in a file are anchored at its directory. Nested merge rules
    // inside merge files are refused. mirrors rsync exclude.c:push_local_filters
    Expected<DirMergeRules, FilterError> merge_layer(
        const DirMergeRules* parent, const std::vector<std::optional<std::string>>& texts,
        std::string_view rel_dir, FilterParseOptions options = {}) const;
    bool has_dir_merges() const;
    // Rules with the 'x' modifier (they name extended attributes, not files).
    bool has_xattr_rules() const;
    // An attribute name excluded by the 'x' rules (the others never match attribute names).
    // mirrors rsync exclude.c:name_is_excluded(name, NAME_IS_XATTR, ALL_FILTERS)
    bool xattr_excluded(std::string_view name, FilterSide side) const;

    void set_abs_dir(std::string abs_dir) { abs_dir_ = std::move(abs_dir); }
    bool empty() const { return rules_.empty(); }
    const std::vector<FilterRule>& rules() const { return rules_; }
    // Names of the per-directory merge files the list asks for (':' rules), in order.
    std::vector<std::string> dir_merge_files() const;

  private:
    bool rule_matches(const FilterRule& rule, std::string_view name, bool is_dir,
                      bool xattr_name = false) const;
    int check_rules(const std::vector<FilterRule>& rules, std::string_view name, bool is_dir,
                    FilterSide side, bool ignore_perishable) const;

    std::vector<FilterRule> rules_;
    std::string abs_dir_;
};

// Sets rule.pattern from pattern text: a trailing '/' makes a directory-only rule, and the
// wildcard facts are derived. mirrors the pattern part of rsync exclude.c:add_rule
void set_rule_pattern(FilterRule& rule, std::string_view pattern);

// rsync's built-in CVS ignore list (what "-C" excludes before $CVSIGNORE).
std::string_view default_cvs_ignore();

}  // namespace ursync::roles
