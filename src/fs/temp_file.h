// TempFile: ".name.XXXXXX" written beside the destination, then renamed over it or removed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/temp_registry.h"

namespace ursync::fs {

// Mode of a temp file while it is written (security.md: 0600 until complete).
inline constexpr mode_t k_temp_file_mode = 0600;

// One temp file. It exists on disk from create() until commit() or discard(), and is registered
// with the session's TempFileRegistry for that whole time. Callers await discard() on their
// error paths. If neither commit() nor discard() ran (an exception, a cancelled task), the
// destructor closes and unlinks it synchronously: the only blocking calls in fs/, and only on
// such abnormal paths. The DirRoot and the registry must outlive the TempFile.
class TempFile {
public:
    // Creates a temp file for `final_rel` in the same directory, with O_CREAT|O_EXCL|O_WRONLY
    // |O_NOFOLLOW and `mode` (mirrors rsync receiver.c:open_tmpfile).
    // With `temp_root` (-T/--temp-dir) the temp file is made at the top of that tree instead
    // and renamed into place across the two trees; on another file system its data and
    // attributes are copied to a temp file beside the destination, which is then renamed
    // (rsync util1.c:robust_rename / copy_file).
    static engine::Task<FsResult<TempFile>> create(DirRoot& root, TempFileRegistry& registry,
                                                   std::string final_rel,
                                                   mode_t mode = k_temp_file_mode,
                                                   DirRoot* temp_root = nullptr);

    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile();

    int fd() const { return fd_; }
    const std::string& temp_rel() const { return temp_rel_; }
    const std::string& final_rel() const { return final_rel_; }
    bool on_disk() const { return !finished_; }

    // Writes all of `data` at `offset` (short writes resumed).
    engine::Task<FsResult<void>> write(std::span<const std::byte> data, uint64_t offset);
    // Optional fsync, close, then rename over the final name in the same directory. On any
    // failure the temp file is removed and the error (naming the final path) returned.
    engine::Task<FsResult<void>> commit(bool fsync = false);
    // Closes and unlinks the temp file. Safe to call more than once.
    engine::Task<FsResult<void>> discard();

private:
    TempFile(DirRoot& root, TempFileRegistry& registry, DirHandle dir, std::string temp_name,
             std::string temp_rel, std::string final_rel, std::string final_name);
    void forget_registration();
    // -T on another file system: copies the temp file beside the destination and renames it.
    engine::Task<engine::SysResult> copy_into_place(int final_dir);

    DirRoot* root_;
    TempFileRegistry* registry_;
    DirHandle dir_;
    std::string temp_name_;   // leaf names in dir_
    std::string final_name_;
    std::string temp_rel_;
    std::string final_rel_;
    int fd_ = -1;
    std::optional<size_t> slot_;
    bool finished_ = false;
    bool elsewhere_ = false;  // made in a --temp-dir, not beside the destination
};

}  // namespace ursync::fs
