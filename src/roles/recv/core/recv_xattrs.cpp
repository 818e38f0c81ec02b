// -X on the receiving side: received lists, comparison, request, answer, setting.
#include "roles/recv/core/recv_xattrs.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "protocol/strong_sum.h"
#include "roles/common/errors.h"
#include "roles/common/xattr_names.h"
#include "roles/recv/core/prefetch_extra.h"
#include "roles/recv/core/recv_attrs.h"

namespace ursync::roles {

namespace {

using protocol::Xattr;
using protocol::XattrList;

// A file beneath the destination opened for xattr calls: its parent directory and leaf name
// (the root itself for ".").
class LocalTarget {
  public:
    LocalTarget(const RecvContext& ctx, const std::string& rel) {
        if (!ctx.root) {
            err_ = ENOENT;
            return;
        }
        if (rel == ".") {
            target_ = fs::XattrTarget::of_fd(ctx.root->fd());
            return;
        }
        dir_fd_ = fs::open_parent_beneath(ctx.root->fd(), rel, &leaf_);
        if (dir_fd_ < 0) {
            err_ = -dir_fd_;
            return;
        }
        target_ = fs::XattrTarget::at(dir_fd_, leaf_);
    }
    ~LocalTarget() {
        if (dir_fd_ >= 0) ::close(dir_fd_);
    }
    LocalTarget(const LocalTarget&) = delete;
    LocalTarget& operator=(const LocalTarget&) = delete;

    int error() const { return err_; }
    const fs::XattrTarget& target() const { return target_; }

