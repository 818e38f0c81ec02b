// The generator and a regular file: up to date (fix its attributes) or requested from the sender
// with the block sums of its basis.
#pragma once

#include <optional>
#include <string>

#include "engine/task.h"
#include "fs/attrs.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// mirrors the regular-file part of rsync generator.c:recv_generator. `st` is what exists at
// `name`, `stat_err` why it could not be stat'ed (0: it simply does not exist).
engine::Task<SessionResult<void>> gen_file(RecvContext& ctx, GenState& g, GenItem item,
                                           const protocol::FileEntry& e, const std::string& name,
                                           std::optional<fs::FileAttrs> st, int stat_err);

}  // namespace ursync::roles
