// app::run: parse the command line, refuse what is not implemented, dispatch to a role.
#include "app/app.h"

#include <signal.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/help.h"
#include "cli/parse.h"
#include "cli/support.h"
#include "engine/engine.h"
#include "fs/temp_registry.h"
#include "protocol/handshake.h"
#include "roles/common/errors.h"
#include "roles/connect/connection.h"

namespace ursync::app {

namespace {


// Writes to a standard stream before the engine exists (start-up and usage output only).
void print(FILE* f, const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fflush(f);
}

// A client run that ends with 23, 24 or 25 closes with rsync's exit line (a warning for 24),
// named after the client's role: the generator in a pull, the sender otherwise. (Fatal
// errors print theirs where they happen.)
int closing_line(const cli::Invocation& inv, int code) {
    if (code != to_int(ExitCode::partial) && code != to_int(ExitCode::vanished) &&
        code != to_int(ExitCode::del_limit))
        return code;
    const bool pull = inv.mode == cli::Mode::pull || inv.mode == cli::Mode::list_only;
    std::string line = roles::exit_line(static_cast<ExitCode>(code), pull ? "generator" : "sender");
    if (code == to_int(ExitCode::vanished)) line.replace(0, std::strlen("ursync error"), "ursync warning");
    std::fflush(stdout);
    print(stderr, line);
    return code;
}

std::vector<std::string> split_words(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < list.size()) {
        size_t end = list.find(' ', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) out.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

cli::VersionFacts version_facts() {
    cli::VersionFacts f;
    f.protocol = protocol::k_protocol_version_max;
    f.capabilities = {"64-bit files", "64-bit inums", "64-bit timestamps", "64-bit long ints",
                      "socketpairs", "symlinks", "symtimes", "hardlinks", "hardlink-specials",
                      "hardlink-symlinks", "no IPv6", "atimes", "batchfiles", "inplace", "append",
                      "no ACLs", "xattrs", "optional secluded-args", "no iconv", "prealloc",
                      "stop-at", "crtimes"};
    f.optimizations = {"SIMD-roll", "io_uring"};
    f.checksums = split_words(protocol::default_name_list(protocol::NameKind::checksum,
                                                          protocol::Role::server));
    f.compressions = split_words(protocol::default_name_list(protocol::NameKind::compress,
                                                             protocol::Role::server));
    engine::Engine probe;
    f.io_backend = probe.backend_description();
    return f;
}

int report_cli_error(const cli::CliError& e, bool usage) {
    if (usage) {
        print(stderr, cli::help_text(version_facts()));
    } else if (!e.message.empty()) {
        print(stderr, e.message + "\n");
    }
    print(stderr, "ursync error: " + std::string(exit_code_text(e.code)) + " (code " +
                      std::to_string(to_int(e.code)) + ")\n");
    return to_int(e.code);
}

}  // namespace

// SIGINT, SIGTERM, SIGHUP: the temp files go, then exit 20 with rsync's words.
// mirrors rsync main.c:sig_int and cleanup.c:exit_cleanup (RERR_SIGNAL)
static void on_exit_signal(int) {
    fs::TempFileRegistry::remove_all_registered_now();
    static const char k_text[] = "ursync error: received SIGINT, SIGTERM, or SIGHUP (code 20)\n";
    ssize_t ignored = ::write(STDERR_FILENO, k_text, sizeof k_text - 1);
    (void)ignored;
    ::_exit(to_int(ExitCode::signal));
}

static void install_exit_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_exit_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaddset(&sa.sa_mask, sig);  // one handler at a time
    }
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

int run(std::span<const std::string> argv) {
    signal(SIGPIPE, SIG_IGN);  // a closed peer is an error value, not a signal
    install_exit_signals();
    setlocale(LC_CTYPE, "");   // as rsync: names print per the locale's charset
    auto parsed = cli::parse_command_line(argv);
    if (!parsed) return report_cli_error(parsed.error(), parsed.error().show_usage);
    cli::Invocation& inv = *parsed;
    for (const auto& w : inv.warnings) print(stderr, w + "\n");

    switch (inv.mode) {
        case cli::Mode::help: print(stdout, cli::help_text(version_facts())); return 0;
        case cli::Mode::daemon_help: print(stdout, cli::daemon_help_text(version_facts())); return 0;
        case cli::Mode::output_help: print(stdout, inv.output_text); return 0;
        case cli::Mode::version:
            print(stdout, inv.version_count > 1 ? cli::version_json(version_facts())
                                                : cli::version_text(version_facts()));
            return 0;
        default: break;
    }
    if (auto ok = cli::check_supported(inv); !ok) return report_cli_error(ok.error(), false);

    engine::Engine engine;
    if (inv.options.verbose >= 2 && !inv.options.server)
        print(stderr, "io backend: " + engine.backend_description() + "\n");
    try {
        switch (inv.mode) {
            case cli::Mode::server_sender:
            case cli::Mode::server_receiver: return engine.run(roles::run_server(engine, inv));
            case cli::Mode::push:
            case cli::Mode::pull:
                if (!inv.shell) break;
                return closing_line(inv, engine.run(roles::run_remote_client(engine, inv)));
            case cli::Mode::local:
                return closing_line(inv, engine.run(roles::run_local(engine, inv)));
            case cli::Mode::list_only:
                // A listing without a destination: a pull (or a local copy) whose receiving
                // side only lists (Options::list_only); nothing is written.
                if (inv.daemon) break;
                return closing_line(inv, engine.run(inv.shell ? roles::run_remote_client(engine, inv)
                                                              : roles::run_local(engine, inv)));
            default: break;
        }
    } catch (const engine::Stalled& stalled) {
        // A peer stopped short of what the protocol promises and nothing is left in flight:
        // rsync's "error in rsync protocol data stream", never a crash.
        const bool sender = inv.mode == cli::Mode::server_sender || inv.mode == cli::Mode::push;
        print(stderr, std::string("ursync: ") + stalled.what() + "\n" +
                          roles::exit_line(ExitCode::stream_io, sender ? "sender" : "receiver"));
        return to_int(ExitCode::stream_io);
    }
    return report_cli_error({"ursync: this kind of transfer is not supported yet",
                             ExitCode::unsupported, false},
                            false);
}

}  // namespace ursync::app
