// The receiver's own state across files and phases (rsync's statics of receiver.c). Owned by
// run_receiver; every receiver file takes it beside the shared RecvContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "protocol/token_zstd.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/receiver/recv_batch.h"
#include "roles/recv/core/wakeup.h"

namespace ursync::roles {

// --delay-updates: a file waiting in its partial dir for the end of phase 1.
struct DelayedUpdate {
    std::string partial;
    std::string final_path;
    int32_t ndx = 0;
};

struct ReceiverState {
    explicit ReceiverState(RecvContext& ctx) : finish_progress(ctx.s.engine), batches(ctx) {}

    size_t current_seg = 0;  // segment of the last record read (rsync's cur_flist)
    int phase = 0;
    std::vector<DelayedUpdate> delayed_updates;
    int finishing = 0;       // verified files still being put in place (in the background)
    Wakeup finish_progress;  // a background finish ended
    std::unique_ptr<protocol::ZstdTokenDecoder> zstd;  // -zz: one decoder for the session
    RecvBatcher batches;  // small verified files put in place by worker jobs
};

}  // namespace ursync::roles
