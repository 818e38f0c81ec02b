// Small helpers shared by the generator's per-entry code (generator_entry.cpp, generator_file.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/attrs.h"
#include "fs/beneath.h"
#include "protocol/strong_sum.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

int info_level(const RecvContext& ctx, cli::InfoWord w);

// The options a redo pass switches off (rsync negates them around the phase-1 recv_generator).
struct EffectiveOptions {
    bool ignore_existing, existing, update_only, checksum, size_only, ignore_times;
    int append;  // --append (1) / --append-verify (2); 0 in a redo
    std::optional<long long> max_size, min_size;
};
EffectiveOptions effective(const RecvContext& ctx, const GenState& g);

// Sends an informational record when itemize() would.
void maybe_record(RecvContext& ctx, GenState& g, int32_t ndx, uint32_t iflags);

// What exists at `rel` now (after creating it), or nullopt.
engine::Task<std::optional<fs::FileAttrs>> stat_after(RecvContext& ctx, const std::string& rel);

// Makes room for the entry at `rel` when something of another type is there (rsync's
// delete_item with DEL_FOR_*). False: it could not be removed (reported).
engine::Task<bool> clear_way(RecvContext& ctx, GenState& g, const std::string& rel,
                             const fs::FileAttrs& current, uint32_t wanted_mode);

// The whole-file checksum of `rel` beneath `root` (for -c). mirrors rsync checksum.c:file_checksum
engine::Task<std::optional<protocol::Digest>> file_checksum(RecvContext& ctx, fs::DirRoot& root,
                                                             const std::string& rel);

// rsync generator.c:quick_check_ok for a regular file `rel` beneath `root` with attributes `st`.
engine::Task<bool> quick_check_ok(RecvContext& ctx, const GenState& g, fs::DirRoot& root, const protocol::FileEntry& e,
                                  const std::string& rel, const fs::FileAttrs& st);

}  // namespace ursync::roles
