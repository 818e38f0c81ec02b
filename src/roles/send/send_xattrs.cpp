// -X on the sending side and the attribute-name rules.
#include "roles/send/send_xattrs.h"

#include <unistd.h>

#include <optional>
#include <string>
#include <utility>

#include "fs/xattrs.h"
#include "roles/common/errors.h"
#include "roles/common/log_format.h"
#include "roles/send/send_messages.h"

namespace ursync::roles {

namespace {

// Entries whose attributes are not looked at (rsync get_xattr): links without -l, devices
// without --devices, specials without --specials, missing arguments.
bool xattrs_wanted(const cli::Options& o, const protocol::FileEntry& e) {
    if (e.mode == 0) return false;
    if (e.is_symlink()) return o.links;
    if (e.is_device()) return o.devices;
    if (e.is_special()) return o.specials;
    return true;
}

}  // namespace

engine::Task<std::vector<protocol::XattrList>> SendXattrs::read(
    FlistBuilder& builder, const std::vector<BuiltEntry>& entries) {
    struct Target {
        fs::DirHandle dir;  // keeps the directory fd open while the job runs
        int fd = -1;
        std::string leaf;
        bool wanted = false;
    };
    std::vector<Target> targets(entries.size());
    std::vector<std::pair<size_t, std::string>> unresolved;  // entry, message
    bool any = false;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& b = entries[i];
        if (!xattrs_wanted(s_.options, b.entry) || b.xattrs || b.xattr_err) continue;
        fs::DirRoot& root = builder.root(b.info.root);
        Target& t = targets[i];
        if (b.entry.name == ".") {
            t.fd = root.fd();
            t.wanted = any = true;
            continue;
        }
        auto leaf = co_await root.leaf(b.entry.name, "llistxattr");
        if (!leaf) {
            unresolved.emplace_back(i, "llistxattr: " + errno_text(leaf.error().err));
            continue;
        }
        t.wanted = any = true;
        t.dir = std::move(leaf->dir);
        t.fd = t.dir->get();
        t.leaf = std::move(leaf->name);
    }
    struct Read {
        std::vector<protocol::XattrList> lists;
        std::vector<std::pair<size_t, std::string>> errors;  // entry, message
    };
    const XattrNames names = names_;
    auto job = [&targets, names] {
        Read out;
        out.lists.resize(targets.size());
        for (size_t i = 0; i < targets.size(); ++i) {
            const Target& t = targets[i];
            if (!t.wanted) continue;
            const auto where = t.leaf.empty() ? fs::XattrTarget::of_fd(t.fd)
                                              : fs::XattrTarget::at(t.fd, t.leaf);
            const char* what = "";
            auto pairs = fs::read_xattrs(
                where, [&names](std::string_view n) { return names.sender_keeps(n); },
                &what);
            if (!pairs) {
                out.errors.emplace_back(i, std::string(what) + ": " + errno_text(pairs.error()));
                continue;
            }
            out.lists[i] = protocol::make_xattr_list(std::move(*pairs));
        }
        return out;
    };
    Read got;
    if (any) {
        got = co_await s_.engine.offload(job);
    } else {
        got.lists.resize(entries.size());
    }
    for (auto& u : unresolved) got.errors.push_back(std::move(u));
    // Read with the directory scan already.
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& b = entries[i];
        if (!xattrs_wanted(s_.options, b.entry)) continue;
        if (b.xattr_err) got.errors.emplace_back(i, "llistxattr: " + errno_text(b.xattr_err));
        else if (b.xattrs) got.lists[i] = protocol::make_xattr_list(*b.xattrs);
    }
    for (const auto& [i, text] : got.errors) {
        s_.state.io_error |= k_ioerr_general;
        s_.output.error(std::string(k_sender_sys_prefix) + "get_xattr " +
                        builder.full_name(entries[i].info.root, entries[i].entry.name) +
                        " failed: " + text + "\n");
    }
    co_return std::move(got.lists);
}

void SendXattrs::put(protocol::ByteWriter& out, protocol::FileEntry& e, protocol::XattrList list) {
    if (auto ref = table_.find(list)) {
        protocol::encode_xattr_ref(out, *ref);
        e.xattr_ndx = *ref;
        return;
    }
    protocol::encode_xattr_literal(out, list);
    e.xattr_ndx = table_.add(std::move(list));
}

session::SessionResult<void> SendXattrs::mark_asked(const protocol::FileEntry& e,
                                                    std::span<const int32_t> nums) {
    if (e.xattr_ndx < 0 || static_cast<size_t>(e.xattr_ndx) >= table_.size())
        return session::fail("recv_xattr_request: internal data error!", ExitCode::protocol);
    protocol::XattrList& list = table_.at(e.xattr_ndx);
    for (int32_t num : nums) {
        if (num < 1 || static_cast<size_t>(num) > list.size())
            return session::fail("[sender] could not find xattr #" + std::to_string(num) +
                                     " for " + e.name,
                                 ExitCode::protocol);
        protocol::Xattr& x = list[static_cast<size_t>(num - 1)];
        if (!x.is_long() || x.state != protocol::XattrState::abbreviated)
            return session::fail("[sender] internal abbrev error on " + e.name + " (" + x.name +
                                     ", len=" + std::to_string(x.value_len) + ")!",
                                 ExitCode::protocol);
        x.state = protocol::XattrState::wanted;
    }
    return {};
}

void SendXattrs::put_answer(protocol::ByteWriter& out, const protocol::FileEntry& e,
                            fs::DirRoot& root, const std::string& full_name) {
    std::vector<protocol::XattrValue> values;
    if (e.xattr_ndx >= 0 && static_cast<size_t>(e.xattr_ndx) < table_.size()) {
        std::string leaf;
        int dir_fd = -1;
        for (auto& x : table_.at(e.xattr_ndx)) {
            if (!x.is_long() || x.state != protocol::XattrState::wanted) continue;
            x.state = protocol::XattrState::handled;
            protocol::XattrValue v;
            v.num = x.num;
            Expected<std::string, int> got = Unexpected{ENOENT};
            if (e.name == ".") {
                got = fs::get_xattr(fs::XattrTarget::of_fd(root.fd()), x.name);
            } else {
                if (dir_fd < 0) dir_fd = fs::open_parent_beneath(root.fd(), e.name, &leaf);
                if (dir_fd >= 0) got = fs::get_xattr(fs::XattrTarget::at(dir_fd, leaf), x.name);
            }
            if (got) {
                v.value = std::move(*got);
            } else {
                s_.output.error(std::string(k_sender_sys_prefix) + "failed to re-read xattr " +
                                x.name + " for " + full_name + "\n");
                s_.state.io_error |= k_ioerr_general;
            }
            values.push_back(std::move(v));
        }
        if (dir_fd >= 0) ::close(dir_fd);
    }
    protocol::encode_xattr_answer(out, values);
}

}  // namespace ursync::roles
