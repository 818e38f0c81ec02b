// The wildcard matcher behind filter rules (rsync's dowild, with its abort shortcuts).
#include "roles/filter/filter_wildmatch.h"

#include <cstddef>
#include <optional>

namespace ursync::roles {

namespace {

// dowild's results: besides match / no match, two "give up" answers that stop the callers'
// retries early (they keep the matcher polynomial on hostile patterns).
enum class Wild { no_match, match, abort_all, abort_to_starstar };

// The byte at i, or 0 past the end (the C code walks NUL-terminated strings).
unsigned char at(std::string_view s, size_t i) {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// C-locale character classes, as rsync's ctype calls see them.
bool is_upper(unsigned char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(unsigned char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(unsigned char c) {
    return is_upper(c) || is_lower(c);
}
bool is_alnum(unsigned char c) {
    return is_alpha(c) || is_digit(c);
}
bool is_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_print(unsigned char c) {
    return c >= 0x20 && c < 0x7f;
}
bool is_graph(unsigned char c) {
    return c > 0x20 && c < 0x7f;
}
bool is_cntrl(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}
bool is_punct(unsigned char c) {
    return is_graph(c) && !is_alnum(c);
}
bool is_xdigit(unsigned char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Whether c is in the named class; nullopt for a name rsync does not know.
std::optional<bool> in_class(std::string_view name, unsigned char c) {
    if (name == "alnum") return is_alnum(c);
    if (name == "alpha") return is_alpha(c);
    if (name == "blank") return c == ' ' || c == '\t';
    if (name == "cntrl") return is_cntrl(c);
    if (name == "digit") return is_digit(c);
    if (name == "graph") return is_graph(c);
    if (name == "lower") return is_lower(c);
    if (name == "print") return is_print(c);
    if (name == "punct") return is_punct(c);
    if (name == "space") return is_space(c);
    if (name == "upper") return is_upper(c);
    if (name == "xdigit") return is_xdigit(c);
    return std::nullopt;
}

// One "[...]" class at p[pi] == '[' against t_ch. On return pi is at the closing ']'.
// nullopt: the class is malformed (abort the whole match).
std::optional<bool> match_class(std::string_view p, size_t& pi, unsigned char t_ch) {
    unsigned char p_ch = at(p, ++pi);
    if (p_ch == '^') p_ch = '!';
    const bool negated = p_ch == '!';
    if (negated) p_ch = at(p, ++pi);
    unsigned char prev_ch = 0;
    bool matched = false;
    do {
        if (!p_ch) return std::nullopt;
        if (p_ch == '\\') {
            p_ch = at(p, ++pi);
            if (!p_ch) return std::nullopt;
            if (t_ch == p_ch) matched = true;
        } else if (p_ch == '-' && prev_ch && at(p, pi + 1) && at(p, pi + 1) != ']') {
            p_ch = at(p, ++pi);
            if (p_ch == '\\') {
                p_ch = at(p, ++pi);
                if (!p_ch) return std::nullopt;
            }
            if (t_ch <= p_ch && t_ch >= prev_ch) matched = true;
            p_ch = 0;  // a range cannot start another range
        } else if (p_ch == '[' && at(p, pi + 1) == ':') {
            const size_t s = pi + 2;
            for (pi = s; (p_ch = at(p, pi)) && p_ch != ']'; ++pi) {
            }
            if (!p_ch) return std::nullopt;
            if (pi < s + 1 || at(p, pi - 1) != ':') {
                // No ":]": a plain '[' in the set.
                pi = s - 2;
                p_ch = '[';
                if (t_ch == p_ch) matched = true;
                prev_ch = p_ch;
                continue;
            }
            auto in = in_class(p.substr(s, pi - 1 - s), t_ch);
            if (!in) return std::nullopt;
            if (*in) matched = true;
            p_ch = 0;
        } else if (t_ch == p_ch) {
            matched = true;
        }
        prev_ch = p_ch;
    } while ((p_ch = at(p, ++pi)) != ']');
    return matched != negated && t_ch != '/';
}

// mirrors rsync lib/wildmatch.c:dowild (the text is one string: rsync's joined array).
Wild dowild(std::string_view p, size_t pi, std::string_view t, size_t ti) {
    for (; pi < p.size(); ++ti, ++pi) {
        unsigned char p_ch = at(p, pi);
        const unsigned char t_ch = at(t, ti);
        if (ti >= t.size() && p_ch != '*') return Wild::abort_all;
        switch (p_ch) {
            case '\\':
                p_ch = at(p, ++pi);
                if (t_ch != p_ch) return Wild::no_match;
                continue;
            default:
                if (t_ch != p_ch) return Wild::no_match;
                continue;
            case '?':
                if (t_ch == '/') return Wild::no_match;
                continue;
            case '*': {
                bool special = false;
                if (at(p, pi + 1) == '*') {
                    special = true;
                    while (at(p, pi + 1) == '*') ++pi;
                }
                ++pi;  // the first pattern byte after the stars
                if (pi >= p.size()) {
                    // A trailing "**" matches everything, a trailing '*' only a last component.
                    if (!special && t.find('/', ti) != std::string_view::npos)
                        return Wild::no_match;
                    return Wild::match;
                }
                for (; ti < t.size(); ++ti) {
                    const Wild matched = dowild(p, pi, t, ti);
                    if (matched != Wild::no_match) {
                        if (!special || matched != Wild::abort_to_starstar) return matched;
                    } else if (!special && t[ti] == '/') {
                        return Wild::abort_to_starstar;
                    }
                }
                return Wild::abort_all;
            }
            case '[': {
                auto ok = match_class(p, pi, t_ch);
                if (!ok) return Wild::abort_all;
                if (!*ok) return Wild::no_match;
                continue;
            }
        }
    }
    return ti >= t.size() ? Wild::match : Wild::no_match;
}

// Where matching starts for place.where > 0: after the where-th '/' from the end, or the whole
// text when it has exactly where - 1 slashes. nullopt: fewer components than asked for.
// mirrors rsync lib/wildmatch.c:trailing_N_elements
std::optional<size_t> trailing_elements(std::string_view text, int count) {
    for (size_t i = text.size(); i-- > 0;) {
        if (text[i] == '/' && --count == 0) return i + 1;
    }
    if (count == 1) return 0;
    return std::nullopt;
}

}  // namespace

bool wild_match(std::string_view pattern, std::string_view text, MatchPlace place) {
    size_t start = 0;
    if (place.where > 0) {
        auto s = trailing_elements(text, place.where);
        if (!s) return false;
        start = *s;
    }
    Wild matched = dowild(pattern, 0, text, start);
    if (matched != Wild::match && place.where < 0 && matched != Wild::abort_all) {
        for (size_t ti = start; ti < text.size(); ++ti) {
            if (text[ti] != '/') continue;
            matched = dowild(pattern, 0, text, ti + 1);
            if (matched != Wild::no_match && matched != Wild::abort_to_starstar) break;
        }
    }
    return matched == Wild::match;
}

bool literal_match(std::string_view pattern, std::string_view text, MatchPlace place) {
    size_t start = 0;
    if (place.where > 0) {
        auto s = trailing_elements(text, place.where);
        if (!s) return false;
        start = *s;
    }
    return text.substr(start) == pattern;
}

}  // namespace ursync::roles
