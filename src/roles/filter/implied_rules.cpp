// The implied-include rules of a pulling client's source args, and the checks made with them.
#include "roles/filter/implied_rules.h"

#include <cstring>
#include <utility>

namespace ursync::roles {

namespace {

bool is_wild_char(char c) {
    return c == '*' || c == '[' || c == '?';
}

// The same rule matching names with the '[' of failed "[...]" idioms literally (a remote
// shell that found no match passes the arg on as is). nullopt when the pattern has no
// unescaped '['. mirrors rsync exclude.c:maybe_add_literal_brackets_rule
std::optional<FilterRule> literal_brackets_rule(const FilterRule& based_on) {
    const std::string& pat = based_on.pattern;
    std::string out;
    bool any = false;
    for (size_t i = 0; i < pat.size(); ++i) {
        if (pat[i] == '\\' && i + 1 < pat.size()) {
            out += pat[i];
            out += pat[++i];
        } else if (pat[i] == '[') {
            out += "\\[";
            any = true;
        } else {
            out += pat[i];
        }
    }
    if (!any) return std::nullopt;
    FilterRule rule = based_on;
    rule.pattern = std::move(out);
    return rule;
}

}  // namespace

void ImpliedRules::push(FilterRule rule, bool live_bracket) {
    std::optional<FilterRule> literal;
    if (live_bracket) literal = literal_brackets_rule(rule);
    for (FilterRule* r : {&rule, literal ? &*literal : nullptr}) {
        if (!r) continue;
        made_.push_back(*r);
        (r->dir_only ? parents_ : leaves_).push_rule(std::move(*r));
    }
}

// mirrors rsync exclude.c:add_implied_include
void ImpliedRules::add_arg(std::string_view arg) {
    // The part of the arg the sender's names start with: from a "/./" on with -R, else the
    // last component.
    if (options_.relative) {
        if (size_t dot = arg.find("/./"); dot != std::string_view::npos) arg.remove_prefix(dot + 3);
    } else if (size_t slash = arg.rfind('/'); slash != std::string_view::npos) {
        arg.remove_prefix(slash + 1);
    }
    if (arg == ".") arg = {};

    // The anchored pattern: "//" and "./" components dropped, a trailing '/' or "/." dropped,
    // backslashes doubled when the arg has wildcards (they then escape) unless they already
    // escape a wildcard.
    std::string pat;
    int slash_count = 0;
    int backslash_count = 0;
    bool saw_wild = false;
    bool live_bracket = false;
    if (!arg.empty()) {
        saw_wild = arg.find_first_of("*[?") != std::string_view::npos;
        pat = "/";
        slash_count = 1;
        size_t i = 0;
        while (i < arg.size()) {
            const bool last = i + 1 == arg.size();
            switch (arg[i]) {
                case '\\':
                    if (!last && arg[i + 1] == ']') {
                        if (!saw_wild) ++i;  // "\]" outside a wildcard arg is just "]"
                    } else if (last || !is_wild_char(arg[i + 1])) {
                        ++backslash_count;
                        if (saw_wild) pat += '\\';
                    }
                    pat += arg[i++];
                    break;
                case '/':
                    if (pat.back() == '/') {
                        if (++i == arg.size()) {
                            --slash_count;
                            pat.pop_back();
                        }
                    } else if (last) {
                        ++i;
                    } else {
                        ++slash_count;
                        pat += arg[i++];
                    }
                    break;
                case '.':
                    if (pat.back() == '/' && !last && arg[i + 1] == '/') {
                        i += 2;
                        if (i == arg.size()) {
                            --slash_count;
                            pat.pop_back();
                        }
                    } else if (pat.back() == '/' && last) {
                        ++i;
                        --slash_count;
                        pat.pop_back();
                    } else {
                        pat += arg[i++];
                    }
                    break;
                case '[':
                    live_bracket = true;
                    pat += arg[i++];
                    break;
                default:
                    pat += arg[i++];
                    break;
            }
        }
    }

    if (!pat.empty()) {
        FilterRule rule;
        rule.include = true;
        rule.wild = saw_wild;
        rule.slash_count = slash_count;
        rule.pattern = pat;
        const size_t main_at = made_.size();
        push(std::move(rule), live_bracket);
        // -R: each parent directory of the arg, up to one an earlier arg already implied.
        if (options_.relative && slash_count) {
            std::string sub = pat;
            int sub_slash_count = slash_count;
            for (;;) {
                const size_t cut = sub.rfind('/');
                if (cut == 0 || cut == std::string::npos) break;
                sub.resize(cut);
                bool found = false;
                for (size_t k = 0; k < made_.size() && !found; ++k)
                    found = k != main_at && made_[k].pattern == sub;
                if (found) break;
                FilterRule parent;
                parent.include = true;
                parent.dir_only = true;
                parent.wild = saw_wild && sub.find_first_of("*[?\\") != std::string::npos;
                parent.slash_count = --sub_slash_count;
                parent.pattern = sub;
                push(std::move(parent), live_bracket);
            }
        }
    }

    if (options_.recurse || options_.dirs) {
        // Beneath the arg: "/**" with -r, "/*" with -d.
        FilterRule rule;
        rule.include = true;
        rule.wild = true;
        rule.wild2 = options_.recurse;
        rule.slash_count = slash_count + 1;
        if (!saw_wild && backslash_count) {
            // The appended wildcard makes the backslashes escapes: double them.
            for (char c : pat) {
                if (c == '\\') rule.pattern += '\\';
                rule.pattern += c;
            }
        } else {
            rule.pattern = pat;
        }
        rule.pattern += options_.recurse ? "/**" : "/*";
        push(std::move(rule), live_bracket);
    }
}

bool ImpliedRules::requested(std::string_view name, bool is_dir) const {
    return leaves_.check(name, is_dir, FilterSide::receiver) > 0 ||
           parents_.check(name, is_dir, FilterSide::receiver) > 0;
}

// mirrors rsync exclude.c:is_implied_parent_dir
bool ImpliedRules::parent_only(std::string_view name) const {
    if (made_.empty()) return false;
    if (name == "." || name == "/.") {
        // The transfer root is a parent unless an empty or "." arg asked for its contents.
        for (const auto& r : made_)
            if (r.pattern == "/**" || r.pattern == "/*") return false;
        return true;
    }
    if (leaves_.check(name, true, FilterSide::receiver) > 0) return false;
    return parents_.check(name, true, FilterSide::receiver) > 0;
}

std::vector<std::string> ImpliedRules::describe() const {
    std::vector<std::string> out;
    for (const auto& r : made_) out.push_back(r.dir_only ? r.pattern + "/" : r.pattern);
    return out;
}

}  // namespace ursync::roles
