// Long options a client forwards to the server, in rsync 3.5.0's order, and the remote command.
#include "cli/server_argv.h"

#include "cli/compact_flags.h"
#include "cli/rsh_words.h"
#include "cli/shell_escape.h"

namespace ursync::cli {
namespace {

constexpr std::int64_t k_default_max_alloc = 1024LL * 1024 * 1024;

class ArgList {
  public:
    ArgList(const Options& o, bool client_is_sender)
        : ctx_{o.secluded_args, o.old_args, client_is_sender,
               o.trust_sender || o.old_args > 0 || o.files_from_host.has_value(), o.relative} {}

    void add(std::string arg) { args_.push_back(std::move(arg)); }
    // "--name=VALUE" with VALUE escaped for the shell (wildcards included).
    void add_value(std::string_view name, std::string_view value) {
        add(escape_remote_arg(name, value, RemoteArgKind::option_value, ctx_));
    }
    // "--name" "VALUE" as two args (lets the remote shell expand a leading ~).
    void add_split(std::string name, std::string_view value) {
        add(std::move(name));
        add(escape_remote_arg("", value, RemoteArgKind::option_value, ctx_));
    }
    void add_remote_option(std::string_view value) {
        add(escape_remote_arg("", value, RemoteArgKind::remote_option, ctx_));
    }
    void add_path(std::string_view path) {
        add(escape_remote_arg("", path, RemoteArgKind::path, ctx_));
    }
    std::vector<std::string> take() { return std::move(args_); }

