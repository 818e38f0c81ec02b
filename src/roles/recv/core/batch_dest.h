// What the two batched writers of the receiving side share (the local copier's kernel-side
// copies and the receiver's small files from memory, both through fs/copy_job.h): the
// destination half of a copy item, the worker job that runs a batch, and the report of a copy
// that could not be put in place.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/copy_job.h"
#include "fs/dir_cache.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// What a queued copy holds on to until its batch ends.
struct BatchDest {
    fs::DirHandle dir;                  // its destination directory, open while the batch runs
    std::optional<size_t> temp_slot;    // its temp name in the session's TempFileRegistry
};

// Fills the destination half of `item` for `name` (directory resolved and cached on this
// thread, confined as every other access; a fresh ".name.XXXXXX" temp name, registered before
// the file exists so that a signal handler coming later finds it). False when it cannot be
// done here (the caller takes another path).
engine::Task<bool> prepare_batch_dest(RecvContext& ctx, const std::string& name,
                                      fs::CopyItem& item, BatchDest& dest);

// Runs `items` in one worker job; each destination directory is checked to be still in place
// before (and after) the batch's copies go into it.
engine::Task<void> run_batch_job(RecvContext& ctx, std::vector<fs::CopyItem>& items);

// Reports a copy that stopped at CopyStage::rename: rsync's rename error line; a directory that
// moved away is forgotten, so what comes later for it is resolved afresh (and fails as rsync's
// would: the directory is not there).
void report_batch_rename(RecvContext& ctx, const fs::CopyItem& item, const std::string& name);

}  // namespace ursync::roles
