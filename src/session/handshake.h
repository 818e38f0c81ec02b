// The start of every session: version exchange, compat flags, name negotiation, checksum seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/task.h"
#include "protocol/handshake.h"
#include "protocol/strong_sum.h"
#include "session/mux_in.h"
#include "session/mux_out.h"

namespace ursync::session {

// What both sides agreed on; every role reads it.
struct SessionParams {
    int32_t protocol = protocol::k_protocol_version_max;
    uint32_t compat_flags = 0;
    bool inc_recurse = false;
    bool varint_flist_flags = false;  // CF_VARINT_FLIST_FLAGS: varint flags, negotiated names
    bool seed_first = false;          // CF_CHKSUM_SEED_FIX (md5 block-sum seed order)
    bool id0_names = false;           // CF_ID0_NAMES
    bool safe_flist = false;          // CF_SAFE_FLIST or protocol >= 31
    bool symlink_times = false;       // the receiver can set symlink times
    // -X: hard links made locally skip the xattr exchange (protocol >= 31 without the client's
    // 'x', rsync's want_xattr_optim).
    bool xattr_optim = false;
    protocol::ChecksumAlgo xfer_checksum = protocol::ChecksumAlgo::md5;  // block sums
    protocol::ChecksumAlgo file_checksum = protocol::ChecksumAlgo::md5;  // whole-file and -c sums
    std::string compress;  // "" when not compressing, else the agreed algorithm ("zstd")
    int32_t seed = 0;
};

struct HandshakeRequest {
    protocol::Role role = protocol::Role::client;
    int32_t our_protocol = protocol::k_protocol_version_max;  // --protocol lowers it
    // Server: the client's -e capability string; client: unused (the server decides).
    std::string client_capabilities;
    protocol::ServerFacts server_facts;  // server only
    std::string checksum_choice;  // --checksum-choice ("" = negotiate); "A,B" splits xfer/file
    bool compress = false;        // -z / --compress-choice in effect
    std::string compress_choice;  // explicit algorithm ("" = negotiate)
    int32_t checksum_seed = 0;    // --checksum-seed (0 = random, server only)
    // This side sends and reads a --files-from list from the connection: below protocol 31
    // the list arrives raw, and the input switches to multiplexing after it (the caller calls
    // MuxIn::start_deferred_multiplex()).
    bool files_from_on_connection = false;
};

// Runs the exchange on a fresh connection (both halves still raw), then switches both to
// multiplexed mode. Errors carry rsync's messages and exit codes.
engine::Task<SessionResult<SessionParams>> run_handshake(MuxIn& in, MuxOut& out,
                                                         const HandshakeRequest& request,
                                                         MuxIn::MessageHandler on_message);

}  // namespace ursync::session
