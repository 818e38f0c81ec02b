// The keep-alive loop of a --timeout session.
#include "roles/connect/keep_alive.h"

#include <algorithm>

namespace ursync::roles {

void KeepAlive::start(session::MuxOut& out, int timeout_s) {
    if (timeout_s <= 0) return;
    running_ = true;
    const uint64_t lull_ms = static_cast<uint64_t>(timeout_s) * 1000 / 2;
    engine_.spawn(loop(out, lull_ms));
}

engine::Task<void> KeepAlive::loop(session::MuxOut& out, uint64_t lull_ms) {
    const uint64_t tick_ms = std::max<uint64_t>(lull_ms / 4, 50);
    while (!stopping_) {
        auto nap = engine_.sleep_ms(tick_ms);
        sleeping_ = &nap;
        co_await nap;
        sleeping_ = nullptr;
        if (stopping_) break;
        auto r = co_await out.keep_alive_if_idle(lull_ms);
        if (!r) break;  // the session's own reads and writes report the broken link
    }
    exited_.set();
}

engine::Task<void> KeepAlive::stop() {
    if (!running_) co_return;
    stopping_ = true;
    if (sleeping_) co_await engine_.cancel(*sleeping_);
    co_await exited_;
    running_ = false;
}

}  // namespace ursync::roles
