// A test-only `--server` receiver: what stock rsync starts (via --rsync-path) when it pushes to
// us. It runs roles::receive_files behind the same start-up a server does (handshake, filter
// list), so the push tests need nothing but the receiving side.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/parse.h"
#include "engine/engine.h"
#include "roles/common/output.h"
#include "roles/common/session_context.h"
#include "roles/filter/filter_wire.h"
#include "roles/recv/receive_files.h"
#include "session/handshake.h"
#include "transport/buffered.h"
#include "transport/fd_stream.h"

namespace {

using namespace ursync;

session::MuxIn::MessageHandler handler_for(roles::Session& s) {
    return [&s](const protocol::MuxEvent& ev) -> session::SessionResult<void> {
        using protocol::MsgCode;
        switch (ev.code) {
            case MsgCode::io_error: {
                auto bits = protocol::message_int(ev);
                if (bits) s.state.io_error |= *bits & 0x7;
                break;
            }
            case MsgCode::no_send: {
                auto ndx = protocol::message_int(ev);
                if (ndx && s.hooks.no_send) return s.hooks.no_send(*ndx);
                break;
            }
            case MsgCode::error_exit: return session::fail("peer exited", ExitCode::partial);
            default: break;
        }
        return {};
    };
}

engine::Task<int> serve(engine::Engine& e, const cli::Invocation& inv) {
    const cli::Options& o = inv.options;
    transport::FdStream stdio(e, 0, 1, false);
    transport::BufferedReader reader(stdio);
    transport::BufferedWriter writer(stdio);
    session::MuxOut out(writer);
    session::MuxIn in(reader, &out);
    roles::Output output(e, &out);
    roles::Session s{e, o, {}, in, out, output};
    s.am_server = true;
    session::HandshakeRequest req;
    req.role = protocol::Role::server;
    if (o.protocol) req.our_protocol = *o.protocol;
    req.client_capabilities = o.client_info;
    req.checksum_choice = o.checksum_choice;
    req.compress = o.compression != cli::Compression::off;
    if (o.compression == cli::Compression::zstd) req.compress_choice = "zstd";
    req.checksum_seed = o.checksum_seed;
    // rsync compat.c:set_allow_inc_recurse: --delete-delay keeps incremental recursion.
    const bool late = o.delete_mode == cli::DeleteMode::before ||
                      o.delete_mode == cli::DeleteMode::after;
    req.server_facts.allow_inc_recurse = o.recursive && !o.qsort &&
                                         o.inc_recursive.value_or(true) &&
                                         !(late || o.delay_updates || o.prune_empty_dirs);
    req.server_facts.can_set_symlink_times = true;
    auto hs = co_await session::run_handshake(in, out, req, handler_for(s));
    if (!hs) {
        std::fprintf(stderr, "handshake: %s\n", hs.error().what.c_str());
        co_return to_int(hs.error().code);
    }
    s.params = *hs;
    std::vector<std::string> rules;
    if (roles::receiver_wants_filter_list(o, s.params.protocol)) {
        auto got = co_await roles::recv_filter_list(in);
        if (!got) {
            std::fprintf(stderr, "filter list: %s\n", got.error().what.c_str());
            co_return to_int(got.error().code);
        }
        rules = std::move(*got);
    }
    co_await roles::receive_files(s, inv.destination.value_or(""), std::move(rules));
    co_await out.flush();
    co_await output.flush();
    co_return s.state.final_code();
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    auto inv = cli::parse_command_line(args, cli::Environment::from_process());
    if (!inv || inv->mode != cli::Mode::server_receiver) {
        std::fprintf(stderr, "receiving_server: not a --server receiver command line\n");
        return 1;
    }
    engine::Engine e;
    return e.run(serve(e, *inv));
}
