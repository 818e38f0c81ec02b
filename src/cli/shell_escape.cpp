// Backslash-escaping of remote-shell arguments, exactly as rsync 3.5.0 does it.
#include "cli/shell_escape.h"

namespace ursync::cli {
namespace {

constexpr std::string_view k_shell_chars = "!#$&;|<>(){}\"'` \t\n\r\\";
constexpr std::string_view k_wild_chars = "*?[]";

bool contains(std::string_view set, char c) {
    return set.find(c) != std::string_view::npos;
}

}  // namespace

std::string escape_remote_arg(std::string_view option, std::string_view arg, RemoteArgKind kind,
                              const EscapeContext& ctx) {
    const bool is_path = kind == RemoteArgKind::path;
    const bool escape = !ctx.secluded && ctx.old_args < 2 &&
                        (ctx.old_args == 0 || (!is_path && kind != RemoteArgKind::remote_option));
    std::string out;
    out.reserve(option.size() + arg.size() + 8);
    if (!option.empty()) {
        out += option;
        out += '=';
    }
    if (is_path && !arg.empty() && arg[0] == '-') out += "./";
    if (!escape) {
        out += arg;
        return out;
    }
    const bool no_slash = arg.find('/') == std::string_view::npos;
    const bool dot_dir = arg.find("/./") != std::string_view::npos;
    if (is_path && !arg.empty() && arg[0] == '~' && !ctx.client_is_sender &&
        !ctx.trust_sender_args && ((ctx.relative && !dot_dir) || no_slash)) {
        out += '\\';
    }
    for (std::size_t i = 0; i < arg.size(); ++i) {
        const char c = arg[i];
        if (c == '\\') {
            const bool before_wild = i + 1 < arg.size() && contains(k_wild_chars, arg[i + 1]);
            if (!is_path || !before_wild) out += '\\';
        } else if (contains(k_shell_chars, c) || (!is_path && contains(k_wild_chars, c))) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

}  // namespace ursync::cli
