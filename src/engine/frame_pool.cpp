// FramePool implementation: per-thread free lists in 64-byte size classes.
#include "engine/frame_pool.h"

#include <array>
#include <new>

namespace ursync::engine::frame_pool {

namespace {

constexpr size_t k_class_bytes = 64;
constexpr size_t k_classes = k_max_pooled_bytes / k_class_bytes;
// Blocks kept per class (beyond that they go back to malloc): bounds what a thread holds.
constexpr size_t k_kept_per_class = 256;

struct FreeBlock {
    FreeBlock* next;
};

struct Lists {
    std::array<FreeBlock*, k_classes> head{};
    std::array<size_t, k_classes> count{};
    ~Lists() {
        for (size_t c = 0; c < k_classes; ++c) {
            while (head[c]) {
                FreeBlock* b = head[c];
                head[c] = b->next;
                ::operator delete(b);
            }
        }
    }
};

thread_local Lists lists;

// Sanitizers see every frame as its own allocation (a pooled block would hide a use after free).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool k_pooled = false;
#else
constexpr bool k_pooled = true;
#endif

size_t class_of(size_t n) { return (n + k_class_bytes - 1) / k_class_bytes - 1; }

}  // namespace

void* allocate(size_t n) {
    if (!k_pooled || n == 0 || n > k_max_pooled_bytes) return ::operator new(n);
    const size_t c = class_of(n);
    if (FreeBlock* b = lists.head[c]) {
        lists.head[c] = b->next;
        lists.count[c]--;
        return b;
    }
    return ::operator new((c + 1) * k_class_bytes);
}

void release(void* p, size_t n) noexcept {
    if (!k_pooled || n == 0 || n > k_max_pooled_bytes) {
        ::operator delete(p);
        return;
    }
    const size_t c = class_of(n);
    if (lists.count[c] >= k_kept_per_class) {
        ::operator delete(p);
        return;
    }
    auto* b = static_cast<FreeBlock*>(p);
    b->next = lists.head[c];
    lists.head[c] = b;
    lists.count[c]++;
}

}  // namespace ursync::engine::frame_pool
