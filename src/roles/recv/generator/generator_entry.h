// One file-list entry seen by the generator: directories, symlinks, devices, specials, files.
#pragma once

#include <cstdint>

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// mirrors rsync generator.c:recv_generator. Non-fatal problems are reported and counted;
// a fatal one is returned.
engine::Task<SessionResult<void>> recv_generator(RecvContext& ctx, GenState& g, GenItem item);

// Leaders whose transfer ended: their waiting members are linked to them, or, when the
// transfer failed, generated again (the first of them leads the group then).
// mirrors rsync hlink.c:finish_hard_link and handle_skipped_hlink
engine::Task<SessionResult<void>> process_finished_hlinks(RecvContext& ctx, GenState& g);

}  // namespace ursync::roles
