// The generator: walks the file list, fixes up what exists, requests what must be transferred,
// and keeps rsync's NDX_DONE accounting for every phase.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "roles/receiving.h"

namespace ursync::roles {

// Requests are gathered here and handed to the connection in pieces of about this size.
inline constexpr size_t k_generator_batch_bytes = 16 * 1024;

// The generator's private state across entries (rsync's statics in recv_generator).
struct GenState {
    protocol::ByteWriter out;            // records not yet handed to the connection
    std::optional<std::string> skip_dir; // contents of this failed/missing directory are skipped
    std::optional<std::string> dry_missing_dir;  // -n: a directory that was not created
    int64_t prefetch_next = 0;  // the first file-list index whose stat was not asked for ahead
};

// Hands the gathered records to the connection (always, or only past the batch size).
engine::Task<SessionResult<void>> flush_requests(RecvContext& ctx, GenState& g, bool always);

// The whole generator, from the first entry to the goodbye. Errors end in ctx.fail().
// mirrors rsync generator.c:generate_files and main.c:do_recv's generator half
engine::Task<void> run_generator(RecvContext& ctx);

}  // namespace ursync::roles
