// The generator: walks the file list, fixes up what exists, requests what must be transferred,
// and keeps rsync's NDX_DONE accounting for every phase.
//
// roles/recv/generator/ is rsync's generator.c (with its parts of hlink.c and delete.c), over
// recv/core/: the main loop and phases (generator.cpp), one entry (generator_entry.h: rsync's
// recv_generator), one regular file (generator_file.h), alternate basis dirs
// (recv_altdest.h), block sums of a basis (basis_sums.h), deletions (delete.h), hard links
// (gen_hlink.h), the local copier a local copy moves whole files with (local_copier.h), and
// the generator's own state (gen_state.h). Only recv/receive_files.cpp includes this header.
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
