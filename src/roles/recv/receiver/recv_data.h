// Rebuilding one file from the sender's token stream: literal data and basis blocks, verified
// with the whole-file checksum.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/temp_file.h"
#include "protocol/file_entry.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/receiver/receiver_state.h"

namespace ursync::roles {

// Basis bytes read at once when blocks are copied (runs of matches come from one read); at
// least k_block_len_max.
inline constexpr size_t k_basis_read_ahead_bytes = 1u << 20;
// -S: zero runs of at least this many bytes (at this alignment within a write) become holes.
inline constexpr size_t k_sparse_chunk_bytes = 4096;
// New data handed to the temp file in writes of about this size.
inline constexpr size_t k_recv_write_batch_bytes = 1u << 20;
// Batches being written to the temp file while the next is rebuilt.
inline constexpr size_t k_recv_writes_inflight = 2;

struct ReceivedData {
    bool verified = false;  // the whole-file checksums matched
};

// Where the rebuilt data goes: a temp file, the destination itself (--inplace), memory (a small
// file put in place by a batch later), or nowhere.
struct RecvSink {
    fs::TempFile* temp = nullptr;
    // Memory: the data gathered whole. Past k_recv_batch_file_bytes_max (a file that grew since
    // it was listed, or a sender that lies) it spills into a temp file for `spill_target`
    // created in `*spill_to`, and `temp` takes over.
    std::vector<std::byte>* memory = nullptr;
    std::optional<fs::TempFile>* spill_to = nullptr;
    std::string spill_target;
    int inplace_fd = -1;  // --inplace: blocks already at their place are not rewritten
    uint64_t written = 0; // bytes of the new file produced so far (its length at the end)
    // --append: the new data starts here (the basis's length); with --append-verify the
    // existing bytes count in the whole-file checksum too.
    uint64_t append_from = 0;
    bool append_verify = false;
    bool empty() const { return !temp && !memory && inplace_fd < 0; }
};

// Reads the sum head the sender echoes before a file's data (validated against the digest).
engine::Task<SessionResult<protocol::SumHead>> read_sum_head(RecvContext& ctx);

// Reads the tokens and the file checksum of one transfer whose sum head is `head`. The data
// goes to `sink` (empty: read and discard it); blocks come from `basis_fd` (-1: none) of
// `basis_len` bytes. `list_size` is the file's size in the file list (100% on a client's
// progress lines). A malformed stream (a sum head the basis cannot satisfy, bad tokens) is a
// fatal error. mirrors rsync receiver.c:receive_data
engine::Task<SessionResult<ReceivedData>> receive_data(RecvContext& ctx, ReceiverState& r,
                                                       const std::string& name,
                                                       const protocol::SumHead& head,
                                                       int basis_fd, int64_t basis_len,
                                                       int64_t list_size, RecvSink& sink);

}  // namespace ursync::roles
