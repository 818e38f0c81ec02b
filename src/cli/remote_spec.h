// Where an argument lives: a local path, `[user@]host:path`, or a daemon
// (`[user@]host::module/path`, `rsync://[user@]host[:port]/module/path`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ursync::cli {

inline constexpr int k_rsync_daemon_port = 873;

struct LocalSpec {
    std::string path;
    bool operator==(const LocalSpec&) const = default;
};

struct RemoteShellSpec {
    std::string user;  // "" when none was given
    std::string host;  // an IPv6 literal without its brackets
    std::string path;  // after the ':' ("" means the remote home directory)
    bool operator==(const RemoteShellSpec&) const = default;
};

struct DaemonSpec {
    std::string user;
    std::string host;
    int port = 0;        // 0: the default port (873) or $RSYNC_PORT, as rsync decides
    std::string module;  // "" lists the modules
    std::string path;    // inside the module
    bool url = false;    // written as rsync://
    // "module/path" as the client sends it to the daemon.
    std::string module_path() const;
    bool operator==(const DaemonSpec&) const = default;
};

using ArgSpec = std::variant<LocalSpec, RemoteShellSpec, DaemonSpec>;

// rsync's check_for_hostspec(): the [user@]host part (brackets of an IPv6 literal removed), the
// path after it, and the port: 0 for a remote-shell spec, -1 for a daemon on its default port,
// N for rsync://host:N/ (or `port_hint`, rsync's --port, when the spec names none). nullopt for
// a local path (no ':' before the first '/').
struct HostSpec {
    std::string user_host;
    std::string path;
    int port = 0;
    bool url = false;
    bool operator==(const HostSpec&) const = default;
};
std::optional<HostSpec> check_for_hostspec(std::string_view arg, int port_hint = 0);

ArgSpec classify_arg(std::string_view arg);

// Splits "user@host" at the last '@'.
void split_user_host(std::string_view user_host, std::string& user, std::string& host);

}  // namespace ursync::cli
