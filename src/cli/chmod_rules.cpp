// --chmod rules: a small state machine per comma-separated item, as rsync's parse_chmod reads
// them, and the mode arithmetic of its tweak_mode.
#include "cli/chmod_rules.h"

#include <sys/stat.h>

#include <mutex>
#include <string>

namespace ursync::cli {
namespace {

constexpr std::uint32_t k_perm_bits = 07777;  // rsync's CHMOD_BITS

std::uint32_t special_bits_of(std::uint32_t who) {
    std::uint32_t bits = 0;
    if (who & 0100) bits |= S_ISUID;
    if (who & 0010) bits |= S_ISGID;
    if (who & 0001) bits |= S_ISVTX;
    return bits;
}

// One item ("Dg+s", "F644", "o=u", ...), or nullopt if it is not valid.
std::optional<ChmodRule> parse_item(std::string_view item, std::uint32_t umask) {
    enum class State { who, perms, octal } state = State::who;
    std::uint32_t who = 0, what = 0, top_bits = 0, top_oct = 0, copy = 0;
    bool have_op = false;
    ChmodRule r;
    for (const char c : item) {
        switch (state) {
            case State::who:
                switch (c) {
                    case 'D':
                        if (r.files_only) return std::nullopt;
                        r.dirs_only = true;
                        break;
                    case 'F':
                        if (r.dirs_only) return std::nullopt;
                        r.files_only = true;
                        break;
                    case 'u': who |= 0100, top_bits |= 04000; break;
                    case 'g': who |= 0010, top_bits |= 02000; break;
                    case 'o': who |= 0001; break;
                    case 'a': who |= 0111, top_bits |= 06000; break;
                    case '+': r.op = ChmodRule::Op::add, have_op = true, state = State::perms; break;
                    case '-': r.op = ChmodRule::Op::sub, have_op = true, state = State::perms; break;
                    case '=': r.op = ChmodRule::Op::eq, have_op = true, state = State::perms; break;
                    default:
                        if (c < '0' || c > '7' || who != 0) return std::nullopt;
                        r.op = ChmodRule::Op::set;
                        have_op = true;
                        state = State::octal;
                        who = 1;
                        what = static_cast<std::uint32_t>(c - '0');
                        break;
                }
                break;
            case State::perms:
                switch (c) {
                    case 'r': if (copy) return std::nullopt; what |= 4; break;
                    case 'w': if (copy) return std::nullopt; what |= 2; break;
                    case 'X': if (copy) return std::nullopt; r.x_keep = true; what |= 1; break;
                    case 'x': if (copy) return std::nullopt; what |= 1; break;
                    case 's':
                        if (copy) return std::nullopt;
                        top_oct |= top_bits ? top_bits : 04000;
                        break;
                    case 't':
                        if (copy) return std::nullopt;
                        top_oct |= 01000;
                        break;
                    case 'u':
                    case 'g':
                    case 'o':
                        if (what || top_oct || copy) return std::nullopt;
                        copy = c == 'u' ? 0100 : c == 'g' ? 0010 : 0001;
                        break;
                    default: return std::nullopt;
                }
                break;
            case State::octal:
                if (c < '0' || c > '7') return std::nullopt;
                what = what * 8 + static_cast<std::uint32_t>(c - '0');
                if (what > k_perm_bits) return std::nullopt;
                break;
        }
    }
    if (!have_op) return std::nullopt;
    const bool who_given = who != 0;
    std::uint32_t bits = 0;
    if (who_given) {
        bits = who * what;
    } else {
        who = 0111;
        bits = (who * what) & ~umask;
    }
    r.copy_src = copy;
    r.copy_dst = who;
    r.copy_and = who_given ? k_perm_bits : ~umask;
    switch (r.op) {
        case ChmodRule::Op::add:
            r.and_mask = k_perm_bits;
            r.or_bits = bits + top_oct;
            break;
        case ChmodRule::Op::sub:
            r.and_mask = k_perm_bits - bits - top_oct;
            r.or_bits = 0;
            break;
        case ChmodRule::Op::eq:
            r.and_mask = k_perm_bits - who * 7 - (top_oct ? top_bits : 0) -
                         (copy ? special_bits_of(who) : 0);
            r.or_bits = bits + top_oct;
            break;
        case ChmodRule::Op::set:
            r.and_mask = 0;
            r.or_bits = bits;
            r.copy_src = 0;
            r.copy_dst = 0;
            r.copy_and = k_perm_bits;
            break;
    }
    return r;
}

std::uint32_t copied_bits(std::uint32_t mode, const ChmodRule& r) {
    std::uint32_t bits = 0;
    if (r.copy_src & 0100) bits |= (mode >> 6) & 7;
    if (r.copy_src & 0010) bits |= (mode >> 3) & 7;
    if (r.copy_src & 0001) bits |= mode & 7;
    return (r.copy_dst * bits) & r.copy_and;
}

}  // namespace

bool ChmodRules::add(std::string_view text, std::uint32_t umask) {
    std::vector<ChmodRule> parsed;
    for (size_t at = 0;;) {
        const size_t comma = text.find(',', at);
        const std::string_view item =
            text.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
        auto rule = parse_item(item, umask);
        if (!rule) return false;
        parsed.push_back(*rule);
        if (comma == std::string_view::npos) break;
        at = comma + 1;
    }
    rules_.insert(rules_.end(), parsed.begin(), parsed.end());
    return true;
}

std::uint32_t ChmodRules::apply(std::uint32_t mode) const {
    const std::uint32_t had_x = mode & 0111;
    const std::uint32_t type = mode & ~k_perm_bits;
    const bool is_dir = S_ISDIR(type);
    for (const ChmodRule& r : rules_) {
        if (r.dirs_only && !is_dir) continue;
        if (r.files_only && is_dir) continue;
        const std::uint32_t copy = copied_bits(mode, r);
        mode &= r.and_mask;
        if (r.x_keep && !had_x && !is_dir)
            mode |= r.or_bits & ~0111u;
        else
            mode |= r.or_bits;
        if (r.op == ChmodRule::Op::sub)
            mode &= k_perm_bits - copy;
        else
            mode |= copy;
    }
    return mode | type;
}

std::uint32_t process_umask() {
    static std::once_flag once;
    static std::uint32_t mask = 0;
    std::call_once(once, [] {
        const mode_t old = ::umask(0);
        ::umask(old);
        mask = static_cast<std::uint32_t>(old);
    });
    return mask;
}

std::optional<ChmodRules> chmod_rules(const std::vector<std::string>& args) {
    if (args.empty()) return std::nullopt;
    ChmodRules rules;
    for (const auto& a : args) rules.add(a, process_umask());
    return rules;
}

}  // namespace ursync::cli
