// Backups (-b, --backup-dir, --suffix): the old version of a file that is replaced or deleted is
// kept under a backup name instead of vanishing.
#pragma once

#include <memory>
#include <string>

#include "engine/task.h"
#include "fs/beneath.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// Opens (creating it if needed) what -b/--backup-dir asks for; nullptr without backups.
engine::Task<SessionResult<std::unique_ptr<BackupTarget>>> open_backup_target(RecvContext& ctx);

// Moves the existing `rel` (a non-directory) to its backup name before it is replaced or
// deleted. True when nothing stays in the way (no file, or backed up); false when the backup
// failed (reported). mirrors rsync backup.c:make_backup
engine::Task<bool> make_backup(RecvContext& ctx, const std::string& rel);

// Whether `rel` is itself a backup (ends with the suffix): without --backup-dir rsync does not
// back up a backup again. mirrors rsync backup.c:is_backup_file
bool is_backup_name(const RecvContext& ctx, const std::string& rel);

// Before a non-directory in the way of a new symlink, device or special is replaced: its
// backup, when -b asks for one. True when the way is clear to replace it.
// mirrors the make_backups part of rsync generator.c:atomic_create
engine::Task<bool> backup_in_the_way(RecvContext& ctx, const std::string& rel);

}  // namespace ursync::roles
