// Temp files: created O_EXCL beside the destination, committed by rename, never left behind.
#include "fs/temp_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "engine/io_helpers.h"
#include "fs/rel_path.h"
#include "fs/copy_job.h"
#include "fs/metadata.h"
#include "fs/temp_name.h"

namespace ursync::fs {

using engine::SysResult;
using engine::Task;

namespace {
constexpr int k_create_flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
}  // namespace

TempFile::TempFile(DirRoot& root, TempFileRegistry& registry, DirHandle dir,
                   std::string temp_name, std::string temp_rel, std::string final_rel,
                   std::string final_name)
    : root_(&root), registry_(&registry), dir_(std::move(dir)), temp_name_(std::move(temp_name)),
      final_name_(std::move(final_name)), temp_rel_(std::move(temp_rel)),
      final_rel_(std::move(final_rel)) {}

TempFile::TempFile(TempFile&& other) noexcept
    : root_(other.root_), registry_(other.registry_), dir_(std::move(other.dir_)),
      temp_name_(std::move(other.temp_name_)), final_name_(std::move(other.final_name_)),
      temp_rel_(std::move(other.temp_rel_)), final_rel_(std::move(other.final_rel_)),
      fd_(std::exchange(other.fd_, -1)), slot_(std::exchange(other.slot_, std::nullopt)),
      finished_(std::exchange(other.finished_, true)), elsewhere_(other.elsewhere_) {}

TempFile::~TempFile() {
    if (finished_) return;
    // Last resort for abnormal paths (see the class comment): blocking, but bounded to one
    // close and one unlink.
    if (fd_ >= 0) ::close(fd_);
    if (dir_) ::unlinkat(dir_->get(), temp_name_.c_str(), 0);
    forget_registration();
}

void TempFile::forget_registration() {
    if (slot_) registry_->remove(*slot_);
    slot_.reset();
}

Task<FsResult<TempFile>> TempFile::create(DirRoot& root, TempFileRegistry& registry,
                                          std::string final_rel, mode_t mode,
                                          DirRoot* temp_root) {
    auto leaf = co_await root.leaf(final_rel, "mkstemp");
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    // In a --temp-dir the name is the leaf's (".name.XXXXXX" at the top of that tree).
    std::string leaf_name(split_parent_leaf(final_rel).leaf);
    auto temp_rel = temp_name_template(temp_root ? leaf_name : final_rel);
    if (!temp_rel) co_return Unexpected{sys_error("mkstemp", final_rel, ENAMETOOLONG)};
    size_t name_at = temp_rel->size() - split_parent_leaf(*temp_rel).leaf.size();
    DirHandle temp_dir = leaf->dir;
    if (temp_root) {
        auto top = co_await temp_root->leaf(*temp_rel, "mkstemp");
        if (!top) co_return Unexpected{std::move(top).error()};
        temp_dir = top->dir;
    }
    int dir_fd = temp_dir->get();
    for (int attempt = 0; attempt < k_temp_name_attempts_max; ++attempt) {
        fill_temp_suffix(*temp_rel, root.random_u64());
        std::string name = temp_rel->substr(name_at);
        // Registered before it exists, so no moment passes with an unregistered file on disk.
        auto slot = registry.add(dir_fd, name);
        if (!slot) co_return Unexpected{sys_error("mkstemp", final_rel, ENFILE)};
        TempCreation creation;
        if (!creation.allowed()) {  // the process is exiting on a signal
            registry.remove(*slot);
            co_return Unexpected{sys_error("mkstemp", final_rel, EINTR)};
        }
        SysResult r = co_await root.engine().openat(dir_fd, name.c_str(), k_create_flags, mode);
        if (r) {
            TempFile file(root, registry, temp_dir, std::move(name), *temp_rel,
                          std::move(final_rel), std::move(leaf->name));
            file.fd_ = static_cast<int>(r.value());
            file.slot_ = slot;
            file.elsewhere_ = temp_root != nullptr;
            co_return std::move(file);
        }
        registry.remove(*slot);
        if (r.err() != EEXIST) co_return Unexpected{sys_error("mkstemp", *temp_rel, r.err())};
    }
    co_return Unexpected{sys_error("mkstemp", final_rel, EEXIST)};
}

Task<FsResult<void>> TempFile::write(std::span<const std::byte> data, uint64_t offset) {
    if (finished_) co_return Unexpected{sys_error("write", final_rel_, EBADF)};
    SysResult r = co_await engine::write_all(root_->engine(), fd_, data, offset);
    if (!r) co_return Unexpected{sys_error("write", final_rel_, r.err())};
    co_return FsResult<void>{};
}

Task<FsResult<void>> TempFile::commit(bool fsync) {
    if (finished_) co_return Unexpected{sys_error("rename", final_rel_, EBADF)};
    engine::Engine& engine = root_->engine();
    const char* failed_op = nullptr;
    int err = 0;
    if (fsync) {
        SysResult r = co_await engine.fsync(fd_);
        if (!r) {
            failed_op = "fsync";
            err = r.err();
        }
    }
    if (err == 0) {
        SysResult r = co_await engine.close(std::exchange(fd_, -1));
        if (!r) {
            failed_op = "close";
            err = r.err();
        }
    }
    if (err == 0) {
        // Into the directory that is at the final name's place now: if the one the temp file
        // was made in was moved away (or replaced), the temp file is not there and the rename
        // fails (ENOENT), as rsync's would by path; nothing is put in place outside the tree.
        std::string parent(split_parent_leaf(final_rel_).parent);
        auto now = co_await root_->dir_now(parent, "rename");
        SysResult r = SysResult::from_raw(0);
        if (now && elsewhere_) {
            r = co_await engine.renameat(dir_->get(), temp_name_.c_str(), (*now)->get(),
                                         final_name_.c_str());
            if (!r && r.err() == EXDEV) r = co_await copy_into_place((*now)->get());
        } else if (now) {
            r = co_await engine.renameat((*now)->get(), temp_name_.c_str(), (*now)->get(),
                                         final_name_.c_str());
        } else {
            r = SysResult::from_errno(now.error().err);
        }
        if (!r) {
            failed_op = "rename";
            err = r.err();
        }
    }
    if (err != 0) {
        // The rename error is the one to report; a failing unlink here adds nothing to it.
        (void)co_await discard();
        co_return Unexpected{sys_error(failed_op, final_rel_, err)};
    }
    root_->forget(final_rel_);
    forget_registration();
    finished_ = true;
    co_return FsResult<void>{};
}

Task<engine::SysResult> TempFile::copy_into_place(int final_dir) {
    // The copy gets a temp name of its own beside the destination, registered like the first.
    auto copy_name = temp_name_template(final_name_);
    if (!copy_name) co_return SysResult::from_errno(ENAMETOOLONG);
    fill_temp_suffix(*copy_name, root_->random_u64());
    auto slot = registry_->add(final_dir, *copy_name);
    if (!slot) co_return SysResult::from_errno(ENFILE);
    const int from_dir = dir_->get();
    const std::string from = temp_name_;
    const std::string to = *copy_name;
    const std::string final_name = final_name_;
    int err = 0;
    auto job = [&] {
        const int in = ::openat(from_dir, from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0) {
            err = errno;
            return;
        }
        struct statx stx {};
        const int out = ::openat(final_dir, to.c_str(), k_create_flags, k_temp_file_mode);
        if (out < 0 || ::statx(in, "", AT_EMPTY_PATH, k_statx_mask, &stx) != 0) {
            err = errno;
        } else if (const int64_t n = copy_fd_data(in, out, -1); n < 0) {
            err = static_cast<int>(-n);
        } else {
            // The attributes the first temp file was given (mode, owner, times) go with it.
            const FileAttrs want = attrs_from_statx(stx);
            struct statx now {};
            FileAttrs current = want;
            if (::statx(out, "", AT_EMPTY_PATH, k_statx_mask, &now) == 0)
                current = attrs_from_statx(now);
            PreserveAttrs all;
            all.perms = all.owner = all.group = all.mtime = all.atime = true;
            all.modify_window_sec = -1;
            const AttrOutcome set = apply_attrs_now(out, -1, nullptr, want, current, all);
            if (set.err != 0 && set.err != EPERM) err = set.err;
        }
        if (out >= 0 && ::close(out) != 0 && err == 0) err = errno;
        ::close(in);
        if (err == 0 && ::renameat(final_dir, to.c_str(), final_dir, final_name.c_str()) != 0)
            err = errno;
        if (err != 0 && out >= 0) ::unlinkat(final_dir, to.c_str(), 0);
        if (err == 0) ::unlinkat(from_dir, from.c_str(), 0);
    };
    co_await root_->engine().offload(job);
    registry_->remove(*slot);
    co_return err == 0 ? SysResult::from_raw(0) : SysResult::from_errno(err);
}

Task<FsResult<void>> TempFile::discard() {
    if (finished_) co_return FsResult<void>{};
    engine::Engine& engine = root_->engine();
    if (fd_ >= 0) co_await engine.close(std::exchange(fd_, -1));
    SysResult r = co_await engine.unlinkat(dir_->get(), temp_name_.c_str(), 0);
    forget_registration();
    finished_ = true;
    if (!r && r.err() != ENOENT) co_return Unexpected{sys_error("unlink", temp_rel_, r.err())};
    co_return FsResult<void>{};
}

}  // namespace ursync::fs
