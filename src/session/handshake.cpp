// run_handshake: the byte sequence of rsync compat.c:setup_protocol for client and server.
#include "session/handshake.h"

#include <unistd.h>

#include <ctime>

#include "protocol/varint.h"

namespace ursync::session {

namespace {

// Read once at start-up (static initialisation, before any engine runs): the engine thread
// makes no syscall but io_uring_enter once it runs. ursync never forks without exec.
const uint32_t k_own_pid = static_cast<uint32_t>(::getpid());

using protocol::NameKind;
using protocol::Role;

SessionResult<protocol::ChecksumAlgo> algo_named(std::string_view name) {
    auto algo = protocol::checksum_algo_from_name(name);
    if (!algo)
        return fail("unknown checksum name: " + std::string(name), ExitCode::unsupported);
    return *algo;
}

// "A" or "A,B" (transfer, file) from --checksum-choice.
SessionResult<void> apply_checksum_choice(const std::string& choice, SessionParams& p) {
    auto comma = choice.find(',');
    auto xfer = algo_named(choice.substr(0, comma));
    if (!xfer) return Unexpected{xfer.error()};
    auto file = comma == std::string::npos ? xfer : algo_named(choice.substr(comma + 1));
    if (!file) return Unexpected{file.error()};
    p.xfer_checksum = *xfer;
    p.file_checksum = *file;
    return {};
}

}  // namespace

engine::Task<SessionResult<SessionParams>> run_handshake(MuxIn& in, MuxOut& out,
                                                         const HandshakeRequest& request,
                                                         MuxIn::MessageHandler on_message) {
    SessionParams p;
    const bool server = request.role == Role::server;
    auto caps = protocol::parse_capabilities(request.client_capabilities);

    // 1. Versions: both sides write first, then read.
    protocol::ByteWriter w;
    int32_t ours = server ? protocol::server_protocol_for(request.our_protocol, caps)
                          : request.our_protocol;
    protocol::put_int(w, ours);
    if (auto r = co_await out.send(w); !r) co_return Unexpected{r.error()};
    w.clear();
    auto remote = co_await in.read_int("the peer's protocol version");
    if (!remote && remote.error().code == ExitCode::socket_io && in.bytes_read() == 0) {
        // The peer went before it said anything (a remote shell that failed at once): our
        // first write met a closed pipe. rsync, which reads before it writes, sees the end of
        // its input then: "connection unexpectedly closed", 12.
        co_return Unexpected{SessionError{"connection unexpectedly closed (0 bytes received so far)",
                                          ExitCode::stream_io}};
    }
    if (!remote) co_return Unexpected{remote.error()};
    auto version = protocol::negotiate_protocol_version(request.our_protocol, *remote);
    if (!version) co_return Unexpected{from_wire(version.error(), "")};
    p.protocol = *version;

    // 2. Compat flags (server decides).
    bool negotiate = false;
    if (server) {
        auto compat = protocol::server_compat_flags(caps, request.server_facts);
        protocol::put_compat_flags(w, compat);
        p.compat_flags = compat.flags;
        negotiate = compat.negotiate_strings;
    } else {
        auto flags = co_await in.decode<uint32_t>(
            [](protocol::ByteCursor& c) { return protocol::get_compat_flags(c); },
            "the compat flags");
        if (!flags) co_return Unexpected{flags.error()};
        p.compat_flags = *flags;
        negotiate = (*flags & protocol::k_cf_varint_flist_flags) != 0;
    }
    p.inc_recurse = (p.compat_flags & protocol::k_cf_inc_recurse) != 0;
    p.varint_flist_flags = (p.compat_flags & protocol::k_cf_varint_flist_flags) != 0;
    p.seed_first = (p.compat_flags & protocol::k_cf_chksum_seed_fix) != 0;
    p.id0_names = (p.compat_flags & protocol::k_cf_id0_names) != 0;
    p.safe_flist = (p.compat_flags & protocol::k_cf_safe_flist) != 0 || p.protocol >= 31;
    p.xattr_optim = p.protocol >= 31 && !(p.compat_flags & protocol::k_cf_avoid_xattr_optim);
    p.symlink_times = server ? caps.symlink_times
                             : (p.compat_flags & protocol::k_cf_symlink_times) != 0;

    // 3. Name lists: each side writes its lists, then reads the peer's.
    const Role role = request.role;
    const bool want_checksum_list = request.checksum_choice.empty();
    const bool want_compress_list = request.compress && request.compress_choice.empty();
    std::string our_checksums = protocol::default_name_list(NameKind::checksum, role);
    std::string our_compress = protocol::default_name_list(NameKind::compress, role);
    if (negotiate) {
        if (want_checksum_list) protocol::put_name_list(w, our_checksums);
        if (want_compress_list) protocol::put_name_list(w, our_compress);
    }
    if (auto r = co_await out.send(w); !r) co_return Unexpected{r.error()};
    w.clear();

    if (want_checksum_list) {
        std::string chosen;
        if (negotiate) {
            auto peer = co_await in.decode<std::string>(
                [](protocol::ByteCursor& c) {
                    return protocol::get_name_list(c, NameKind::checksum);
                },
                "the peer's checksum list");
            if (!peer) co_return Unexpected{peer.error()};
            auto pick = protocol::choose_name(NameKind::checksum, role, our_checksums, *peer);
            if (!pick) co_return Unexpected{from_wire(pick.error(), "")};
            chosen = *pick;
        } else {
            auto pick = protocol::choose_without_negotiation(NameKind::checksum, our_checksums);
            if (!pick) co_return Unexpected{from_wire(pick.error(), "")};
            chosen = *pick;
        }
        auto algo = algo_named(chosen);
        if (!algo) co_return Unexpected{algo.error()};
        p.xfer_checksum = p.file_checksum = *algo;
    } else {
        auto applied = apply_checksum_choice(request.checksum_choice, p);
        if (!applied) co_return Unexpected{applied.error()};
    }

    if (request.compress) {
        if (!want_compress_list) {
            auto name = protocol::canonical_name(NameKind::compress, request.compress_choice);
            if (!name)
                co_return fail("unsupported compress choice: " + request.compress_choice,
                               ExitCode::unsupported);
            p.compress = std::string(*name);
        } else if (negotiate) {
            auto peer = co_await in.decode<std::string>(
                [](protocol::ByteCursor& c) {
                    return protocol::get_name_list(c, NameKind::compress);
                },
                "the peer's compression list");
            if (!peer) co_return Unexpected{peer.error()};
            auto pick = protocol::choose_name(NameKind::compress, role, our_compress, *peer);
            if (!pick) co_return Unexpected{from_wire(pick.error(), "")};
            p.compress = *pick;
        } else {
            auto pick = protocol::choose_without_negotiation(NameKind::compress, our_compress);
            if (!pick) co_return Unexpected{from_wire(pick.error(), "")};
            p.compress = *pick;
        }
        if (p.compress == "none") p.compress.clear();
    }

    // 4. Seed (server → client).
    if (server) {
        int32_t seed = request.checksum_seed;
        if (seed == 0)
            seed = static_cast<int32_t>(static_cast<uint32_t>(std::time(nullptr)) ^
                                        (k_own_pid << 6));
        p.seed = seed;
        protocol::put_int(w, seed);
        if (auto r = co_await out.send(w); !r) co_return Unexpected{r.error()};
    } else {
        auto seed = co_await in.read_int("the checksum seed");
        if (!seed) co_return Unexpected{seed.error()};
        p.seed = *seed;
    }
    if (auto r = co_await out.flush(); !r) co_return Unexpected{r.error()};

    // 5. Multiplexing both ways from here (the input of a sender that reads a --files-from list
    // from the connection only after the list, below protocol 31).
    out.start_multiplex();
    if (request.files_from_on_connection && p.protocol < 31)
        in.defer_multiplex(std::move(on_message));
    else
        in.start_multiplex(std::move(on_message));
    co_return p;
}

}  // namespace ursync::session
