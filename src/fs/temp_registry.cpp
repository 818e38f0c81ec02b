// The live-temp-file registry: lock-free slots a signal handler can walk and unlink.
#include "fs/temp_registry.h"

#include <time.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ursync::fs {

namespace {

// Every live registry, for the signal handler: lock-free pointer slots.
constexpr size_t k_registries_max = 16;
std::atomic<TempFileRegistry*> g_registries[k_registries_max];
std::atomic<bool> g_exiting{false};   // an exit signal came
std::atomic<int> g_creating{0};       // TempCreation guards alive

}  // namespace

TempFileRegistry::TempFileRegistry(size_t slots)
    : slots_(std::make_unique<Slot[]>(slots)), count_(slots) {
    for (auto& r : g_registries) {
        TempFileRegistry* none = nullptr;
        if (r.compare_exchange_strong(none, this)) break;
    }
}

TempFileRegistry::~TempFileRegistry() {
    for (auto& r : g_registries) {
        TempFileRegistry* self = this;
        if (r.compare_exchange_strong(self, nullptr)) break;
    }
}

TempCreation::TempCreation() {
    g_creating.fetch_add(1);
    allowed_ = !g_exiting.load();
}

TempCreation::~TempCreation() { g_creating.fetch_sub(1); }

void TempFileRegistry::remove_all_registered_now() noexcept {
    const int saved_errno = errno;
    g_exiting.store(true);
    // A creation under way on another thread ends within a syscall; one interrupted on this
    // thread never will, hence the bound.
    for (int ms = 0; g_creating.load() > 0 && ms < k_creation_wait_ms; ++ms) {
        timespec step{0, 1000 * 1000};
        ::nanosleep(&step, nullptr);
    }
    errno = saved_errno;
    for (auto& r : g_registries) {
        if (TempFileRegistry* reg = r.load(std::memory_order_acquire)) reg->remove_all_now();
    }
}

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
