// parse_command_line(): lex (popt rules) -> CLI11 -> apply in order -> rsync's final checks ->
// what kind of run this is and where its arguments live.
#include "cli/parse.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/cli11_parse.h"
#include "cli/parse_state.h"
#include "cli/popt_lexer.h"
#include "cli/transfer_args.h"

namespace ursync::cli {

Environment Environment::from_process() {
    Environment env;
    env.get_var = [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
    env.read_file = [](const std::string& path) -> Expected<std::string, int> {
        if (path == "-") {
            return std::string(std::istreambuf_iterator<char>(std::cin),
                               std::istreambuf_iterator<char>());
        }
        errno = 0;
        std::ifstream in(path, std::ios::binary);
        if (!in) return Unexpected{errno != 0 ? errno : ENOENT};
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    };
    return env;
}

Environment Environment::empty() {
    Environment env;
    env.get_var = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    env.read_file = [](const std::string&) -> Expected<std::string, int> {
        return Unexpected{ENOENT};
    };
    return env;
}

namespace {

constexpr std::size_t k_max_path_len = 4096;
constexpr std::string_view k_daemon_hint =
    "(Type \"rsync --daemon --help\" for assistance with daemon mode.)";

CliError usage_error() {
    return CliError{"", ExitCode::syntax, true};
}

Invocation finish(ParseState& st, Mode mode, std::span<const std::string> argv) {
    Invocation inv;
    inv.mode = mode;
    inv.options = std::move(st.opt);
    inv.version_count = st.version_count;
    inv.used = std::move(st.used);
    inv.warnings = std::move(st.warnings);
    inv.argv.assign(argv.begin(), argv.end());
    return inv;
}

Expected<ParsedArgs, CliError> lex_and_parse(std::span<const std::string> args,
                                             OptionTableKind table, LexedArgs& lexed) {
    lexed = lex_arguments(args, table);
    auto parsed = parse_with_cli11(lexed.tokens, lexed.rows);
    if (!parsed) {
        return Unexpected{
            CliError{"rsync: internal option-parsing error: " + parsed.error(), ExitCode::syntax}};
    }
    return std::move(*parsed);
}

// rsync's daemon-mode reparse of the whole command line with the daemon option table.
Expected<Invocation, CliError> parse_daemon_mode(ParseState& st,
                                                 std::span<const std::string> argv) {
    st.am_daemon = true;
    st.opt.daemon = true;
    st.opt.iconv.reset();
    st.protect_args = 0;
    LexedArgs lexed;
    auto parsed = lex_and_parse(argv.subspan(1), OptionTableKind::daemon, lexed);
    if (!parsed) return Unexpected{parsed.error()};
    for (const auto& occ : parsed->occurrences) {
        auto action = apply_daemon_occurrence(st, occ);
        if (!action) return Unexpected{action.error()};
        if (*action == ApplyAction::daemon_help) return finish(st, Mode::daemon_help, argv);
    }
    if (lexed.error) {
        return Unexpected{
            CliError{"rsync: " + *lexed.error + " (in daemon mode)\n" + std::string(k_daemon_hint),
                     ExitCode::syntax}};
    }
    if (st.opt.temp_dir && st.opt.temp_dir->size() >= k_max_path_len - 10) {
        return Unexpected{option_error("the --temp-dir path is WAY too long.")};
    }
    if (!st.daemon_opt) {
        return Unexpected{
            CliError{"Daemon option(s) used without --daemon.\n" + std::string(k_daemon_hint),
                     ExitCode::syntax}};
    }
    st.opt.server = st.am_server;
    Invocation inv = finish(st, st.am_server ? Mode::server_daemon : Mode::daemon, argv);
    inv.sources = parsed->positionals;
    if (st.am_server && !inv.sources.empty()) {
        inv.server_dir = inv.sources.front();
        inv.sources.erase(inv.sources.begin());
    }
    return inv;
}

Invocation server_invocation(ParseState& st, std::span<const std::string> argv,
                             std::vector<std::string> positionals) {
    Invocation inv = finish(st, st.opt.sender ? Mode::server_sender : Mode::server_receiver, argv);
    if (!positionals.empty()) {
        inv.server_dir = positionals.front();
        inv.sources.assign(positionals.begin() + 1, positionals.end());
        if (!inv.options.sender && !inv.sources.empty()) inv.destination = inv.sources.front();
    }
    return inv;
}

std::string resolve_rsh(const Options& o, const Environment& env) {
    if (o.rsh_given) return o.rsh;
    if (env.get_var) {
        if (auto value = env.get_var("RSYNC_RSH")) return *value;
    }
    return "ssh";
}

// mirrors rsync options.c:parse_arguments and the argument checks of main.c:main
Expected<Invocation, CliError> parse_impl(std::span<const std::string> argv, const Environment& env,
                                          bool secluded_args_received) {
    if (argv.size() < 2) return Unexpected{usage_error()};
    const auto args = argv.subspan(1);
    ParseState st;
    st.raw_arg_count = args.size();
    st.secluded_args_received = secluded_args_received;
    LexedArgs lexed;
    auto parsed = lex_and_parse(args, OptionTableKind::main, lexed);
    if (!parsed) return Unexpected{parsed.error()};
    st.am_server = lexed.saw_server;
    if (env.get_var) {  // rsync reads $RSYNC_ICONV before the options (--server drops it)
        if (auto iconv = env.get_var("RSYNC_ICONV"); iconv && !iconv->empty())
            st.opt.iconv = *iconv;
    }

    for (const auto& occ : parsed->occurrences) {
        auto action = apply_occurrence(st, occ, env);
        if (!action) return Unexpected{action.error()};
        switch (*action) {
            case ApplyAction::next:
                break;
            case ApplyAction::daemon_mode:
                return parse_daemon_mode(st, argv);
            case ApplyAction::help:
                return finish(st, Mode::help, argv);
            case ApplyAction::info_help:
            case ApplyAction::debug_help: {
                Invocation inv = finish(st, Mode::output_help, argv);
                inv.output_text = output_words_help(
                    *action == ApplyAction::info_help ? OutputKind::info : OutputKind::debug);
                return inv;
            }
            case ApplyAction::daemon_help:
                return finish(st, Mode::daemon_help, argv);
        }
    }
    if (lexed.error) {
        return Unexpected{CliError{
            std::string("rsync: ") + (st.am_server ? "on remote machine: " : "") + *lexed.error,
            ExitCode::syntax}};
    }
    if (st.version_count > 0) return finish(st, Mode::version, argv);

    std::vector<std::string> positionals = std::move(parsed->positionals);
    auto finalized = finalize_options(st, positionals.size(), env);
    if (!finalized) return Unexpected{finalized.error()};
    if (*finalized == FinalizeResult::help) return finish(st, Mode::help, argv);
    if (*finalized == FinalizeResult::awaiting_secluded_args) {
        Invocation inv = server_invocation(st, argv, std::move(positionals));
        inv.awaiting_secluded_args = true;
        return inv;
    }
    if (positionals.empty()) return Unexpected{usage_error()};
    if (st.am_server) return server_invocation(st, argv, std::move(positionals));

    st.opt.rsh = resolve_rsh(st.opt, env);
    Invocation inv = finish(st, Mode::local, argv);
    if (auto r = classify_client_args(inv, std::move(positionals)); !r) {
        return Unexpected{r.error()};
    }
    return inv;
}

}  // namespace

Expected<Invocation, CliError> parse_command_line(std::span<const std::string> argv,
                                                  const Environment& env) {
    return parse_impl(argv, env, false);
}

Expected<Invocation, CliError> parse_command_line(std::span<const std::string> argv) {
    return parse_command_line(argv, Environment::from_process());
}

Expected<Invocation, CliError> parse_secluded_server_args(const Invocation& first,
                                                          std::span<const std::string> received,
                                                          const Environment& env) {
    std::vector<std::string> argv = first.argv;
    if (!received.empty()) argv.insert(argv.end(), received.begin() + 1, received.end());
    return parse_impl(argv, env, true);
}

}  // namespace ursync::cli
