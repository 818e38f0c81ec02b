// --timeout's keep-alives: while a session runs, every half timeout of output idleness pending
// data is flushed or an empty MSG_DATA frame goes out, so the peer does not time us out.
#pragma once

#include <cstdint>

#include "engine/engine.h"
#include "engine/event.h"
#include "engine/task.h"
#include "session/mux_out.h"

namespace ursync::roles {

class KeepAlive {
  public:
    explicit KeepAlive(engine::Engine& engine) : engine_(engine), exited_(engine) {}
    KeepAlive(const KeepAlive&) = delete;
    KeepAlive& operator=(const KeepAlive&) = delete;

    // Starts the loop on `out` when `timeout_s` is set (rsync sends keep-alives in every role
    // that writes); lulls of half the timeout are filled.
    void start(session::MuxOut& out, int timeout_s);
    // Ends the loop (if it runs) and waits until it has.
    engine::Task<void> stop();

  private:
    engine::Task<void> loop(session::MuxOut& out, uint64_t lull_ms);

    engine::Engine& engine_;
    engine::Event exited_;
    bool running_ = false;
    bool stopping_ = false;
    engine::Op* sleeping_ = nullptr;
};

}  // namespace ursync::roles
