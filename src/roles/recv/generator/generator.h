// The generator: walks the file list, fixes up what exists, requests what must be transferred,
// and keeps rsync's NDX_DONE accounting for every phase.
#pragma once

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

class LocalCopier;

// The whole generator, from the first entry to the goodbye. Errors end in ctx.fail(). With a
// `copier` (a local copy) whole files are copied by it instead of requested from the sender.
// mirrors rsync generator.c:generate_files and main.c:do_recv's generator half
engine::Task<void> run_generator(RecvContext& ctx, LocalCopier* copier);

}  // namespace ursync::roles
