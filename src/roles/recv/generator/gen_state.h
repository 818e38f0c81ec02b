// The generator's own state across entries and phases (rsync's statics of generator.c), and
// how the generator meets one entry (GenItem). Owned by run_generator; every generator file
// takes it beside the shared RecvContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/task.h"
#include "protocol/byte_cursor.h"
#include "roles/recv/core/entry_ref.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/delete_state.h"

namespace ursync::roles {

class LocalCopier;

// Requests are gathered here and handed to the connection in pieces of about this size.
inline constexpr size_t k_generator_batch_bytes = 16 * 1024;

// Where the entry is and how the generator meets it.
struct GenItem {
    EntryRef ref;
    int32_t ndx = 0;
    // rsync's is_dir: 0 not a dir; -1 a dir met inside its parent's segment (incremental
    // recursion: only created early); 1 a dir handled in full.
    int is_dir = 0;
};

struct GenState {
    protocol::ByteWriter out;             // records not yet handed to the connection
    std::optional<std::string> skip_dir;  // contents of this failed/missing directory are skipped
    std::optional<std::string> dry_missing_dir;  // -n: a directory that was not created
    int64_t prefetch_next = 0;  // the first file-list index whose stat was not asked for ahead
    size_t prefetch_parents = 0;  // the first segment whose directory was not asked for ahead
    size_t first_open = 0;      // oldest segment whose NDX_DONE has not been sent
    size_t current = 0;         // the segment being walked
    bool walk_done = false;     // every segment walked (phase 0 requests all written)
    int phase = 0;
    bool redo_mode = false;         // writing phase-1 requests: full-length strong sums
    LocalCopier* copier = nullptr;  // a local copy: whole files copied here, not over the wire
    DeleteState del;
};

// Hands the gathered records to the connection (always, or only past the batch size).
engine::Task<SessionResult<void>> flush_requests(RecvContext& ctx, GenState& g, bool always);

}  // namespace ursync::roles
