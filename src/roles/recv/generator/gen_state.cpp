// Handing the generator's gathered records to the connection.
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

engine::Task<SessionResult<void>> flush_requests(RecvContext& ctx, GenState& g, bool always) {
    if (g.out.size() == 0 || (!always && g.out.size() < k_generator_batch_bytes))
        co_return SessionResult<void>{};
    auto bytes = g.out.take();
    g.out.clear();
    co_return co_await ctx.s.out.send(bytes);
}

}  // namespace ursync::roles
