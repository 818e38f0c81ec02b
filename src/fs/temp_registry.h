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

    // Registries list themselves for remove_all_registered_now() while they exist.
    explicit TempFileRegistry(size_t slots = k_slots_default);
    ~TempFileRegistry();
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
    // remove_all_now() on every registry of the process (a local copy has two sessions, a
    // server one), after stopping new temp files (TempCreation) and waiting up to
    // k_creation_wait_ms for those being created. Async-signal-safe: for the SIGINT/SIGTERM/
    // SIGHUP handler, which exits right after.
    static void remove_all_registered_now() noexcept;
    static constexpr int k_creation_wait_ms = 200;

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

// Held around the creation of a registered temp file (on any thread). Once an exit signal came
// allowed() is false: nothing more is created; the handler waits for the creations under way
// so that its unlink pass sees every file they made.
class TempCreation {
public:
    TempCreation();
    ~TempCreation();
    TempCreation(const TempCreation&) = delete;
    TempCreation& operator=(const TempCreation&) = delete;
    bool allowed() const { return allowed_; }

private:
    bool allowed_;
};

}  // namespace ursync::fs
