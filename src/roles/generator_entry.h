// One file-list entry seen by the generator: directories, symlinks, devices, specials, files.
#pragma once

#include <cstdint>

#include "engine/task.h"
#include "roles/generator.h"
#include "roles/receiving.h"

namespace ursync::roles {

// Where the entry is and how the generator meets it.
struct GenItem {
    EntryRef ref;
    int32_t ndx = 0;
    // rsync's is_dir: 0 not a dir; -1 a dir met inside its parent's segment (incremental
    // recursion: only created early); 1 a dir handled in full.
    int is_dir = 0;
};

// mirrors rsync generator.c:recv_generator. Non-fatal problems are reported and counted;
// a fatal one is returned.
engine::Task<SessionResult<void>> recv_generator(RecvContext& ctx, GenState& g, GenItem item);

}  // namespace ursync::roles
