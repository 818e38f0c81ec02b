// Which end is remote, and the consistency rules rsync applies to sources and destination.
#include "cli/transfer_args.h"

namespace ursync::cli {
namespace {

CliError plain_error(std::string text) {
    return CliError{std::move(text), ExitCode::syntax};
}

DaemonSpec daemon_spec_of(const HostSpec& spec) {
    DaemonSpec daemon;
    split_user_host(spec.user_host, daemon.user, daemon.host);
    daemon.port = spec.port < 0 ? 0 : spec.port;
    daemon.url = spec.url;
    const std::size_t slash = spec.path.find('/');
    daemon.module = spec.path.substr(0, slash);
    if (slash != std::string::npos) daemon.path = spec.path.substr(slash + 1);
    return daemon;
}

bool files_from_host_differs(const Options& o, const HostSpec& spec) {
    return o.files_from_host && !o.files_from_host->empty() && *o.files_from_host != spec.user_host;
}

// Checks of the remote end once it is known (the tail of rsync's start_client).
Expected<void, CliError> check_remote_end(Invocation& inv, const HostSpec* remote) {
    const Options& o = inv.options;
    const int daemon_connection =
        (remote == nullptr || remote->port == 0) ? 0 : (o.rsh_given ? 1 : -1);
    if (daemon_connection < 0) {
        inv.daemon = daemon_spec_of(*remote);
        return {};
    }
    if (o.password_file && daemon_connection == 0) {
        return Unexpected{
            plain_error("The --password-file option may only be used when "
                        "accessing an rsync daemon.")};
    }
    if (o.contimeout && *o.contimeout != 0) {
        return Unexpected{
            plain_error("The --contimeout option may only be used when "
                        "connecting to an rsync daemon.")};
    }
    if (remote == nullptr) return {};
    std::string user;
    std::string host;
    split_user_host(remote->user_host, user, host);
    if (!host.empty() && host[0] == '-') {
        return Unexpected{plain_error("Invalid remote host: hostnames may not start with '-'.")};
    }
    if (daemon_connection > 0) {
        inv.daemon = daemon_spec_of(*remote);
    } else {
        inv.shell = RemoteShellSpec{user, host, remote->path};
    }
    return {};
}

Expected<void, CliError> classify_pull(Invocation& inv, std::vector<std::string> args,
                                       const HostSpec& source) {
    const Options& o = inv.options;
    std::vector<std::string> remote = std::move(args);
    remote[0] = source.path;
    if (remote.size() > 1 && remote.back()[0] != ':') {
        if (check_for_hostspec(remote.back(), 0)) {
            return Unexpected{plain_error("The source and destination cannot both be remote.")};
        }
        inv.destination = remote.back();
        remote.pop_back();
    }
    if (files_from_host_differs(o, source)) {
        return Unexpected{
            plain_error("--files-from hostname is not the same as the transfer hostname")};
    }
    if (source.port == 0 && remote[0].empty()) remote[0] = ".";
    for (std::size_t i = 1; i < remote.size(); ++i) {
        auto spec = check_for_hostspec(remote[i], source.port);
        if (!spec) {
            return Unexpected{plain_error("Unexpected local arg: " + remote[i] +
                                          "\nIf arg is a remote file/dir, prefix it with a colon "
                                          "(:).")};
        }
        if (!spec->user_host.empty() && spec->user_host != source.user_host) {
            return Unexpected{plain_error("All source args must come from the same machine.")};
        }
        if (spec->port != source.port) {
            return Unexpected{plain_error(source.port == 0 || spec->port == 0
                                              ? "All source args must use the same hostspec format."
                                              : "All source args must use the same port number.")};
        }
        remote[i] = (source.port == 0 && spec->path.empty()) ? "." : spec->path;
    }
    inv.sources = std::move(remote);
    inv.mode = inv.destination ? Mode::pull : Mode::list_only;
    return check_remote_end(inv, &source);
}

Expected<void, CliError> classify_push_or_local(Invocation& inv, std::vector<std::string> args) {
    const Options& o = inv.options;
    std::string dest = ".";
    const bool has_dest = args.size() > 1;
    if (has_dest) {
        dest = args.back();
        args.pop_back();
        if (dest.empty()) {
            if (o.old_args == 0) {
                return Unexpected{
                    plain_error("Empty destination arg specified (use \".\" or see --old-args).")};
            }
            dest = ".";
        }
    }
    const auto dest_spec = check_for_hostspec(dest, o.port);
    if (dest_spec && files_from_host_differs(o, *dest_spec)) {
        return Unexpected{
            plain_error("--files-from hostname is not the same as the transfer hostname")};
    }
    if (!dest_spec && o.files_from_host) {
        return Unexpected{plain_error("--files-from cannot be remote when the transfer is local")};
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].empty()) return Unexpected{plain_error("Empty source arg specified.")};
        if (i > 0 && check_for_hostspec(args[i], dest_spec ? dest_spec->port : 0)) {
            return Unexpected{plain_error("Unexpected remote arg: " + args[i])};
        }
    }
    inv.sources = std::move(args);
    if (!dest_spec) {
        if (has_dest) inv.destination = dest;
        inv.mode = has_dest ? Mode::local : Mode::list_only;
        return check_remote_end(inv, nullptr);
    }
    inv.destination = (dest_spec->port == 0 && dest_spec->path.empty()) ? "." : dest_spec->path;
    inv.mode = Mode::push;
    return check_remote_end(inv, &*dest_spec);
}

}  // namespace

// mirrors rsync main.c:start_client (the argument checks, not the connection)
Expected<void, CliError> classify_client_args(Invocation& inv, std::vector<std::string> args) {
    const Options& o = inv.options;
    if (o.read_batch) {
        if (check_for_hostspec(args.back(), o.port)) {
            return Unexpected{plain_error("remote destination is not allowed with --read-batch")};
        }
        inv.destination = args.back();
        inv.mode = Mode::local;
        return {};
    }
    if (auto source = check_for_hostspec(args[0], o.port)) {
        return classify_pull(inv, std::move(args), *source);
    }
    return classify_push_or_local(inv, std::move(args));
}

}  // namespace ursync::cli
