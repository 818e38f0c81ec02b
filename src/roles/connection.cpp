// Connection set-up: stream halves, handshake, message routing, filter list, role, exit status.
#include "roles/connection.h"

#include <chrono>
#include <cstdlib>
#include <optional>

#include "cli/server_argv.h"
#include "engine/event.h"
#include "protocol/mux_frame.h"
#include "roles/entry.h"
#include "roles/filter_wire.h"
#include "roles/session_context.h"
#include "transport/buffered.h"
#include "transport/child_process.h"
#include "transport/fd_stream.h"

namespace ursync::roles {

namespace {

using protocol::MsgCode;
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

// Sends rsync's keep-alives while a --timeout session runs: every half timeout of output
// idleness, pending data is flushed or an empty MSG_DATA frame goes out. `stop` ends it.
struct KeepAlive {
    bool stopping = false;
    engine::Op* sleeping = nullptr;
};

engine::Task<void> keep_alive_loop(engine::Engine& e, session::MuxOut& out, uint64_t lull_ms,
                                   KeepAlive& ka, engine::Event& exited) {
    const uint64_t tick_ms = std::max<uint64_t>(lull_ms / 4, 50);
    while (!ka.stopping) {
        auto nap = e.sleep_ms(tick_ms);
        ka.sleeping = &nap;
        co_await nap;
        ka.sleeping = nullptr;
        if (ka.stopping) break;
        auto r = co_await out.keep_alive_if_idle(lull_ms);
        if (!r) break;  // the session's own reads and writes report the broken link
    }
    exited.set();
}

engine::Task<void> stop_keep_alive(engine::Engine& e, KeepAlive& ka, engine::Event& exited) {
    ka.stopping = true;
    if (ka.sleeping) co_await e.cancel(*ka.sleeping);
    co_await exited;
}

// An empty `what` marks an exit the peer asked for (MSG_ERROR_EXIT): nothing more to print.
constexpr const char* k_peer_exit = "";

// Routes the peer's out-of-band messages (rsync io.c:read_a_msg).
session::MuxIn::MessageHandler message_handler(Session& s) {
    return [&s](const protocol::MuxEvent& ev) -> SessionResult<void> {
        switch (ev.code) {
            case MsgCode::info: s.output.relay_info(protocol::message_text(ev)); break;
            case MsgCode::error_xfer:
                s.state.partial = true;
                s.output.relay_error(protocol::message_text(ev));
                break;
            case MsgCode::error:
            case MsgCode::warning:
            case MsgCode::error_utf8:
            case MsgCode::error_socket: s.output.relay_error(protocol::message_text(ev)); break;
            case MsgCode::io_error: {
                auto bits = protocol::message_int(ev);
                if (!bits) return Unexpected{session::from_wire(bits.error(), "MSG_IO_ERROR")};
                s.state.io_error |= *bits & 0x7;
                break;
            }
            case MsgCode::error_exit: {
                int code = to_int(ExitCode::partial);
                if (ev.payload.size() == 4) {
                    auto c = protocol::message_int(ev);
                    if (c) code = *c;
                }
                return Unexpected{SessionError{k_peer_exit, static_cast<ExitCode>(code)}};
            }
            case MsgCode::no_send:
            case MsgCode::success: {
                auto ndx = protocol::message_int(ev);
                if (!ndx) return Unexpected{session::from_wire(ndx.error(), "a message")};
                auto& hook = ev.code == MsgCode::no_send ? s.hooks.no_send : s.hooks.success;
                if (hook) hook(*ndx);
                break;
            }
            case MsgCode::deleted:
                if (s.hooks.deleted) s.hooks.deleted(protocol::message_text(ev));
                break;
            default: break;  // keep-alives, timeouts, log-only messages
        }
        return {};
    };
}

session::HandshakeRequest handshake_request(const cli::Options& o, bool am_server) {
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
    if (am_server) {
        // rsync compat.c:set_allow_inc_recurse: --delete-delay keeps incremental recursion
        bool delete_late = o.delete_mode == cli::DeleteMode::before ||
                           o.delete_mode == cli::DeleteMode::after;
        bool allowed = o.recursive && !o.qsort && o.inc_recursive.value_or(true) &&
                       (o.sender || !(delete_late || o.delay_updates || o.prune_empty_dirs));
        r.server_facts.allow_inc_recurse = allowed;
        r.server_facts.can_set_symlink_times = true;
    }
    return r;
}

std::string who(bool am_server, bool am_sender) {
    return std::string(am_sender ? "sender" : am_server ? "receiver" : "generator") + "=0.1.0";
}

// One rsync session over `stream`: handshake, filter list, the role, and the final flush.
// `local`: both ends are ours (a local copy over a socketpair): no filter list on the wire;
// `link` is what the two sessions of a local copy share.
engine::Task<int> run_session(engine::Engine& e, transport::FdStream& stream,
                              const cli::Invocation& inv, bool am_server, bool am_sender,
                              std::vector<std::string> paths, std::string dest,
                              bool local = false, LocalLink* link = nullptr) {
    Wire w(stream);
    // A server started with -s reads its real arguments from the connection first.
    cli::Invocation effective = inv;
    if (am_server && inv.awaiting_secluded_args) {
        for (;;) {
            auto avail = w.in.available();
            std::string_view text(reinterpret_cast<const char*>(avail.data()), avail.size());
            size_t used = 0;
            auto args = cli::decode_secluded_args(text, &used);
            if (args) {
                w.in.consume(used);
                auto reparsed = cli::parse_secluded_server_args(inv, *args,
                                                                cli::Environment::from_process());
                if (!reparsed) {
                    Output out(e, nullptr);
                    out.error(reparsed.error().message + "\n");
                    co_await out.flush();
                    co_return to_int(reparsed.error().code);
                }
                effective = std::move(*reparsed);
                paths = effective.sources;
                dest = effective.destination.value_or("");
                break;
            }
            auto more = co_await w.in.need(avail.size() + 1, "the secluded arguments");
            if (!more) co_return to_int(more.error().code);
        }
    }
    const cli::Options& o = effective.options;
    if (o.timeout && *o.timeout > 0) {
        w.reader.set_timeout_ms(static_cast<uint64_t>(*o.timeout) * 1000);
        w.writer.set_timeout_ms(static_cast<uint64_t>(*o.timeout) * 1000);
    }
    Output output(e, am_server ? &w.out : nullptr);
    output.set_allow_8bit(o.eight_bit_output);
    output.set_charset(terminal_charset_from_locale());
    output.set_quiet(o.quiet);
    Session s{e, o, {}, w.in, w.out, output};
    s.am_server = am_server;
    s.am_sender = am_sender;
    s.local = local;
    s.link = link;
    // The client prints progress: the receiver in a pull, the sender in a push or local copy.
    std::optional<ProgressMeter> progress;
    if (!am_server && o.info.level(cli::InfoWord::progress) > 0) {
        progress.emplace(
            o.info.level(cli::InfoWord::progress), o.human_readable,
            [&output](std::string text, bool line_open) {
                output.progress(std::move(text), line_open);
            },
            &ProgressMeter::steady_ms, &ProgressMeter::stdout_in_foreground);
        s.progress = &*progress;
    }
    auto start = std::chrono::steady_clock::now();

    auto fail_with = [&](const SessionError& err) -> int {
        // A local copy's receiver that failed has said why; the sender then only lost it.
        const bool echo = local && link && link->receiver_failed && err.code == ExitCode::stream_io;
        if (!err.what.empty() && !echo) {  // two messages: a newline inside one would be escaped
            output.error("ursync: " + err.what + "\n");
            output.error("ursync error: " + std::string(exit_code_text(err.code)) + " (code " +
                         std::to_string(to_int(err.code)) + ") [" + who(am_server, am_sender) +
                         "]\n");
        }
        return to_int(err.code);
    };

    if (!am_server && !local && o.secluded_args) {
        std::vector<std::string> remote_paths;
        if (am_sender) remote_paths.push_back(inv.destination.value_or(""));
        else remote_paths = inv.sources;
        auto lists = cli::build_server_arg_lists(o, !am_sender, remote_paths);
        auto bytes = cli::secluded_args_bytes(lists.secluded);
        auto sent = co_await w.out.send(std::as_bytes(std::span(bytes)));
        if (!sent) co_return fail_with(sent.error());
    }

    auto hs = co_await run_handshake(w.in, w.out, handshake_request(o, am_server),
                                     message_handler(s));
    if (!hs) {
        int code = fail_with(hs.error());
        co_await output.flush();
        co_return code;
    }
    s.params = *hs;

    // Filter list: a client that receives always sends one; a pushing client only when the
    // receiver wants it. A server reads it in the same cases.
    std::vector<std::string> rules = o.filter_rules;
    bool wants = receiver_wants_filter_list(o, s.params.protocol);
    if (local) {
        // rsync's local_server: both sides already hold the rules
    } else if (am_server) {
        if (am_sender || wants) {
            auto got = co_await recv_filter_list(w.in);
            if (!got) {
                int code = fail_with(got.error());
                co_await output.flush();
                co_return code;
            }
            rules = std::move(*got);
        }
    } else if (!am_sender || wants) {
        auto sent = co_await send_filter_list(
            w.out, filter_rules_for_peer(o, am_sender, s.params.protocol));
        if (!sent) {
            int code = fail_with(sent.error());
            co_await output.flush();
            co_return code;
        }
    }

    // --timeout: the peer may time us out too, so keep the link visibly alive (rsync sends
    // keep-alives in every role that writes).
    KeepAlive keep_alive;
    engine::Event keep_alive_exited(e);
    const bool keeping_alive = o.timeout && *o.timeout > 0;
    if (keeping_alive) {
        const uint64_t lull_ms = static_cast<uint64_t>(*o.timeout) * 1000 / 2;
        e.spawn(keep_alive_loop(e, w.out, lull_ms, keep_alive, keep_alive_exited));
    }

    if (am_sender) {
        co_await send_files(s, std::move(paths), std::move(rules));
    } else {
        co_await receive_files(s, std::move(dest), std::move(rules));
    }
    if (keeping_alive) co_await stop_keep_alive(e, keep_alive, keep_alive_exited);
    co_await w.out.flush();

    if (!am_server) {
        output.end_line();  // an open progress line ends before the summary
        if (s.stats.total_written == 0 && s.stats.total_read == 0) {  // the role did not snapshot
            s.stats.total_written = static_cast<int64_t>(w.out.bytes_written()) + s.stats.local_written;
            s.stats.total_read = static_cast<int64_t>(w.in.bytes_read()) + s.stats.local_read;
        }
        int level = o.info.level(cli::InfoWord::stats);
        if (level > 0 && !o.quiet) {
            double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::string summary = format_summary(s.stats, level, s.params.protocol,
                                                 o.human_readable, elapsed, o.dry_run);
            for (size_t at = 0; at < summary.size();) {  // one message per line, as rsync
                size_t nl = summary.find('\n', at);
                size_t end = nl == std::string::npos ? summary.size() : nl + 1;
                output.info(summary.substr(at, end - at));
                at = end;
            }
        }
    }
    co_await output.flush();
    co_await w.out.flush();  // late MSG_INFO lines a server queued
    co_return s.state.final_code();
}

}  // namespace

engine::Task<int> run_server(engine::Engine& e, const cli::Invocation& inv) {
    transport::FdStream stdio(e, 0, 1, false);
    bool sender = inv.mode == cli::Mode::server_sender;
    std::string dest = inv.destination.value_or("");
    co_return co_await run_session(e, stdio, inv, true, sender, inv.sources, dest);
}

engine::Task<void> run_local_receiver(engine::Engine& e, transport::FdStream& stream,
                                      const cli::Invocation& inv, int& code,
                                      engine::Event& done, LocalLink* link) {
    std::string dest = inv.destination.value_or(".");
    code = co_await run_session(e, stream, inv, true, false, {}, std::move(dest), true, link);
    stream.close_write();
    done.set();
}

engine::Task<int> run_local(engine::Engine& e, const cli::Invocation& inv) {
    // As rsync does for a local copy: a sender and a receiving "local server" joined by a
    // socketpair, both on this engine.
    auto [client_end, server_end] = transport::make_socketpair_streams(e);
    cli::Invocation server_inv = inv;
    server_inv.options.server = true;
    server_inv.options.client_info = ".iLsfxCIvu";
    if (!server_inv.options.whole_file) server_inv.options.whole_file = true;
    cli::Invocation client_inv = inv;
    if (!client_inv.options.whole_file) client_inv.options.whole_file = true;
    int server_code = 0;
    engine::Event receiver_done(e);
    // Whole files are copied by the receiving side itself (kernel-side) unless asked not to.
    LocalLink link;
    LocalLink* shared = std::getenv("URSYNC_LOCAL_WIRE") ? nullptr : &link;
    e.spawn(run_local_receiver(e, server_end, server_inv, server_code, receiver_done, shared));
    int client_code = co_await run_session(e, client_end, client_inv, false, true, inv.sources,
                                           "", true, shared);
    client_end.close_write();
    co_await receiver_done;
    // The receiver stopped on an error of its own (a full disk, say) and the sender then lost
    // the connection: the receiver's code is the run's, as rsync's parent takes its child's.
    if (server_code != 0 && client_code == to_int(ExitCode::stream_io)) co_return server_code;
    co_return std::max(client_code, server_code);
}

engine::Task<int> run_remote_client(engine::Engine& e, const cli::Invocation& inv) {
    const cli::Options& o = inv.options;
    bool push = inv.mode == cli::Mode::push;
    std::vector<std::string> remote_paths;
    if (push) {
        remote_paths.push_back(inv.destination.value_or(""));
    } else {
        remote_paths = inv.sources;
    }
    auto argv = cli::build_remote_command(o, *inv.shell, !push, remote_paths);
    if (!argv) {
        Output out(e, nullptr);
        out.error(argv.error().message + "\n");
        co_await out.flush();
        co_return to_int(argv.error().code);
    }
    auto child = transport::ChildProcess::spawn(e, *argv);
    if (!child) {
        Output out(e, nullptr);
        out.error("ursync: " + child.error() + "\n");
        co_await out.flush();
        co_return to_int(ExitCode::cmd_run);
    }
    auto& proc = **child;
    int code = 0;
    if (push) {
        code = co_await run_session(e, proc.stream(), inv, false, true, inv.sources, "");
    } else {
        code = co_await run_session(e, proc.stream(), inv, false, false, {},
                                    inv.destination.value_or("."));
    }
    proc.stream().close_write();
    auto status = co_await proc.wait();
    int remote = status.exited ? status.code : to_int(ExitCode::terminated);
    co_return std::max(code, remote);
}

}  // namespace ursync::roles
