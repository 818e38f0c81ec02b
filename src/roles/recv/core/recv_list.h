// --list-only on the receiving side: the generator prints each entry like `ls -l` instead of
// asking for it.
#pragma once

#include "protocol/file_entry.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// One listing line ("drwxr-xr-x          4,096 2024/01/02 03:04:05 name").
// mirrors rsync generator.c:list_file_entry
void list_file_entry(RecvContext& ctx, const protocol::FileEntry& e);

}  // namespace ursync::roles