  private:
    int dir_fd_ = -1;
    int err_ = 0;
    std::string leaf_;
    fs::XattrTarget target_;
};

// The destination's list as the receiver manages it (rsync rsync_xal_get, receiver side).
std::optional<XattrList> local_list(const RecvContext& ctx, const fs::XattrTarget& t) {
    const XattrNames& names = ctx.xattrs->names;
    const char* what = "";
    auto pairs = fs::read_xattrs(
        t, [&names](std::string_view n) { return names.receiver_manages(n); }, &what);
    if (!pairs) return std::nullopt;
    return protocol::make_xattr_list(std::move(*pairs));
}

// mirrors rsync xattrs.c:xattr_diff with find_all (long values that differ are marked wanted)
bool differ_marking(XattrList& snd, const XattrList* rec) {
    static const XattrList k_none;
    const XattrList& local = rec ? *rec : k_none;
    bool equal = snd.size() == local.size();
    size_t i = 0, j = 0;
    while (i < snd.size()) {
        Xattr& s = snd[i];
        const int cmp = j < local.size() ? s.name.compare(local[j].name) : -1;
        bool same = false;
        if (cmp <= 0) {
            same = cmp == 0 && s.value_len == local[j].value_len && s.value == local[j].value;
            if (!same && s.is_long() && s.state == protocol::XattrState::abbreviated)
                s.state = protocol::XattrState::wanted;
        }
        if (!same) equal = false;
        if (cmp <= 0) ++i;
        if (cmp >= 0) ++j;
    }
    if (j < local.size()) equal = false;
    return !equal;
}

XattrList* list_of(const RecvContext& ctx, const protocol::FileEntry& e) {
    if (!ctx.xattrs || e.xattr_ndx < 0 ||
        static_cast<size_t>(e.xattr_ndx) >= ctx.xattrs->table.size())
        return nullptr;
    return &ctx.xattrs->table.at(e.xattr_ndx);
}

bool digest_matches(const Xattr& x, const std::string& value) {
    if (value.size() != x.value_len) return false;
    const auto d = protocol::file_sum(protocol::ChecksumAlgo::md5, protocol::as_bytes(value));
    return x.value.size() == protocol::k_xattr_digest_len &&
           std::equal(x.value.begin(), x.value.end(),
                      reinterpret_cast<const char*>(d.bytes.data()));
}

// What setting a list did, gathered in a worker job and reported on the engine thread.
struct SetOutcome {
    bool changed = false;                                 // a value set or a name removed
    std::vector<std::string> errors;                      // rsync's FERROR_XFER lines
    std::vector<std::string> missing;                     // long values found nowhere
    std::vector<std::pair<size_t, std::string>> learned;  // long values read from cmp
};

std::string call_failed(const char* call, const std::string& rel, const std::string& name,
                        int err) {
    return std::string("rsync_xal_set: ") + call + "(\"" + rel + "\",\"" + name +
           "\") failed: " + errno_text(err);
}

// mirrors rsync xattrs.c:rsync_xal_set (blocking: run in a worker job). Only reads `list`.
// `cmp` names the file whose values stand for long ones not received; `same_file`: it is the
// target itself, whose values need no setting then.
SetOutcome set_list(const fs::XattrTarget& target, const std::string& rel, const XattrList& list,
                    const fs::XattrTarget* cmp, bool same_file, const XattrNames& rules) {
    SetOutcome out;
    auto names = fs::list_xattr_names(target);
    if (!names) {
        out.errors.push_back("get_xattr_names: llistxattr(\"" + rel + "\") failed: " +
                             errno_text(names.error()));
        return out;
    }
    for (size_t i = 0; i < list.size(); ++i) {
        const Xattr& x = list[i];
        const std::string* value = x.is_long() ? (x.full ? &*x.full : nullptr) : &x.value;
        std::string have;
        if (!value) {
            auto v = cmp ? fs::get_xattr(*cmp, x.name) : Expected<std::string, int>{Unexpected{ENODATA}};
            if (!v || !digest_matches(x, *v)) {
                out.missing.push_back(x.name);
                continue;
            }
            have = std::move(*v);
            out.learned.emplace_back(i, have);
            if (same_file) continue;  // the value is there already
            value = &have;
        }
        if (int err = fs::set_xattr(target, x.name, *value))
            out.errors.push_back(call_failed("lsetxattr", rel, x.name, err));
        else
            out.changed = true;
    }
    for (const auto& name : *names) {
        if (!rules.receiver_manages(name)) continue;
        bool listed = false;
        for (const Xattr& x : list) {
            if (x.name == name) {
                listed = true;
                break;
            }
        }
        if (listed) continue;
        if (int err = fs::remove_xattr(target, name))
            out.errors.push_back(call_failed("lremovexattr", rel, name, err));
        else
            out.changed = true;
    }
    return out;
}

// Reports an outcome and keeps the long values it learned for the next file with the list.
bool take_outcome(RecvContext& ctx, XattrList& list, const std::string& rel, SetOutcome out) {
    for (const auto& text : out.errors) report_xfer_error(ctx, text);
    for (const auto& name : out.missing) {
        ctx.s.output.error("ursync: Missing abbreviated xattr value, " + name + ", for \"" +
                           rel + "\"\n");
        ctx.s.state.partial = true;
    }
    for (auto& [i, value] : out.learned)
        if (!list[i].full) list[i].full = std::move(value);
    return out.changed;
}

}  // namespace

engine::Task<SessionResult<int32_t>> recv_xattr_list(RecvContext& ctx) {
    protocol::XattrTable& table = ctx.xattrs->table;
    const size_t known = table.size();
    auto head = co_await ctx.s.in.decode<protocol::XattrBlockHead>(
        [&known](protocol::ByteCursor& c) { return protocol::decode_xattr_head(c, known); },
        "xattr list");
    if (!head) co_return Unexpected{std::move(head).error()};
    if (head->ref >= 0) co_return head->ref;
    XattrList list;
    size_t total = 0;
    bool renamed = false;
    for (int32_t num = 1; num <= head->count; ++num) {
        auto item = co_await ctx.s.in.decode<Xattr>(
            [](protocol::ByteCursor& c) { return protocol::decode_xattr_item(c); }, "xattr list");
        if (!item) co_return Unexpected{std::move(item).error()};
        total += item->name.size() + 1 + item->value_len;
        if (total > protocol::k_xattr_list_bytes_max)
            co_return session::fail("xattr list exceeds per-file limit [receiver]",
                                    ExitCode::protocol);
        auto kept = ctx.xattrs->names.receiver_accepts(item->name);
        if (!kept) continue;
        if (*kept != item->name) {
            renamed = true;
            item->name = std::move(*kept);
        }
        item->num = num;
        list.push_back(std::move(*item));
    }
    if (renamed) {
        std::sort(list.begin(), list.end(),
                  [](const Xattr& a, const Xattr& b) { return a.name < b.name; });
    }
    co_return table.add(std::move(list));
}

bool xattrs_differ_marking(const RecvContext& ctx, const protocol::FileEntry& e,
                           const std::string& rel, bool exists) {
    XattrList* snd = list_of(ctx, e);
    if (!snd) return false;
    if (!exists) return differ_marking(*snd, nullptr);
    // Read ahead with the destination's stat (generator.cpp, prefetch_ahead).
    if (auto pairs = take_prefetched_xattrs(ctx, rel)) {
        XattrList have = protocol::make_xattr_list(std::move(*pairs));
        return differ_marking(*snd, &have);
    }
    LocalTarget local(ctx, rel);
    std::optional<XattrList> have;
    if (!local.error()) have = local_list(ctx, local.target());
    return differ_marking(*snd, have ? &*have : nullptr);
}

std::optional<std::vector<int32_t>> take_xattr_request(RecvContext& ctx, int32_t ndx,
                                                       uint32_t iflags) {
    if (!ctx.xattrs || ctx.s.options.dry_run) return std::nullopt;
    if (!(iflags & (k_item_report_xattr | k_item_transfer))) return std::nullopt;
    auto loc = locate_ndx(ctx, ndx);
    if (!loc) return std::nullopt;
    const EntryRef ref = loc->idx ? EntryRef{loc->seg, *loc->idx}
                                  : ctx.dir_entries[static_cast<size_t>(
                                        ctx.flist.segments()[loc->seg].parent_dir)];
    XattrList* list = list_of(ctx, ctx.entry(ref));
    const bool exchange = xattr_exchange(ctx.xattrs->names.level, false, ctx.xattrs->optim, iflags);
    std::vector<int32_t> nums;
    if (list) {
        for (Xattr& x : *list) {
            if (!x.is_long() || x.state == protocol::XattrState::handled) continue;
            if (x.state == protocol::XattrState::wanted && exchange) nums.push_back(x.num);
            x.state = protocol::XattrState::handled;
        }
    }
    if (!exchange) return std::nullopt;
    return nums;
}

engine::Task<SessionResult<void>> recv_xattr_answer(RecvContext& ctx,
                                                    const protocol::FileEntry& e) {
    XattrList* list = list_of(ctx, e);
    if (!list) co_return session::fail("recv_xattr_request: internal data error!",
                                       ExitCode::protocol);
    int32_t prior = 0;
    for (;;) {
        auto num = co_await ctx.s.in.decode<std::optional<int32_t>>(
            [&prior](protocol::ByteCursor& c) { return protocol::decode_xattr_num(c, prior); },
            "xattr request");
        if (!num) co_return Unexpected{std::move(num).error()};
        if (!*num) break;
        prior = **num;
        Xattr* x = nullptr;
        for (Xattr& cand : *list) {
            if (cand.num == prior) {
                x = &cand;
                break;
            }
        }
        if (!x) {
            co_return session::fail("[receiver] could not find xattr #" + std::to_string(prior) +
                                        " for " + e.name,
                                    ExitCode::protocol);
        }
        if (!x->is_long()) {
            co_return session::fail("[receiver] internal abbrev error on " + e.name + " (" +
                                        x->name + ", len=" + std::to_string(x->value_len) + ")!",
                                    ExitCode::protocol);
        }
        auto len = co_await ctx.s.in.decode<size_t>(
            [](protocol::ByteCursor& c) { return protocol::decode_xattr_value_len(c); },
            "xattr value");
        if (!len) co_return Unexpected{std::move(len).error()};
        std::string value(*len, '\0');
        auto got = co_await ctx.s.in.read_bytes(
            std::as_writable_bytes(std::span<char>(value.data(), value.size())), "xattr value");
        if (!got) co_return Unexpected{std::move(got).error()};
        x->full = std::move(value);
    }
    co_return SessionResult<void>{};
}

engine::Task<void> take_long_values(RecvContext& ctx, const protocol::FileEntry& e,
                                    const std::string& cmp_rel) {
    XattrList* list = list_of(ctx, e);
    if (!list || ctx.s.options.dry_run) co_return;
    bool any = false;
    for (const Xattr& x : *list) any = any || (x.is_long() && !x.full);
    if (!any) co_return;
    // The job works on a copy: the table may grow, and other files' jobs fill in values, while
    // it runs.
    XattrList items = *list;
    auto job = [&ctx, &items, &cmp_rel] {
        std::vector<std::pair<size_t, std::string>> learned;
        LocalTarget cmp(ctx, cmp_rel);
        if (cmp.error()) return learned;
        for (size_t i = 0; i < items.size(); ++i) {
            const Xattr& x = items[i];
            if (!x.is_long() || x.full) continue;
            auto v = fs::get_xattr(cmp.target(), x.name);
            if (v && digest_matches(x, *v)) learned.emplace_back(i, std::move(*v));
        }
        return learned;
    };
    auto learned = co_await ctx.s.engine.offload(job);
    list = list_of(ctx, e);
    for (auto& [i, value] : learned)
        if (!(*list)[i].full) (*list)[i].full = std::move(value);
}

engine::Task<void> apply_xattrs(RecvContext& ctx, int fd, const std::string& rel,
                                const protocol::FileEntry& e, const std::string& cmp_rel) {
    XattrList* list = list_of(ctx, e);
    if (!list || ctx.s.options.dry_run) co_return;
    const XattrList items = *list;  // a copy, as in take_long_values
    const XattrNames& rules = ctx.xattrs->names;
    auto job = [&ctx, fd, &rel, &items, &cmp_rel, &rules] {
        LocalTarget cmp(ctx, cmp_rel);
        return set_list(fs::XattrTarget::of_fd(fd), rel, items,
                        cmp.error() ? nullptr : &cmp.target(), false, rules);
    };
    SetOutcome out = co_await ctx.s.engine.offload(job);
    take_outcome(ctx, *list_of(ctx, e), rel, std::move(out));
}

engine::Task<void> apply_xattrs_at(RecvContext& ctx, const std::string& rel,
                                   const protocol::FileEntry& e) {
    XattrList* list = list_of(ctx, e);
    if (!list || ctx.s.options.dry_run) co_return;
    const XattrList items = *list;  // a copy, as in take_long_values
    const XattrNames& rules = ctx.xattrs->names;
    auto job = [&ctx, &rel, &items, &rules] {
        LocalTarget local(ctx, rel);
        if (local.error()) {
            SetOutcome failed;
            failed.errors.push_back("rsync_xal_set: \"" + rel + "\": " +
                                    errno_text(local.error()));
            return failed;
        }
        return set_list(local.target(), rel, items, &local.target(), true, rules);
    };
    SetOutcome out = co_await ctx.s.engine.offload(job);
    if (!take_outcome(ctx, *list_of(ctx, e), rel, std::move(out))) co_return;
    // rsync then sets the times again (its set_file_attrs treats the mtime as unknown): at
    // protocol 30 that drops the nanoseconds it never received.
    auto st = co_await ctx.root->stat(rel);
    if (!st) co_return;
    fs::FileAttrs current = *st;
    current.mtime_sec = ~current.mtime_sec;
    current.mtime_nsec = current.mtime_nsec ^ 1u;
    co_await set_attrs_at(ctx, rel, e, wanted_mode(ctx, e, *st), current, SetAttrsFlags{});
}

}  // namespace ursync::roles
