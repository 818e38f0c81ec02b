// Owner and group ids on the receiving side: the sender's ids mapped to local ones by name
// (unless --numeric-ids) and by --usermap/--groupmap/--chown rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// Parses --usermap and --groupmap (FROM:TO[,FROM:TO...]; FROM a name, a wildcard name, an id
// or an id range low-high; TO a local name or id) into ctx.ids. A malformed map is an
// error (exit 1); an unknown TO name is reported and its rule left out.
// mirrors rsync uidlist.c:parse_name_map
engine::Task<SessionResult<void>> parse_id_maps(RecvContext& ctx);

// Remembers the name the sender gave for an id (id lists or inline names).
void note_id_name(RecvContext& ctx, bool user, uint32_t id, const std::string& name);

// The local id for a sender's id: the first matching map rule, else the local id of the same
// name (never for id 0), else the id itself. Cached. mirrors rsync uidlist.c:recv_add_id / match_uid
engine::Task<uint32_t> map_id(RecvContext& ctx, bool user, uint32_t id);

}  // namespace ursync::roles
