// The sender's file list, part 2: directory scans, entries (filters, -x, ids, -c), segments.
#include "roles/send/flist_build.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/rel_path.h"
#include "fs/scan.h"
#include "roles/common/file_hash.h"
#include "roles/send/flist_build_io.h"
#include "roles/send/send_messages.h"
#include "roles/send/send_yield.h"

namespace ursync::roles {

using session::SessionError;
using session::SessionResult;

engine::Task<SessionResult<void>> FlistBuilder::list_contents(const BuiltEntry& dir,
                                                              std::vector<BuiltEntry>& out) {
    const uint32_t root = dir.info.root;
    if (dir.info.content_dir) {
        auto r = co_await scan_into(root, dir.entry.name, dir.info.parent_merged, false,
                                    dir.info.dev, out);
        if (!r) co_return r;
    }
    // -R: the paths deferred into this directory. mirrors the relname part of rsync send1extra
    last_implied_.clear();
    last_implied_entry_.reset();
    for (const RelName& rel : dir.info.relnames) {
        const std::string full = dir.entry.name + "/" + rel.rest;
        const size_t slash = rel.rest.find('/');
        if (slash != std::string::npos) {
            const size_t start = dir.entry.name.size() + 1;
            std::optional<RelName> rest = RelName{rel.rest.substr(slash + 1), rel.type};
            auto r = co_await implied_dirs(root, full, start, start + slash, std::move(rest), out);
            if (!r) co_return r;
            continue;
        }
        auto st = co_await roots_[root].root->stat(full, rel.type != SourceNameType::normal);
        if (!st) {
            const fs::FsError& e = st.error();
            if (e.not_found()) {
                report("directory has vanished: " + full_name(root, full), k_ioerr_vanished, false);
            } else {
                report(std::string(k_sender_sys_prefix) + "link_stat " + full_name(root, full) +
                           " failed: " + errno_text(e.err),
                       k_ioerr_general, true);
            }
            continue;
        }
        auto made = co_await make_entry(root, full, *st, true, true, true,
                                        dir.info.parent_merged.get(), st->dev);
        if (!made) co_return Unexpected{std::move(made).error()};
        if (!*made) continue;
        const size_t pos = out.size();
        out.push_back(std::move(**made));
        if (out.back().entry.is_regular()) co_await fill_checksums(root, out, pos);
    }
    co_return SessionResult<void>{};
}

// mirrors rsync flist.c:send_directory (and send_if_directory for the recursion)
engine::Task<SessionResult<void>> FlistBuilder::scan_into(
    uint32_t root, std::string dir_rel, std::shared_ptr<const DirMergeRules> parent, bool recursive,
    uint64_t dev, std::vector<BuiltEntry>& out) {
    std::shared_ptr<const DirMergeRules> merged;
    if (has_merges_) {
        auto layer = co_await read_merge_layer(root, dir_rel, parent.get());
        if (!layer) co_return Unexpected{std::move(layer).error()};
        merged = std::move(*layer);
    }
    ScannedDir scanned = co_await scanner_.take(*roots_[root].root, root, dir_rel);
    auto& listing = scanned.entries;
    if (!listing) {
        const fs::FsError& e = listing.error();
        if (e.not_found()) {
            report("directory has vanished: " + full_name(root, dir_rel), k_ioerr_vanished, false);
        } else {
            report(std::string(k_sender_sys_prefix) + "opendir " + full_name(root, dir_rel) +
                       " failed: " + errno_text(e.err),
                   k_ioerr_general, true);
        }
        co_return SessionResult<void>{};
    }
    const size_t start = out.size();
    PeriodicYield guard(s_.engine);
    const size_t digest_len = protocol::digest_len(s_.params.file_checksum);
    for (size_t k = 0; k < listing->size(); ++k) {
        co_await guard.tick();
        fs::DirEntry& d = (*listing)[k];
        std::string rel = fs::join_rel(dir_rel, d.name);
        if (rel.size() > protocol::k_name_len_max) {
            report("skipping overly long name: " + rel, k_ioerr_general, true);
            continue;
        }
        if (!d.attrs) {
            if (filters_.excluded(rel, false, FilterSide::sender, merged.get()) ||
                filters_.excluded(rel, true, FilterSide::sender, merged.get()))
                continue;
            const fs::FsError& e = d.attrs.error();
            if (e.not_found()) {
                report("file has vanished: " + full_name(root, rel), k_ioerr_vanished, false);
            } else {
                report(std::string(k_sender_sys_prefix) + "readlink_stat(" + full_name(root, rel) +
                           ") failed: " + errno_text(e.err),
                       k_ioerr_general, true);
            }
            continue;
        }
        auto made = co_await make_entry(root, rel, *d.attrs, s_.options.recursive, false, true,
                                        merged.get(), dev);
        if (!made) co_return Unexpected{std::move(made).error()};
        if (!*made) continue;
        (*made)->info.parent_merged = merged;
        out.push_back(std::move(**made));
        // -c: the sum taken with the scan (a file that could not be read: all zero, as rsync).
        if (!scanned.sums.empty() && out.back().entry.is_regular()) {
            protocol::Digest& sum = out.back().entry.checksum;
            sum = scanned.sums[k].value_or(protocol::Digest{});
            sum.len = digest_len;
        }
        if (!scanned.xattrs.empty()) {
            out.back().xattrs = std::make_unique<fs::XattrPairs>(std::move(scanned.xattrs[k]));
            out.back().xattr_err = scanned.xattr_errs[k];
        }
    }
    co_await fill_checksums(root, out, start);
    if (recursive) {
        const size_t end = out.size();
        for (size_t i = start; i < end; ++i) {
            if (!out[i].entry.is_dir() || !out[i].info.content_dir) continue;
            for (size_t j = i + 1; j < end; ++j) {  // the next one is listed meanwhile
                if (!out[j].entry.is_dir() || !out[j].info.content_dir) continue;
                co_await scan_ahead(out[j]);
                break;
            }
            std::string sub = out[i].entry.name;
            auto r = co_await scan_into(root, std::move(sub), merged, true, dev, out);
            if (!r) co_return r;
        }
    }
    co_return SessionResult<void>{};
}

// mirrors rsync flist.c:make_file (and the symlink checks of send_file_name)
engine::Task<SessionResult<std::optional<BuiltEntry>>> FlistBuilder::make_entry(
    uint32_t root, std::string rel, const fs::FileAttrs& attrs, bool content_dir, bool top_dir,
    bool filtered, const DirMergeRules* merged, uint64_t filesystem_dev) {
    const cli::Options& o = s_.options;
    const bool is_dir = attrs.is_dir();
    using Result = std::optional<BuiltEntry>;
    if (attrs.mode == 0) {
        report("skipping file with bogus (zero) st_mode: " + full_name(root, rel), k_ioerr_general,
               false);
        co_return Result{};
    }
    if (filtered) {
        if (is_dir) {
            if (!o.dirs) {
                s_.output.info("skipping directory " + rel + "\n");
                co_return Result{};
            }
            if (o.one_file_system && attrs.dev != filesystem_dev && content_dir && !top_dir) {
                if (o.one_file_system_level > 1) co_return Result{};
                content_dir = false;  // a mount point: listed, not descended into
            }
        } else {
            content_dir = false;
        }
        if (filters_.excluded(rel, is_dir, FilterSide::sender, merged)) co_return Result{};
    } else if (!is_dir) {
        content_dir = false;
    }

    BuiltEntry b;
    protocol::FileEntry& e = b.entry;
    e.name = std::move(rel);
    e.mode = attrs.mode;
    // mirrors rsync flist.c:make_file's caller (--chmod on what the sender lists)
    if (chmod_ && !attrs.is_symlink() && e.mode != 0) e.mode = chmod_->apply(e.mode);
    e.mtime_sec = attrs.mtime_sec;
    e.mtime_nsec = attrs.mtime_nsec <= protocol::k_mtime_nsec_max ? attrs.mtime_nsec : 0;
    if (s_.params.protocol < 31) e.mtime_nsec = 0;
    e.size = static_cast<int64_t>(attrs.size);
    if (attrs.is_symlink()) {
        auto target = co_await roots_[root].root->readlink(e.name);
        if (!target) {
            const fs::FsError& err = target.error();
            if (err.not_found()) {
                report("file has vanished: " + full_name(root, e.name), k_ioerr_vanished, false);
            } else {
                report(std::string(k_sender_sys_prefix) + "readlink_stat(" +
                           full_name(root, e.name) + ") failed: " + errno_text(err.err),
                       k_ioerr_general, true);
            }
            co_return Result{};
        }
        e.size = static_cast<int64_t>(target->size());
        if (o.links && target->empty()) {
            report("skipping symlink with 0-length value: " + full_name(root, e.name),
                   k_ioerr_general, true);
            co_return Result{};
        }
        if (o.links) e.symlink_target = std::move(*target);
    } else if (attrs.is_device()) {
        e.rdev_major = attrs.rdev_major;
        e.rdev_minor = attrs.rdev_minor;
        e.size = 0;
    } else if (!attrs.is_regular() && !is_dir) {
        e.size = 0;  // fifos and sockets
    }
    if (o.owner) e.uid = attrs.uid;
    if (o.group) e.gid = attrs.gid;
    if (o.atimes > 0 && !is_dir) e.atime_sec = attrs.atime_sec;
    if (o.crtimes) e.crtime_sec = attrs.mtime_sec;  // no birth time from fs::FileAttrs
    if (is_dir) {
        e.top_dir = content_dir && top_dir;
        e.no_content_dir = !content_dir;
    }
    co_await fill_ids(e);
    b.info.root = root;
    b.info.content_dir = is_dir && content_dir;
    b.info.dev = attrs.dev;
    b.info.ino = attrs.ino;
    b.info.nlink = attrs.nlink;
    co_return Result{std::move(b)};
}

engine::Task<std::string> FlistBuilder::user0_name() {
    co_return (co_await ids_.user_name_of(0)).value_or("");
}

engine::Task<std::string> FlistBuilder::group0_name() {
    co_return (co_await ids_.group_name_of(0)).value_or("");
}

engine::Task<void> FlistBuilder::scan_ahead(const BuiltEntry& dir) {
    if (!dir.info.content_dir || !dir.entry.is_dir()) co_return;
    co_await scanner_.start(*roots_[dir.info.root].root, dir.info.root, dir.entry.name);
}

engine::Task<void> FlistBuilder::fill_ids(protocol::FileEntry& e) {
    const cli::Options& o = s_.options;
    if (o.numeric_ids) co_return;
    if (o.owner) e.user_name = co_await ids_.user_name_of(e.uid);
    if (o.group) e.group_name = co_await ids_.group_name_of(e.gid);
}

engine::Task<void> FlistBuilder::fill_checksums(uint32_t root, std::vector<BuiltEntry>& out,
                                                size_t from) {
    if (!s_.options.checksum) co_return;
    const size_t len = protocol::digest_len(s_.params.file_checksum);
    std::vector<FileToHash> jobs;
    for (size_t i = from; i < out.size(); ++i) {
        if (!out[i].entry.is_regular() || out[i].entry.checksum.len != 0) continue;  // hashed
        jobs.push_back(FileToHash{out[i].entry.name, &out[i].entry.checksum});
    }
    co_await hash_files(s_.engine, *roots_[root].root, s_.params.file_checksum, jobs);
    for (size_t i = from; i < out.size(); ++i)
        if (out[i].entry.is_regular()) out[i].entry.checksum.len = len;
}

engine::Task<SessionResult<std::shared_ptr<const DirMergeRules>>> FlistBuilder::read_merge_layer(
    uint32_t root, const std::string& dir_rel, const DirMergeRules* parent) {
    std::vector<std::optional<std::string>> texts;
    for (const auto& name : filters_.dir_merge_files()) {
        std::string rel = fs::join_rel(dir_rel, name);
        texts.push_back(co_await read_small_file(*roots_[root].root, std::move(rel)));
    }
    auto layer = filters_.merge_layer(parent, texts, dir_rel);
    if (!layer) {
        co_return session::fail(layer.error().what, layer.error().code);
    }
    co_return std::make_shared<const DirMergeRules>(std::move(*layer));
}

}  // namespace ursync::roles
