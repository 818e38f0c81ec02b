// Global operator new for the ursync program: blocks of 4 KiB and more come 64-byte aligned.
//
// Why: the kernel's copy between the page cache (or a socket) and user memory is several times
// slower into or out of a buffer that is not 64-byte aligned on this class of machine (measured:
// 1 GiB read with pread(2) in 256 KiB pieces, 0.08 s into an aligned buffer, 0.40 s at an
// offset of 16 bytes, which is where malloc puts a large block). Every file and socket buffer
// here is a std::vector<std::byte> or a new[]; aligning the large ones at the source keeps all
// of them on the fast path without a buffer type of their own. Small blocks keep malloc's.
// Not under the sanitizers, which provide operator new themselves.
#include <cstddef>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

namespace {

constexpr std::size_t k_aligned_from_bytes = 4096;
constexpr std::size_t k_alignment = 64;

void* allocate(std::size_t n) {
    void* p = nullptr;
    if (n >= k_aligned_from_bytes) {
        p = std::aligned_alloc(k_alignment, (n + k_alignment - 1) / k_alignment * k_alignment);
    } else {
        p = std::malloc(n == 0 ? 1 : n);
    }
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return allocate(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return allocate(n);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

#endif
