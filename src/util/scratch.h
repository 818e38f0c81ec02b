// A per-thread scratch buffer for blocking worker jobs (reads of many small files): allocated
// once per thread, never zeroed, grown on demand.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace ursync::util {

// At least `bytes` of this thread's scratch memory. Valid until the next call on this thread.
inline std::span<std::byte> thread_scratch(size_t bytes) {
    thread_local std::unique_ptr<std::byte[]> buf;
    thread_local size_t size = 0;
    if (size < bytes) {
        buf.reset(new std::byte[bytes]);
        size = bytes;
    }
    return {buf.get(), size};
}

}  // namespace ursync::util
