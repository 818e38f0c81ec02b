// FramePool: where coroutine frames come from. Every Task's frame is allocated when the
// coroutine is called and freed when it ends, per file and per entry on the hot paths; a
// per-thread free list by size class turns most of those into a pointer swap instead of a trip
// through malloc's bins (frames are often larger than its per-thread cache takes).
#pragma once

#include <cstddef>

namespace ursync::engine::frame_pool {

// Sizes above this go to ::operator new directly.
inline constexpr size_t k_max_pooled_bytes = 16 * 1024;

void* allocate(size_t n);
void release(void* p, size_t n) noexcept;

}  // namespace ursync::engine::frame_pool