  private:
    EscapeContext ctx_;
    std::vector<std::string> args_;
};

void add_log_format(ArgList& out, const Options& o) {
    if (o.stdout_format.empty()) return;
    if (o.stdout_format_has_i > 1) {
        out.add("--log-format=%i%I");
    } else if (o.stdout_format_has_i != 0) {
        out.add("--log-format=%i");
    } else if (o.stdout_format_has_o_or_i) {
        out.add("--log-format=%o");
    } else if (o.verbose == 0) {
        out.add("--log-format=X");
    }
}

void add_compression(ArgList& out, const Options& o) {
    if (o.compression == Compression::zlibx) {
        out.add("--new-compress");
    } else if (!o.compress_choice.empty() && o.compression == Compression::zlib) {
        out.add("--old-compress");
    } else if (!o.compress_choice.empty()) {
        out.add_value("--compress-choice", o.compress_choice);
    }
}

// The options only a receiving server needs (the client pushes).
void add_receiver_options(ArgList& out, const Options& o) {
    if (o.max_delete) {
        out.add(*o.max_delete > 0 ? "--max-delete=" + std::to_string(*o.max_delete)
                                  : std::string("--max-delete=-1"));
    }
    if (o.min_size) out.add_value("--min-size", o.min_size_arg);
    if (o.max_size) out.add_value("--max-size", o.max_size_arg);
    if (o.delete_timing_given) {
        switch (o.delete_mode) {
            case DeleteMode::before:
                out.add("--delete-before");
                break;
            case DeleteMode::delay:
                out.add("--delete-delay");
                break;
            case DeleteMode::during:
                out.add("--delete-during");
                break;
            case DeleteMode::after:
                out.add("--delete-after");
                break;
            case DeleteMode::none:
                break;
        }
    } else if (o.delete_mode != DeleteMode::none && !o.delete_excluded) {
        out.add("--delete");
    }
    if (o.delete_excluded) out.add("--delete-excluded");
    if (o.force_delete) out.add("--force");
    if (o.write_batch < 0) out.add("--only-write-batch=X");
    if (o.super_mode == SuperMode::super) out.add("--super");
    if (o.size_only) out.add("--size-only");
    if (o.stats) out.add("--stats");
}

void add_tail_options(ArgList& out, const Options& o, bool client_is_sender) {
    if (client_is_sender) {
        if (!o.usermap.empty()) out.add_value("--usermap", o.usermap);
        if (!o.groupmap.empty()) out.add_value("--groupmap", o.groupmap);
        if (o.ignore_existing) out.add("--ignore-existing");
        if (o.existing) out.add("--existing");
        if (o.temp_dir) out.add_split("--temp-dir", *o.temp_dir);
        if (o.fsync) out.add("--fsync");
        const char* alt = o.alt_dest == AltDestKind::compare ? "--compare-dest"
                          : o.alt_dest == AltDestKind::copy  ? "--copy-dest"
                                                             : "--link-dest";
        for (const auto& dir : o.alt_dest_dirs) out.add_split(alt, dir);
    }
    const unsigned where = k_where_server | (client_is_sender ? k_where_receiver : k_where_sender);
    if (auto info = o.info.forward_option(where)) out.add(*info);
    if (o.append > 0) {
        if (o.append > 1) out.add("--append");
        out.add("--append");
    } else if (o.inplace) {
        out.add("--inplace");
        if (o.sparse && o.whole_file == false && client_is_sender) out.add("--no-W");
    }
    if (o.files_from && (!client_is_sender || o.files_from_host)) {
        if (o.files_from_host) {
            out.add_split("--files-from", *o.files_from);
            if (o.from0) out.add("--from0");
        } else {
            out.add("--files-from=-");
            out.add("--from0");
        }
        if (!o.relative) out.add("--no-relative");
    }
    if (o.relative && !o.implied_dirs &&
        (!client_is_sender || o.protocol.value_or(k_protocol_version) >= 30)) {
        out.add("--no-implied-dirs");
    }
    if (o.write_devices && client_is_sender) out.add("--write-devices");
    if (o.remove_source_files == 1)
        out.add("--remove-source-files");
    else if (o.remove_source_files != 0)
        out.add("--remove-sent-files");
    if (o.copy_devices && !client_is_sender) out.add("--copy-devices");
    if (o.preallocate && client_is_sender) out.add("--preallocate");
    if (o.open_noatime && o.atimes <= 1) out.add("--open-noatime");
    if (o.mkpath && client_is_sender) out.add("--mkpath");
    for (const auto& opt : o.remote_options) out.add_remote_option(opt);
}

// Every long option rsync forwards, in its order.
void add_long_options(ArgList& out, const Options& o, bool client_is_sender) {
    if (o.list_only_given) out.add("--list-only");
    if (o.dirs && !o.recursive && o.delete_mode != DeleteMode::none && client_is_sender) {
        out.add("--no-r");
    }
    if (o.compression != Compression::off && o.compress_level) {
        out.add("--compress-level=" + std::to_string(*o.compress_level));
    }
    if (o.devices) {
        if (!o.specials) out.add("--no-specials");
    } else if (o.specials) {
        out.add("--specials");
    }
    if (client_is_sender) add_log_format(out, o);
    if (o.stderr_mode == StderrMode::all) out.add("--msgs2stderr");
    if (o.stderr_mode == StderrMode::client) out.add("--no-msgs2stderr");
    if (o.block_size && *o.block_size != 0) out.add("-B" + std::to_string(*o.block_size));
    if (o.timeout && *o.timeout != 0) out.add("--timeout=" + std::to_string(*o.timeout));
    if (o.bwlimit != 0) out.add("--bwlimit=" + std::to_string(o.bwlimit));
    if (o.backup_dir) out.add_split("--backup-dir", *o.backup_dir);
    if (o.suffix != (o.backup_dir ? "" : "~")) out.add_value("--suffix", o.suffix);
    if (!o.checksum_choice.empty()) out.add_value("--checksum-choice", o.checksum_choice);
    add_compression(out, o);
    if (client_is_sender) {
        add_receiver_options(out, o);
    } else if (o.skip_compress) {
        out.add_value("--skip-compress", *o.skip_compress);
    }
    if (o.max_alloc && *o.max_alloc != k_default_max_alloc) {
        out.add_value("--max-alloc", o.max_alloc_arg);
    }
    if (o.missing_args == MissingArgs::remove) {
        out.add("--delete-missing-args");
    } else if (o.missing_args == MissingArgs::ignore && !client_is_sender) {
        out.add("--ignore-missing-args");
    }
    if (o.modify_window && client_is_sender) {
        out.add((*o.modify_window < 0 ? "-@" : "--modify-window=") +
                std::to_string(*o.modify_window));
    }
    if (o.checksum_seed != 0) out.add("--checksum-seed=" + std::to_string(o.checksum_seed));
    if (o.partial_dir && client_is_sender) {
        if (!o.partial_dir_implied) out.add_split("--partial-dir", *o.partial_dir);
        if (o.delay_updates) out.add("--delay-updates");
    } else if (o.partial && client_is_sender) {
        out.add("--partial");
    }
    if (o.ignore_errors) out.add("--ignore-errors");
    if (o.copy_unsafe_links) out.add("--copy-unsafe-links");
    if (o.safe_links) out.add("--safe-links");
    if (o.numeric_ids) out.add("--numeric-ids");
    if (o.qsort) out.add("--use-qsort");
    add_tail_options(out, o, client_is_sender);
}

Expected<std::vector<std::string>, CliError> shell_prefix(const Options& o, const std::string& user,
                                                          const std::string& host,
                                                          bool daemon_connection) {
    auto words = split_rsh_words(o.rsh);
    if (!words) return Unexpected{words.error()};
    std::vector<std::string> argv = std::move(*words);
    bool dash_l_set = false;
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == "-l" && (argv[i + 1].empty() || argv[i + 1][0] != '-')) dash_l_set = true;
    }
    std::string program = argv.empty() ? std::string() : argv.front();
    if (const auto slash = program.rfind('/'); slash != std::string::npos) {
        program = program.substr(slash + 1);
    }
    if (!user.empty() && !(daemon_connection && dash_l_set)) {
        argv.push_back("-l");
        argv.push_back(user);
    }
    if (program == "ssh" && o.address_family == 4) argv.push_back("-4");
    if (program == "ssh" && o.address_family == 6) argv.push_back("-6");
    argv.push_back(host);
    argv.push_back(o.rsync_path);
    return argv;
}

}  // namespace

