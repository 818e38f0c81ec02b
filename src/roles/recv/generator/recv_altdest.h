// --compare-dest / --copy-dest / --link-dest: other trees that may already hold a file, used
// to skip it, copy or hard-link it locally, or as the basis of its delta transfer.
#pragma once

#include <optional>
#include <string>

#include "engine/task.h"
#include "fs/attrs.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// Opens the basis directories (relative ones beneath the destination's directory); a missing
// one is left out, as rsync only stats paths in it.
engine::Task<void> open_alt_dests(RecvContext& ctx);

// What try_dests_reg decided.
struct AltDestChoice {
    bool handled = false;                // the file is dealt with (skipped, linked or copied)
    std::optional<uint8_t> basis;        // else: the delta basis is alt_roots[*basis]
    std::optional<fs::FileAttrs> basis_st;
};

// mirrors rsync generator.c:try_dests_reg for a regular file `name` (whose current state at
// the destination is `st`).
engine::Task<SessionResult<AltDestChoice>> try_dests_reg(RecvContext& ctx, GenState& g,
                                                         const GenItem& item,
                                                         const protocol::FileEntry& e,
                                                         const std::string& name,
                                                         const std::optional<fs::FileAttrs>& st);

// What try_dests_non decided for a directory, symlink, device or special file.
struct AltNonChoice {
    bool handled = false;                 // an exact match: linked (--link-dest) or used as is
    std::optional<fs::FileAttrs> alt_st;  // else: the alternate item that exists (for itemize)
};

// mirrors rsync generator.c:try_dests_non (called when nothing exists at `name`)
engine::Task<AltNonChoice> try_dests_non(RecvContext& ctx, const protocol::FileEntry& e,
                                         const std::string& name);

}  // namespace ursync::roles
