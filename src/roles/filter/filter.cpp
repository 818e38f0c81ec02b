// Filter rules: rsync's rule-text parser and its matching rules (anchoring, slashes, "**").
#include "roles/filter/filter.h"

#include <cstdlib>

#include "roles/filter/filter_wildmatch.h"

namespace ursync::roles {

namespace {

bool is_space_char(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// "exclude", "include", ... followed by a space, '_', ',' or the end. Returns the position of
// the last keyword byte (or of the ','), as rsync's rule_strcmp does; npos if no match.
size_t keyword_end(std::string_view s, std::string_view word) {
    if (s.substr(0, word.size()) != word) return std::string_view::npos;
    if (s.size() == word.size()) return word.size() - 1;
    const char next = s[word.size()];
    if (is_space_char(next) || next == '_') return word.size() - 1;
    if (next == ',') return word.size();
    return std::string_view::npos;
}

Unexpected<FilterError> rule_error(std::string_view msg, std::string_view rule) {
    return Unexpected{FilterError{std::string(msg) + ": " + std::string(rule), ExitCode::syntax}};
}

}  // namespace

// rsync add_rule: the trailing '/' and the pattern's wildcard facts.
void set_rule_pattern(FilterRule& rule, std::string_view pat) {
    if (pat.size() > 1 && pat.back() == '/') {
        pat.remove_suffix(1);
        rule.dir_only = true;
    }
    rule.pattern.assign(pat);
    for (char c : rule.pattern)
        if (c == '/') ++rule.slash_count;
    if (rule.pattern.find_first_of("*[?") != std::string::npos) {
        rule.wild = true;
        const size_t star2 = rule.pattern.find("**");
        if (star2 != std::string::npos) {
            rule.wild2 = true;
            rule.wild2_prefix = star2 == 0;
            const size_t n = rule.pattern.size();
            rule.wild3_suffix = n >= 3 && rule.pattern.compare(n - 3, 3, "***") == 0;
        }
    }
}

std::string_view default_cvs_ignore() {
    return "RCS SCCS CVS CVS.adm RCSLOG cvslog.* tags TAGS .make.state .nse_depinfo *~ #* .#* "
           ",* _$* *$ *.old *.bak *.BAK *.orig *.rej .del-* *.a *.olb *.o *.obj *.so *.exe "
           "*.Z *.elc *.ln core .svn/ .git/ .hg/ .bzr/";
}

// mirrors rsync exclude.c:parse_rule_tok (prefix forms of protocol >= 29) + parse_filter_str
Expected<void, FilterError> FilterList::add(std::string_view text, FilterParseOptions options) {
    if (text.empty()) return {};
    if (rules_.size() >= k_filter_rule_count_max)
        return Unexpected{FilterError{"too many filter rules", ExitCode::protocol}};
    const std::string_view whole = text;
    FilterRule rule;
    char ch = 0;
    size_t pos = 0;  // rsync's `s`: the last byte of the rule's kind
    const struct {
        std::string_view word;
        char ch;
    } keywords[] = {{"clear", '!'},   {"dir-merge", ':'}, {"exclude", '-'},
                    {"hide", 'H'},    {"include", '+'},   {"merge", '.'},
                    {"protect", 'P'}, {"risk", 'R'},      {"show", 'S'}};
    bool keyword = false;
    for (const auto& k : keywords) {
        if (text[0] != k.word[0]) continue;
        keyword = true;
        pos = keyword_end(text, k.word);
        if (pos != std::string_view::npos) ch = k.ch;
        break;
    }
    if (!keyword) {
        ch = text[0];
        pos = text.size() > 1 && text[1] == ',' ? 1 : 0;
    }
    bool merge = false;
    bool side_given = false;
    switch (ch) {
        case ':':
            rule.per_dir_merge = true;
            merge = true;
            break;
        case '.':
            merge = true;
            break;
        case '+':
            rule.include = true;
            break;
        case '-':
            break;
        case 'S':
            rule.include = true;
            [[fallthrough]];
        case 'H':
            rule.sender_side = true;
            side_given = true;
            break;
        case 'R':
            rule.include = true;
            [[fallthrough]];
        case 'P':
            rule.receiver_side = true;
            side_given = true;
            break;
        case '!':
            break;
        default:
            return rule_error("Unknown filter rule", whole);
    }
    bool exclude_self = false;
    if (ch != '!') {
        while (++pos < text.size() && text[pos] != ' ' && text[pos] != '_') {
            const char m = text[pos];
            bool ok = true;
            switch (m) {
                case '-':
                    ok = merge && !rule.no_prefixes;
                    rule.no_prefixes = true;
                    break;
                case '+':
                    ok = merge && !rule.no_prefixes;
                    rule.no_prefixes = true;
                    rule.include = true;
                    break;
                case '/':
                    rule.abs_path = true;
                    break;
                case '!':
                    ok = !merge;
                    rule.negate = true;
                    break;
                case 'C':
                    ok = !rule.no_prefixes && !side_given;
                    rule.no_prefixes = rule.word_split = rule.no_inherit = true;
                    rule.cvs_ignore = true;
                    break;
                case 'e':
                    ok = merge;
                    exclude_self = true;
                    break;
                case 'n':
                    ok = merge;
                    rule.no_inherit = true;
                    break;
                case 'w':
                    ok = merge;
                    rule.word_split = true;
                    break;
                case 'p':
                    rule.perishable = true;
                    break;
                case 'r':
                    ok = !side_given;
                    rule.receiver_side = true;
                    break;
                case 's':
                    ok = !side_given;
                    rule.sender_side = true;
                    break;
                case 'x':
                    rule.xattr = true;
                    break;
                default:
                    ok = false;
                    break;
            }
            if (!ok) {
                return Unexpected{FilterError{"invalid modifier '" + std::string(1, m) +
                                                  "' at position " + std::to_string(pos) +
                                                  " in filter rule: " + std::string(whole),
                                              ExitCode::syntax}};
            }
        }
    }
    if (pos < text.size()) ++pos;
    std::string_view pat = text.substr(std::min(pos, text.size()));

    if (ch == '!') {
        if (!pat.empty()) return rule_error("'!' rule has trailing characters", whole);
        rules_.clear();
        return {};
    }
    if (pat.empty() && !rule.cvs_ignore) return rule_error("unexpected end of filter rule", whole);
    if (options.delete_excluded && !rule.sender_side && !rule.receiver_side && !merge)
        rule.sender_side = true;
    if (pat.size() > k_filter_pattern_len_max) return {};  // rsync discards it
    if (merge) {
        if (pat.empty()) pat = ".cvsignore";
        // ": /.rsync-filter" (-F): the file in each directory from the transfer root down.
        // (rsync also reads it in the directories above the root up to "/"; we do not.)
        if (rule.per_dir_merge && pat.size() > 1 && pat.front() == '/' &&
            pat.find('/', 1) == std::string_view::npos)
            pat.remove_prefix(1);
        if (!rule.per_dir_merge || pat.find('/') != std::string_view::npos) {
            return Unexpected{
                FilterError{"merge-file filter rules other than a per-directory "
                            "file name are not supported: " +
                                std::string(whole),
                            ExitCode::unsupported}};
        }
        if (exclude_self) {
            FilterRule self;
            set_rule_pattern(self, pat);
            rules_.push_back(std::move(self));
        }
    }
    set_rule_pattern(rule, pat);
    rules_.push_back(std::move(rule));
    if (rules_.back().cvs_ignore && !rules_.back().per_dir_merge) {
        // "-C": the default list, then $CVSIGNORE, as exclude rules (perishable for
        // protocol >= 30). mirrors rsync exclude.c:get_cvs_excludes ($HOME/.cvsignore is not
        // read).
        rules_.pop_back();
        std::string words(default_cvs_ignore());
        if (const char* env = std::getenv("CVSIGNORE")) {
            words += ' ';
            words += env;
        }
        std::string_view rest = words;
        while (!rest.empty()) {
            while (!rest.empty() && is_space_char(rest.front())) rest.remove_prefix(1);
            size_t n = 0;
            while (n < rest.size() && !is_space_char(rest[n])) ++n;
            if (n == 0) break;
            FilterRule word;
            word.perishable = true;
            word.sender_side = rule.sender_side;
            word.receiver_side = rule.receiver_side;
            set_rule_pattern(word, rest.substr(0, n));
            rules_.push_back(std::move(word));
            rest.remove_prefix(n);
        }
    }
    return {};
}

Expected<FilterList, FilterError> FilterList::parse(const std::vector<std::string>& rules,
                                                    FilterParseOptions options) {
    FilterList list;
    for (const auto& r : rules) {
        auto added = list.add(r, options);
        if (!added) return Unexpected{std::move(added).error()};
    }
    return list;
}

// mirrors rsync exclude.c:rule_matches
bool FilterList::rule_matches(const FilterRule& rule, std::string_view fname, bool is_dir,
                              bool xattr_name) const {
    std::string_view name = fname;
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    if (name.empty() || rule.xattr != xattr_name) return false;
    const bool ret_match = !rule.negate;
    std::string joined;  // rsync's array of strings, joined
    bool multi = false;
    if (rule.slash_count == 0 && !rule.wild2) {
        const size_t slash = name.rfind('/');
        if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    } else if (rule.abs_path && fname.front() != '/' && !abs_dir_.empty()) {
        joined = abs_dir_;
        joined += '/';
        multi = true;
    } else if (rule.wild2_prefix && fname.front() != '/') {
        joined = "/";
        multi = true;
    }
    joined += name;
    if (is_dir) {
        if (rule.wild3_suffix) {
            joined += '/';
            multi = true;
        }
    } else if (rule.dir_only) {
        return !ret_match;
    }
    std::string_view pattern = rule.pattern;
    bool anchored = false;
    if (!pattern.empty() && pattern.front() == '/') {
        anchored = true;
        pattern.remove_prefix(1);
    }
    MatchPlace place;
    if (!anchored && rule.slash_count && !rule.wild2)
        place.where = rule.slash_count + 1;
    else if (!anchored && !rule.wild2_prefix && rule.wild2)
        place.where = -1;

    bool hit;
    if (rule.wild) {
        hit = wild_match(pattern, joined, place);
    } else if (multi) {
        hit = literal_match(pattern, joined, place);
    } else if (anchored) {
        hit = name == pattern;
    } else {
        // The pattern equals the name or a trailing run of whole components of it.
        hit = pattern.size() <= name.size() &&
              name.substr(name.size() - pattern.size()) == pattern &&
              (name.size() == pattern.size() || name[name.size() - pattern.size() - 1] == '/');
    }
    return hit ? ret_match : !ret_match;
}

int FilterList::check_rules(const std::vector<FilterRule>& rules, std::string_view name,
                            bool is_dir, FilterSide side, bool ignore_perishable) const {
    for (const auto& rule : rules) {
        if (ignore_perishable && rule.perishable) continue;
        if (!rule.applies_to(side)) continue;
        if (rule_matches(rule, name, is_dir)) return rule.include ? 1 : -1;
    }
    return 0;
}

int FilterList::check(std::string_view name, bool is_dir, FilterSide side,
                      const DirMergeRules* merged, bool ignore_perishable) const {
    size_t merge_index = 0;
    for (const auto& rule : rules_) {
        if (rule.per_dir_merge) {
            const size_t k = merge_index++;
            if (!merged || k >= merged->lists.size()) continue;
            if (int rc = check_rules(merged->lists[k], name, is_dir, side, ignore_perishable))
                return rc;
            continue;
        }
        if (ignore_perishable && rule.perishable) continue;
        if (!rule.applies_to(side)) continue;
        if (rule_matches(rule, name, is_dir)) return rule.include ? 1 : -1;
    }
    return 0;
}

bool FilterList::has_dir_merges() const {
    for (const auto& r : rules_)
        if (r.per_dir_merge) return true;
    return false;
}

bool FilterList::has_xattr_rules() const {
    for (const auto& r : rules_)
        if (r.xattr) return true;
    return false;
}

bool FilterList::xattr_excluded(std::string_view name, FilterSide side) const {
    for (const auto& rule : rules_) {
        if (rule.per_dir_merge || !rule.applies_to(side)) continue;
        if (rule_matches(rule, name, false, true)) return !rule.include;
    }
    return false;
}

std::vector<std::string> FilterList::dir_merge_files() const {
    std::vector<std::string> out;
    for (const auto& r : rules_)
        if (r.per_dir_merge) out.push_back(r.pattern);
    return out;
}

}  // namespace ursync::roles
