// Creation of non-regular items with rsync's replace-by-rename, and removal of what is in the way.
#include "fs/special.h"

#include <sys/sysmacros.h>

#include <utility>

#include "fs/rel_path.h"
#include "fs/scan.h"
#include "fs/temp_name.h"

namespace ursync::fs {

using engine::Task;

namespace {

enum class ItemKind { symlink, hard_link, node };

struct ItemSpec {
    ItemKind kind;
    std::string target;  // symlink target, or the existing path for a hard link
    uint32_t mode = 0;
    dev_t dev = 0;
};

Task<FsResult<void>> create_item(DirRoot& root, const ItemSpec& spec, const std::string& rel) {
    switch (spec.kind) {
        case ItemKind::symlink: co_return co_await root.symlink(spec.target, rel);
        case ItemKind::hard_link: co_return co_await root.link(spec.target, rel);
        case ItemKind::node: co_return co_await root.mknod(rel, spec.mode, spec.dev);
    }
    co_return Unexpected{sys_error("create", rel, EINVAL)};
}

// mirrors rsync generator.c:atomic_create: straight create, or temp name + rename over.
// (The spec travels as plain parameters: g++ 12 miscopies an aggregate prvalue holding a
// std::string into a coroutine frame.)
Task<FsResult<void>> put_item(DirRoot& root, std::string rel, ItemKind kind, std::string target,
                              uint32_t mode, dev_t dev) {
    ItemSpec spec{kind, std::move(target), mode, dev};
    auto made = co_await create_item(root, spec, rel);
    if (made || made.error().err != EEXIST) co_return made;
    auto temp_rel = temp_name_template(rel);
    if (!temp_rel) co_return Unexpected{sys_error("create", rel, ENAMETOOLONG)};
    for (int attempt = 0; attempt < k_temp_name_attempts_max; ++attempt) {
        fill_temp_suffix(*temp_rel, root.random_u64());
        made = co_await create_item(root, spec, *temp_rel);
        if (made) break;
        if (made.error().err != EEXIST) co_return made;
    }
    if (!made) co_return made;
    auto renamed = co_await root.rename(*temp_rel, rel);
    // A hard link renamed over another link to the same inode is a no-op that leaves the
    // temporary name in place; so is any failed rename. Either way the temp name goes.
    if (!renamed || spec.kind == ItemKind::hard_link) {
        auto removed = co_await root.unlink(*temp_rel);
        (void)removed;  // ENOENT after a successful rename is the normal case
    }
    co_return renamed;
}

}  // namespace

Task<FsResult<bool>> make_directory(DirRoot& root, std::string rel, mode_t mode) {
    if (is_root_rel(rel)) co_return false;
    auto made = co_await root.mkdir(rel, mode);
    if (made) co_return true;
    if (made.error().err != EEXIST) co_return Unexpected{std::move(made).error()};
    auto there = co_await root.stat(rel);
    if (there && there->is_dir()) co_return false;
    co_return Unexpected{std::move(made).error()};
}

Task<FsResult<void>> make_symlink(DirRoot& root, std::string rel, std::string target) {
    co_return co_await put_item(root, std::move(rel), ItemKind::symlink, std::move(target), 0, 0);
}

Task<FsResult<void>> make_hard_link(DirRoot& root, std::string existing_rel, std::string rel) {
    co_return co_await put_item(root, std::move(rel), ItemKind::hard_link,
                                std::move(existing_rel), 0, 0);
}

Task<FsResult<void>> make_node(DirRoot& root, std::string rel, uint32_t mode, uint32_t rdev_major,
                               uint32_t rdev_minor) {
    FileType type = file_type_of(mode);
    if (type != FileType::fifo && type != FileType::socket && type != FileType::char_device &&
        type != FileType::block_device)
        co_return Unexpected{sys_error("mknod", rel, EINVAL)};
    co_return co_await put_item(root, std::move(rel), ItemKind::node, std::string(), mode,
                                makedev(rdev_major, rdev_minor));
}

Task<FsResult<bool>> clear_for_type(DirRoot& root, std::string rel, FileType wanted, bool force) {
    auto there = co_await root.stat(rel);
    if (!there) {
        if (there.error().not_found()) co_return false;
        co_return Unexpected{std::move(there).error()};
    }
    if (there->type == wanted) co_return false;
    if (wanted == FileType::directory) {
        auto gone = co_await root.unlink(rel);
        if (!gone) co_return Unexpected{std::move(gone).error()};
        co_return true;
    }
    if (!there->is_dir()) co_return false;
    auto gone = co_await root.rmdir(rel);
    if (gone) co_return true;
    int err = gone.error().err;
    if (err != ENOTEMPTY && err != EEXIST) co_return Unexpected{std::move(gone).error()};
    if (!force) co_return Unexpected{sys_error("delete non-empty directory", rel, ENOTEMPTY)};
    auto tree_gone = co_await remove_tree(root, rel);
    if (!tree_gone) co_return Unexpected{std::move(tree_gone).error()};
    co_return true;
}

Task<FsResult<void>> remove_tree(DirRoot& root, std::string rel) {
    auto there = co_await root.stat(rel);
    if (!there) {
        if (there.error().not_found()) co_return FsResult<void>{};
        co_return Unexpected{std::move(there).error()};
    }
    if (!there->is_dir()) {
        auto gone = co_await root.unlink(rel);
        if (!gone && !gone.error().not_found()) co_return gone;
        co_return FsResult<void>{};
    }
    auto entries = co_await scan_dir(root, rel);
    if (!entries) co_return Unexpected{std::move(entries).error()};
    for (DirEntry& entry : *entries) {
        std::string child = join_rel(rel, entry.name);
        if (!entry.attrs) {
            if (entry.attrs.error().not_found()) continue;
            co_return Unexpected{std::move(entry.attrs).error()};
        }
        // Two statements, not `?:` around two co_awaits, which g++ 12 miscompiles.
        FsResult<void> gone;
        if (entry.attrs->is_dir()) {
            gone = co_await remove_tree(root, child);
        } else {
            gone = co_await root.unlink(child);
        }
        if (!gone && !gone.error().not_found()) co_return gone;
    }
    auto gone = co_await root.rmdir(rel);
    if (!gone && !gone.error().not_found()) co_return gone;
    co_return FsResult<void>{};
}

}  // namespace ursync::fs
