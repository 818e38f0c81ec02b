// The live-temp-file registry: lock-free slots a signal handler can walk and unlink.
#include "fs/temp_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ursync::fs {

TempFileRegistry::TempFileRegistry(size_t slots)
    : slots_(std::make_unique<Slot[]>(slots)), count_(slots) {}

std::optional<size_t> TempFileRegistry::add(int dir_fd, std::string_view name) {
    if (name.empty() || name.size() > k_name_bytes_max) return std::nullopt;
    for (size_t n = 0; n < count_; ++n) {
        size_t i = (hint_ + n) % count_;
        int expected = k_free;
        if (!slots_[i].state.compare_exchange_strong(expected, k_filling)) continue;
        slots_[i].dir_fd = dir_fd;
        std::memcpy(slots_[i].name, name.data(), name.size());
        slots_[i].name[name.size()] = '\0';
        slots_[i].state.store(k_live, std::memory_order_release);
        hint_ = (i + 1) % count_;
        return i;
    }
    return std::nullopt;
}

void TempFileRegistry::remove(size_t slot) {
    if (slot >= count_) return;
    int expected = k_live;
    // Fails only if remove_all_now() took the slot: it then stays retired.
    slots_[slot].state.compare_exchange_strong(expected, k_free);
}

void TempFileRegistry::remove_all_now() noexcept {
    int saved_errno = errno;  // a signal handler must leave errno as it found it
    for (size_t i = 0; i < count_; ++i) {
        int expected = k_live;
        if (!slots_[i].state.compare_exchange_strong(expected, k_retired,
                                                     std::memory_order_acquire))
            continue;
        ::unlinkat(slots_[i].dir_fd, slots_[i].name, 0);
    }
    errno = saved_errno;
}

size_t TempFileRegistry::live_count() const {
    size_t live = 0;
    for (size_t i = 0; i < count_; ++i)
        if (slots_[i].state.load() == k_live) ++live;
    return live;
}

}  // namespace ursync::fs
