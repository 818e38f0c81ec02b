// rsync's rules for telling host:path, host::module and rsync:// URLs from local paths.
#include "cli/remote_spec.h"

#include <cstdlib>

namespace ursync::cli {
namespace {

constexpr std::string_view k_url_prefix = "rsync://";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// atoi() of the digits at the front of `text` (saturating instead of overflowing).
int leading_int(std::string_view text) {
    long long value = 0;
    for (char c : text) {
        if (!is_digit(c)) break;
        value = value * 10 + (c - '0');
        if (value > 1'000'000'000) value = 1'000'000'000;
    }
    return static_cast<int>(value);
}

struct ParsedHost {
    std::string user_host;
    std::size_t path_start = 0;
};

// mirrors rsync options.c:parse_hostspec; `url` selects the rsync:// reading (port allowed, the
// end of the string or a '/' may end the host); `port` is only written for URLs.
std::optional<ParsedHost> parse_hostspec(std::string_view str, bool url, int& port) {
    std::size_t host_start = 0;
    std::size_t host_len = 0;
    std::size_t user_len = 0;
    std::size_t s = 0;
    for (;; ++s) {
        if (s == str.size()) {
            if (!url) return std::nullopt;
            if (host_len == 0) host_len = s - host_start;
            break;
        }
        const char c = str[s];
        if (c == ':' || c == '/') {
            if (host_len == 0) host_len = s - host_start;
            ++s;
            if (c == '/') {
                if (!url) return std::nullopt;
            } else if (url) {
                port = leading_int(str.substr(s));
                while (s < str.size() && is_digit(str[s])) ++s;
                if (s < str.size() && str[s++] != '/') return std::nullopt;
            }
            break;
        }
        if (c == '@') {
            user_len = s + 1;
            host_start = s + 1;
        } else if (c == '[') {
            if (s != host_start) return std::nullopt;
            ++host_start;
            while (s < str.size() && str[s] != ']' && str[s] != '/') ++s;
            host_len = s - host_start;
            const bool closed = s < str.size() && str[s] == ']';
            const bool next_ok = s + 1 >= str.size() || str[s + 1] == '/' || str[s + 1] == ':';
            if (!closed || !next_ok || host_len == 0) return std::nullopt;
        }
    }
    ParsedHost parsed;
    parsed.user_host =
        std::string(str.substr(0, user_len)) + std::string(str.substr(host_start, host_len));
    parsed.path_start = s;
    return parsed;
}

}  // namespace

std::string DaemonSpec::module_path() const {
    if (path.empty()) return module;
    return module + "/" + path;
}

// mirrors rsync options.c:check_for_hostspec
std::optional<HostSpec> check_for_hostspec(std::string_view arg, int port_hint) {
    int port = port_hint;
    if (starts_with_nocase(arg, k_url_prefix)) {
        const std::string_view rest = arg.substr(k_url_prefix.size());
        if (auto parsed = parse_hostspec(rest, true, port)) {
            return HostSpec{parsed->user_host, std::string(rest.substr(parsed->path_start)),
                            port == 0 ? -1 : port, true};
        }
        port = port_hint;
    }
    int unused = 0;
    auto parsed = parse_hostspec(arg, false, unused);
    if (!parsed) return std::nullopt;
    std::string_view path = arg.substr(parsed->path_start);
    if (!path.empty() && path.front() == ':') {
        return HostSpec{parsed->user_host, std::string(path.substr(1)), port == 0 ? -1 : port,
                        false};
    }
    return HostSpec{parsed->user_host, std::string(path), 0, false};
}

void split_user_host(std::string_view user_host, std::string& user, std::string& host) {
    const std::size_t at = user_host.rfind('@');
    if (at == std::string_view::npos) {
        user.clear();
        host = std::string(user_host);
        return;
    }
    user = std::string(user_host.substr(0, at));
    host = std::string(user_host.substr(at + 1));
}

ArgSpec classify_arg(std::string_view arg) {
    auto spec = check_for_hostspec(arg, 0);
    if (!spec) return LocalSpec{std::string(arg)};
    if (spec->port == 0) {
        RemoteShellSpec shell;
        split_user_host(spec->user_host, shell.user, shell.host);
        shell.path = spec->path;
        return shell;
    }
    DaemonSpec daemon;
    split_user_host(spec->user_host, daemon.user, daemon.host);
    daemon.port = spec->port < 0 ? 0 : spec->port;
    daemon.url = spec->url;
    const std::size_t slash = spec->path.find('/');
    daemon.module = spec->path.substr(0, slash);
    if (slash != std::string::npos) daemon.path = spec->path.substr(slash + 1);
    return daemon;
}

}  // namespace ursync::cli
