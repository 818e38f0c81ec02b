// argv -> Invocation: the options value, the mode (client push/pull/local, server, daemon...) and
// where the sources and the destination are. No role parses argv itself.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.h"
#include "cli/option_table.h"
#include "cli/options.h"
#include "cli/remote_spec.h"
#include "util/expected.h"

namespace ursync::cli {

// What parsing reads besides argv, injected so tests control it.
struct Environment {
    // getenv(); nullopt when unset.
    std::function<std::optional<std::string>(const std::string& name)> get_var;
    // The whole content of a file named by --exclude-from/--include-from ("-" is stdin), or the
    // errno that opening or reading it failed with.
    std::function<Expected<std::string, int>(const std::string& path)> read_file;

    // The process's environment and file system.
    static Environment from_process();
    // No variables, no files.
    static Environment empty();
};

enum class Mode {
    help,             // --help (or a lone -h): print usage and exit 0
    version,          // --version: print the version (as JSON when given twice) and exit 0
    daemon_help,      // --daemon --help
    output_help,      // --info=help / --debug=help: print `Invocation::output_text`, exit 0
    local,            // both ends local
    push,             // local sources, remote destination
    pull,             // remote sources, local destination
    list_only,        // a listing without a destination (a lone source); remote if `shell` or
                      // `daemon` is set. With a destination, --list-only keeps push/pull/local
                      // and sets Options::list_only.
    server_sender,    // --server --sender
    server_receiver,  // --server
    server_daemon,    // --server --daemon (a daemon started over a remote shell)
    daemon,           // --daemon
};

struct Invocation {
    Mode mode = Mode::help;
    Options options;
    // push/local: the local sources. pull/list_only: the paths on the remote (or local) source.
    // server modes: the path arguments after the "." placeholder.
    std::vector<std::string> sources;
    // pull/local: the local destination; push: the path on the remote host ("." if empty);
    // server receiver: the destination path if one was given.
    std::optional<std::string> destination;
    std::optional<RemoteShellSpec> shell;  // the remote end, reached through a remote shell
    std::optional<DaemonSpec> daemon;      // the remote end is a daemon (over TCP or the shell)
    std::string server_dir;                // server modes: the first argument (normally ".")
    int version_count = 0;                 // --version given N times (2 = JSON output)
    std::string output_text;               // Mode::output_help: the text to print
    std::vector<OptionId> used;            // every option given, in order (check_supported)
    std::vector<std::string> warnings;     // notes rsync prints and carries on after
    // A server started with -s: the real arguments follow on stdin; call
    // parse_secluded_server_args() with them.
    bool awaiting_secluded_args = false;
    // The argv this was parsed from (argv[0] included), for parse_secluded_server_args().
    std::vector<std::string> argv;
};

Expected<Invocation, CliError> parse_command_line(std::span<const std::string> argv,
                                                  const Environment& env);
// Same, with Environment::from_process().
Expected<Invocation, CliError> parse_command_line(std::span<const std::string> argv);

// A server that was started with -s parses the arguments it then read from the connection
// (`received[0]` is the "rsync" placeholder): they continue the first command line.
Expected<Invocation, CliError> parse_secluded_server_args(const Invocation& first,
                                                          std::span<const std::string> received,
                                                          const Environment& env);

}  // namespace ursync::cli
