// The destination half of batched copies (see batch_dest.h).
#include "roles/recv/core/batch_dest.h"

#include <span>

#include "fs/temp_name.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_attrs.h"

namespace ursync::roles {

namespace {

std::string leaf_of(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

// "dir" of "dir/name" ("" for a name at the top).
std::string dir_of_rel(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

}  // namespace

engine::Task<bool> prepare_batch_dest(RecvContext& ctx, const std::string& name,
                                      fs::CopyItem& item, BatchDest& dest) {
    auto leaf = co_await ctx.root->leaf(name, "mkstemp");
    if (!leaf) co_return false;
    auto temp = fs::temp_name_template(name);
    if (!temp) co_return false;
    std::string temp_leaf = leaf_of(*temp);
    fs::fill_temp_suffix(temp_leaf, ctx.root->random_u64());
    auto slot = ctx.temps.add(leaf->dir->get(), temp_leaf);
    if (!slot) co_return false;
    item.dst_dir = leaf->dir->get();
    item.dst_rel_dir = dir_of_rel(name);
    item.temp_name = std::move(temp_leaf);
    item.final_name = std::move(leaf->name);
    dest.dir = std::move(leaf->dir);
    dest.temp_slot = slot;
    co_return true;
}

engine::Task<void> run_batch_job(RecvContext& ctx, std::vector<fs::CopyItem>& items) {
    const std::span<fs::CopyItem> view(items);
    const fs::CopyRoot root{ctx.root->fd(), ctx.root->uses_openat2()};
    auto job = [view, root] {
        fs::run_copy_job(view, root);
        return 0;
    };
    co_await ctx.s.engine.offload(job);
}

void report_batch_rename(RecvContext& ctx, const fs::CopyItem& item, const std::string& name) {
    if (item.dir_moved) ctx.root->forget(item.dst_rel_dir);
    const std::string dir = item.dst_rel_dir.empty() ? std::string() : item.dst_rel_dir + "/";
    report_xfer_error(ctx, "rename \"" + dir + item.temp_name + "\" -> \"" + name +
                               "\": " + errno_text(item.err));
}

}  // namespace ursync::roles
