// TempFileRegistry: the session's list of live temp files, removable from a signal handler.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "fs/temp_name.h"

namespace ursync::fs {

// Owned by the session. Every TempFile registers its parent directory fd and name here for as
// long as it exists on disk, so that SIGINT/SIGTERM handling can unlink them all with
// remove_all_now(). Slots are preallocated; nothing here allocates after construction.
class TempFileRegistry {
public:
    static constexpr size_t k_slots_default = 1024;  // temp files alive at once, at most

    explicit TempFileRegistry(size_t slots = k_slots_default);
    TempFileRegistry(const TempFileRegistry&) = delete;
    TempFileRegistry& operator=(const TempFileRegistry&) = delete;

    // Records a temp file (the fd must stay open while registered); nullopt when every slot is
    // taken or the name does not fit.
    std::optional<size_t> add(int dir_fd, std::string_view name);
    // Forgets a slot (after its file was renamed or unlinked).
    void remove(size_t slot);
    // Unlinks every registered file now. Async-signal-safe: lock-free atomics and unlinkat(2)
    // only. Each slot it empties stays retired, so call it only when the session is ending.
    void remove_all_now() noexcept;
    size_t live_count() const;

private:
    enum State : int { k_free = 0, k_filling = 1, k_live = 2, k_retired = 3 };
    struct Slot {
        std::atomic<int> state{k_free};
        int dir_fd = -1;
        char name[k_name_bytes_max + 1] = {};
    };
    static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need lock-free atomics");

    std::unique_ptr<Slot[]> slots_;
    size_t count_;
    size_t hint_ = 0;  // where add() starts looking
};

}  // namespace ursync::fs
