// run_session and its phases.
#include "roles/connect/session_run.h"

#include <chrono>
#include <optional>
#include <string_view>

#include "cli/server_argv.h"
#include "roles/common/session_context.h"
#include "roles/connect/keep_alive.h"
#include "roles/connect/peer_messages.h"
#include "roles/filter/filter_wire.h"
#include "roles/recv/receive_files.h"
#include "roles/send/send_files.h"
#include "transport/buffered.h"

namespace ursync::roles {

namespace {

using session::SessionError;
using session::SessionResult;

// The buffered, multiplexed halves of one connection.
struct Wire {
    explicit Wire(transport::FdStream& s) : reader(s), writer(s), out(writer), in(reader, &out) {}
    transport::BufferedReader reader;
    transport::BufferedWriter writer;
    session::MuxOut out;
    session::MuxIn in;
};

// How this end names itself in its exit line.
std::string who(const Seat& seat) {
    return std::string(seat.am_sender   ? "sender"
                       : seat.am_server ? "receiver"
                                        : "generator") +
           "=0.1.0";
}

// A server started with -s reads its real arguments from the connection first: on success
// `effective` holds them (and the paths they name); otherwise the exit code.
engine::Task<std::optional<int>> read_secluded_args(engine::Engine& e, session::MuxIn& in,
                                                    const cli::Invocation& inv,
                                                    cli::Invocation& effective) {
    for (;;) {
        auto avail = in.available();
        std::string_view text(reinterpret_cast<const char*>(avail.data()), avail.size());
        size_t used = 0;
        auto args = cli::decode_secluded_args(text, &used);
        if (args) {
            in.consume(used);
            auto reparsed =
                cli::parse_secluded_server_args(inv, *args, cli::Environment::from_process());
            if (!reparsed) {
                Output out(e, nullptr);
                out.error(reparsed.error().message + "\n");
                co_await out.flush();
                co_return to_int(reparsed.error().code);
            }
            effective = std::move(*reparsed);
            co_return std::nullopt;
        }
        auto more = co_await in.need(avail.size() + 1, "the secluded arguments");
        if (!more) co_return to_int(more.error().code);
    }
}

// A client with -s sends the server its arguments on the connection.
engine::Task<SessionResult<void>> send_secluded_args(session::MuxOut& out,
                                                     const cli::Invocation& inv, bool am_sender) {
    std::vector<std::string> remote_paths;
    if (am_sender)
        remote_paths.push_back(inv.destination.value_or(""));
    else
        remote_paths = inv.sources;
    auto lists = cli::build_server_arg_lists(inv.options, !am_sender, remote_paths);
    auto bytes = cli::secluded_args_bytes(lists.secluded);
    co_return co_await out.send(std::as_bytes(std::span(bytes)));
}

session::HandshakeRequest handshake_request(const cli::Options& o, bool am_server,
                                            bool am_sender) {
    session::HandshakeRequest r;
    r.role = am_server ? protocol::Role::server : protocol::Role::client;
    if (o.protocol) r.our_protocol = *o.protocol;
    r.client_capabilities = o.client_info;
    r.checksum_choice = o.checksum_choice;
    // -z alone negotiates (the CLI stores it as zlib with no explicit choice); an explicit
    // --compress-choice is agreed out of band and skips the name lists.
    r.compress = o.compression != cli::Compression::off;
    r.compress_choice = o.compress_choice == "none" ? "" : o.compress_choice;
    if (o.compress_choice == "none") r.compress = false;
    r.checksum_seed = o.checksum_seed;
    // A sender whose --files-from list comes over the connection (rsync's filesfrom_host).
    r.files_from_on_connection = am_sender && !am_server && o.files_from && o.files_from_host;
    if (am_server) {
        // rsync compat.c:set_allow_inc_recurse: --delete-delay keeps incremental recursion
        bool delete_late =
            o.delete_mode == cli::DeleteMode::before || o.delete_mode == cli::DeleteMode::after;
        bool allowed = o.recursive && !o.qsort && o.inc_recursive.value_or(true) &&
                       (o.sender || !(delete_late || o.delay_updates || o.prune_empty_dirs));
        r.server_facts.allow_inc_recurse = allowed;
        r.server_facts.can_set_symlink_times = true;
    }
    return r;
}

// The filter list: a client that receives always sends one; a pushing client only when the
// receiver wants it. A server reads it in the same cases. A local copy's two ends already hold
// the rules (rsync's local_server). Returns the rules this end works with.
engine::Task<SessionResult<std::vector<std::string>>> exchange_filter_list(Session& s, Wire& w) {
    const cli::Options& o = s.options;
    std::vector<std::string> rules = o.filter_rules;
    const bool wants = receiver_wants_filter_list(o, s.params.protocol);
    if (s.local) co_return rules;
    if (s.am_server) {
        if (s.am_sender || wants) {
            auto got = co_await recv_filter_list(w.in);
            if (!got) co_return Unexpected{std::move(got).error()};
            rules = std::move(*got);
        }
    } else if (!s.am_sender || wants) {
        auto sent = co_await send_filter_list(
            w.out, filter_rules_for_peer(o, s.am_sender, s.params.protocol));
        if (!sent) co_return Unexpected{std::move(sent).error()};
    }
    co_return rules;
}

// The client's --stats summary (one message per line, as rsync), with the byte counts taken
// from the connection when the role did not snapshot them.
void print_summary(Session& s, Wire& w, std::chrono::steady_clock::time_point start) {
    const cli::Options& o = s.options;
    if (s.stats.total_written == 0 && s.stats.total_read == 0) {
        s.stats.total_written = static_cast<int64_t>(w.out.bytes_written()) + s.stats.local_written;
        s.stats.total_read = static_cast<int64_t>(w.in.bytes_read()) + s.stats.local_read;
    }
    const int level = o.info.level(cli::InfoWord::stats);
    if (level <= 0 || o.quiet) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string summary =
        format_summary(s.stats, level, s.params.protocol, o.human_readable, elapsed, o.dry_run);
    for (size_t at = 0; at < summary.size();) {
        const size_t nl = summary.find('\n', at);
        const size_t end = nl == std::string::npos ? summary.size() : nl + 1;
        s.output.info(summary.substr(at, end - at));
        at = end;
    }
}

}  // namespace

engine::Task<int> run_session(engine::Engine& e, transport::FdStream& stream,
                              const cli::Invocation& inv, Seat seat, std::vector<std::string> paths,
                              std::string dest) {
    Wire w(stream);
    // A server whose client is gone must not wait forever on output the remote shell holds.
    w.writer.set_watch_peer_hangup(seat.am_server && !seat.local);
    cli::Invocation effective = inv;
    if (seat.am_server && inv.awaiting_secluded_args) {
        auto failed = co_await read_secluded_args(e, w.in, inv, effective);
        if (failed) co_return *failed;
        paths = effective.sources;
        dest = effective.destination.value_or("");
    }
    const cli::Options& o = effective.options;
    if (o.bwlimit > 0) w.writer.set_rate_limit(static_cast<uint64_t>(o.bwlimit) * 1024);
    if (o.stop_at_utime) {
        w.reader.set_deadline(static_cast<std::time_t>(*o.stop_at_utime));
        w.writer.set_deadline(static_cast<std::time_t>(*o.stop_at_utime));
    }
    if (o.timeout && *o.timeout > 0) {
        w.reader.set_timeout_ms(static_cast<uint64_t>(*o.timeout) * 1000);
        w.writer.set_timeout_ms(static_cast<uint64_t>(*o.timeout) * 1000);
    }
    Output output(e, seat.am_server ? &w.out : nullptr);
    output.set_allow_8bit(o.eight_bit_output);
    output.set_charset(terminal_charset_from_locale());
    output.set_quiet(o.quiet);
    Session s{e, o, {}, w.in, w.out, output};
    s.am_server = seat.am_server;
    s.am_sender = seat.am_sender;
    s.local = seat.local;
    s.link = seat.link;
    if (!seat.am_server && !seat.am_sender && !seat.local) s.source_args = &effective.sources;
    // The client prints progress: the receiver in a pull, the sender in a push or local copy.
    std::optional<ProgressMeter> progress;
    if (!seat.am_server && o.info.level(cli::InfoWord::progress) > 0) {
        progress.emplace(
            o.info.level(cli::InfoWord::progress), o.human_readable,
            [&output](std::string text, bool line_open) {
                output.progress(std::move(text), line_open);
            },
            &ProgressMeter::steady_ms, &ProgressMeter::stdout_in_foreground);
        s.progress = &*progress;
    }
    const auto start = std::chrono::steady_clock::now();

    // A set-up step failed: its message and the exit line; returns the exit code.
    auto report = [&](const SessionError& err) {
        // A local copy's receiver that failed has said why; the sender then only lost it.
        const bool echo = seat.local && seat.link && seat.link->receiver_failed &&
                          err.code == ExitCode::stream_io;
        if (!err.what.empty() && !echo) {  // two messages: a newline inside one would be escaped
            output.error("ursync: " + err.what + "\n");
            output.error(exit_line(err.code, who(seat)));
        }
        return to_int(err.code);
    };

    if (!seat.am_server && !seat.local && o.secluded_args) {
        auto sent = co_await send_secluded_args(w.out, effective, seat.am_sender);
        if (!sent) {
            const int code = report(sent.error());
            co_await output.flush();
            co_return code;
        }
    }
    auto hs = co_await run_handshake(w.in, w.out, handshake_request(o, seat.am_server, seat.am_sender),
                                     message_handler(s));
    if (!hs) {
        const int code = report(hs.error());
        co_await output.flush();
        co_return code;
    }
    s.params = *hs;
    if (seat.am_server && seat.am_sender && o.files_from_host && s.params.protocol < 31) {
        // rsync pauses its multiplexed input for the raw list; ours splits input into frames as
        // it arrives, so it cannot. Refused before anything is read.
        const SessionError refusal{
            "--files-from sent over the connection needs protocol 31 or later with an ursync "
            "server (requested action not supported)",
            ExitCode::unsupported};
        const int code = report(refusal);
        co_await output.flush();
        co_await w.out.flush();
        co_return code;
    }
    auto rules = co_await exchange_filter_list(s, w);
    if (!rules) {
        const int code = report(rules.error());
        co_await output.flush();
        co_return code;
    }

    KeepAlive keep_alive(e);
    keep_alive.start(w.out, o.timeout.value_or(0));
    if (seat.am_sender) {
        co_await send_files(s, std::move(paths), std::move(*rules));
    } else {
        co_await receive_files(s, std::move(dest), std::move(*rules));
    }
    co_await keep_alive.stop();
    co_await w.out.flush();

    if (!seat.am_server) {
        output.end_line();  // an open progress line ends before the summary
        print_summary(s, w, start);
    }
    co_await output.flush();
    co_await w.out.flush();  // late MSG_INFO lines a server queued
    co_return s.state.final_code();
}

}  // namespace ursync::roles