ServerArgLists build_server_arg_lists(const Options& o, bool server_is_sender,
                                      std::span<const std::string> remote_paths) {
    const bool client_is_sender = !server_is_sender;
    ArgList head(o, client_is_sender);
    head.add("--server");
    if (server_is_sender) head.add("--sender");
    if (auto flags = build_compact_flags(o, server_is_sender); !flags.empty()) {
        head.add(std::move(flags));
    }
    if (o.iconv) {
        const std::size_t comma = o.iconv->find(',');
        head.add_value("--iconv",
                       comma == std::string::npos ? *o.iconv : o.iconv->substr(comma + 1));
    }
    ArgList tail(o, client_is_sender);
    add_long_options(tail, o, client_is_sender);
    tail.add(".");
    for (const auto& path : remote_paths) tail.add_path(path);

    ServerArgLists lists;
    lists.command_line = head.take();
    std::vector<std::string> rest = tail.take();
    if (o.secluded_args) {
        lists.secluded = std::move(rest);
    } else {
        lists.command_line.insert(lists.command_line.end(), rest.begin(), rest.end());
    }
    return lists;
}

std::vector<std::string> build_server_args(const Options& o, bool server_is_sender,
                                           std::span<const std::string> remote_paths) {
    return build_server_arg_lists(o, server_is_sender, remote_paths).command_line;
}

std::string secluded_args_bytes(std::span<const std::string> secluded) {
    if (secluded.empty()) return {};
    std::string bytes = "rsync";
    bytes += '\0';
    for (const auto& arg : secluded) {
        bytes += arg.empty() ? std::string(".") : arg;
        bytes += '\0';
    }
    bytes += '\0';
    return bytes;
}

Expected<std::vector<std::string>, std::string> decode_secluded_args(std::string_view bytes,
                                                                     std::size_t* consumed) {
    std::vector<std::string> args;
    std::size_t pos = 0;
    while (true) {
        const std::size_t nul = bytes.find('\0', pos);
        if (nul == std::string_view::npos) return Unexpected{std::string("unterminated args")};
        if (nul - pos > k_secluded_arg_len_max) return Unexpected{std::string("arg too long")};
        if (nul == pos) {
            pos = nul + 1;
            break;
        }
        if (args.size() >= k_secluded_args_count_max) {
            return Unexpected{std::string("too many args")};
        }
        args.emplace_back(bytes.substr(pos, nul - pos));
        pos = nul + 1;
    }
    if (consumed != nullptr) *consumed = pos;
    return args;
}

Expected<std::vector<std::string>, CliError> build_remote_command(
    const Options& o, const RemoteShellSpec& remote, bool server_is_sender,
    std::span<const std::string> remote_paths) {
    auto argv = shell_prefix(o, remote.user, remote.host, false);
    if (!argv) return argv;
    auto server = build_server_args(o, server_is_sender, remote_paths);
    argv->insert(argv->end(), server.begin(), server.end());
    return argv;
}

Expected<std::vector<std::string>, CliError> build_daemon_shell_command(const Options& o,
                                                                        const DaemonSpec& remote) {
    auto argv = shell_prefix(o, remote.user, remote.host, true);
    if (!argv) return argv;
    argv->push_back("--server");
    argv->push_back("--daemon");
    argv->push_back(".");
    return argv;
}

}  // namespace ursync::cli
