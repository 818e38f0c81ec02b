// The sender's file list, part 1: source arguments, their roots, -R and its implied dirs.
#include "roles/send/flist_build.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/rel_path.h"
#include "roles/common/files_from.h"
#include "fs/scan.h"
#include "roles/send/send_messages.h"
#include "roles/send/send_scan.h"
#include "roles/send/send_yield.h"

namespace ursync::roles {

using session::SessionError;
using session::SessionResult;

namespace {

bool ends_with_dot_dot(std::string_view s) {
    const size_t n = s.size();
    return n > 1 && s[n - 1] == '.' && s[n - 2] == '.' && (n == 2 || s[n - 3] == '/');
}

// rsync's clean_fname for -R names: collapses "//", drops "." components and a trailing "/."
// (keeping a trailing '/'); a leading '/' stays.
std::string clean_relative(std::string_view in) {
    std::string out;
    const bool absolute = !in.empty() && in.front() == '/';
    const bool trailing_slash = in.size() > 1 && in.back() == '/';
    size_t i = 0;
    while (i < in.size()) {
        size_t j = in.find('/', i);
        if (j == std::string_view::npos) j = in.size();
        std::string_view comp = in.substr(i, j - i);
        if (!comp.empty() && comp != ".") {
            if (!out.empty() || absolute) out += '/';
            out += comp;
        }
        i = j + 1;
    }
    if (out.empty()) return absolute ? "/" : ".";
    if (absolute && out.front() != '/') out.insert(out.begin(), '/');
    if (trailing_slash && out != "/") out += '/';
    return out;
}


}  // namespace

// mirrors the argument loop of rsync flist.c:send_file_list
Expected<SourceArg, SessionError> split_source_arg(std::string_view arg, bool relative) {
    SourceArg out;
    std::string buf(arg);
    if (relative) {
        std::string fn;
        const size_t dot = buf.find("/./");
        if (dot != std::string::npos) {
            out.dir = dot == 0 ? "/" : buf.substr(0, dot);
            size_t start = dot + 3;
            while (start < buf.size() && buf[start] == '/') ++start;
            fn = buf.substr(start);
        } else {
            fn = buf;
        }
        fn = fn.empty() ? "." : clean_relative(fn);
        if (fn == "/") {
            fn = "/.";
            out.type = SourceNameType::dot_dir;
        } else if (fn == ".") {
            out.type = SourceNameType::dot_dir;
        } else if (fn.size() > 1 && fn.back() == '/') {
            fn.pop_back();
            out.type = SourceNameType::slash_ending;
        }
        for (size_t p = 0; (p = fn.find("..", p)) != std::string::npos; p += 2) {
            const bool starts = p == 0 || fn[p - 1] == '/';
            const bool ends = p + 2 == fn.size() || fn[p + 2] == '/';
            if (starts && ends) {
                return Unexpected{
                    SessionError{"found \"..\" dir in relative path: " + fn, ExitCode::syntax}};
            }
        }
        // An absolute name is sent relative to "/" (the receiver strips the slash anyway).
        if (!fn.empty() && fn.front() == '/') {
            if (out.dir.empty()) out.dir = "/";
            size_t k = 0;
            while (k < fn.size() && fn[k] == '/') ++k;
            fn = fn.substr(k);
            if (fn.empty() || fn == ".") fn = ".";
        }
        out.name = fn.empty() ? "." : fn;
        if (out.name == ".") out.type = SourceNameType::dot_dir;
        return out;
    }
    SourceNameType type = SourceNameType::normal;
    if (buf.empty() || buf.back() == '/') {
        if (buf == "./")
            buf = ".";
        else
            buf += '.';
        type = SourceNameType::dot_dir;
    } else if (ends_with_dot_dot(buf)) {
        buf += "/.";
        type = SourceNameType::dot_dir;
    } else if (buf.back() == '.' && (buf.size() == 1 || buf[buf.size() - 2] == '/')) {
        type = SourceNameType::dot_dir;
    }
    const size_t slash = buf.rfind('/');
    if (slash != std::string::npos) {
        out.dir = slash == 0 ? "/" : buf.substr(0, slash);
        out.name = buf.substr(slash + 1);
    } else {
        out.name = buf;
    }
    if (out.name.empty()) {
        out.name = ".";
        type = SourceNameType::dot_dir;
    }
    out.type = type;
    return out;
}

FlistBuilder::FlistBuilder(Session& s, FilterList filters)
    : s_(s), filters_(std::move(filters)), has_merges_(filters_.has_dir_merges()), ids_(s.engine),
      scanner_(s.engine, s.options.checksum
                             ? std::optional<protocol::ChecksumAlgo>(s.params.file_checksum)
                             : std::nullopt,
               s.options.xattrs > 0 ? std::optional(XattrNames{s.options.xattrs, false,
                                                                filters_.has_xattr_rules()
                                                                    ? &filters_
                                                                    : nullptr,
                                                                FilterSide::sender})
                                    : std::nullopt) {
    chmod_ = cli::chmod_rules(s.options.chmod);
}

FlistBuilder::~FlistBuilder() = default;

void FlistBuilder::report(std::string text, int32_t io_error_bits, bool xfer_error) {
    s_.state.io_error |= io_error_bits;
    if (xfer_error) s_.state.partial = true;
    s_.output.error(text + "\n");
}

std::string FlistBuilder::full_name(uint32_t root, std::string_view rel) const {
    const std::string& abs = roots_[root].abs;
    std::string out = "\"" + abs;
    if (abs.empty() || abs.back() != '/') out += '/';
    out += rel;
    return out + "\"";
}

engine::Task<SessionResult<std::optional<uint32_t>>> FlistBuilder::open_root(
    const std::string& dir) {
    for (uint32_t i = 0; i < roots_.size(); ++i)
        if (roots_[i].dir == dir) co_return std::optional<uint32_t>{i};
    if (cwd_.empty())
        cwd_ = co_await s_.engine.offload([] {
            std::string buf(4096, '\0');
            if (!::getcwd(buf.data(), buf.size())) return std::string(".");
            return std::string(buf.c_str());
        });
    Root r;
    r.dir = dir;
    r.abs = !dir.empty() && dir.front() == '/' ? dir : (dir.empty() ? cwd_ : cwd_ + "/" + dir);
    // (A named path: GCC 12 mishandles a conditional's temporary inside co_await.)
    std::string open_path = dir.empty() ? std::string(".") : dir;
    auto opened = co_await fs::DirRoot::open_root(s_.engine, std::move(open_path));
    if (!opened) {
        const int err = opened.error().err;
        s_.state.io_error |= k_ioerr_general;
        s_.state.partial = true;
        s_.output.error(std::string(k_sender_sys_prefix) + "change_dir \"" + r.abs +
                        "\" failed: " + errno_text(err) + "\n");
        co_return std::optional<uint32_t>{};
    }
    r.root = std::move(*opened);
    roots_.push_back(std::move(r));
    co_return std::optional<uint32_t>{static_cast<uint32_t>(roots_.size() - 1)};
}

engine::Task<SessionResult<std::vector<BuiltEntry>>> FlistBuilder::build_top(
    const std::vector<std::string>& sources) {
    std::vector<BuiltEntry> out;
    if (s_.options.files_from) {
        auto names = co_await read_files_from();
        if (!names) co_return Unexpected{std::move(names).error()};
        // Each name is an argument beneath the one source directory (rsync changes into it).
        const std::string base = sources.empty() ? std::string(".") : sources.front();
        std::string dir = base;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        if (dir == "/") dir.clear();
        for (const auto& name : *names) {
            const std::string clean = sanitize_files_from_name(name);
            const std::string arg = s_.options.relative
                                        ? dir + "/./" + (clean.empty() ? "." : clean)
                                        : dir + "/" + (clean.empty() ? "." : clean);
            auto r = co_await add_arg(arg, out);
            if (!r) co_return Unexpected{std::move(r).error()};
        }
        co_return out;
    }
    for (const auto& arg : sources) {
        auto r = co_await add_arg(arg, out);
        if (!r) co_return Unexpected{std::move(r).error()};
    }
    co_return out;
}

// The --files-from names: from the connection (a server given "-", or a client whose list is
// on the remote host: the receiving side forwards it), else from the local file or stdin.
// mirrors rsync flist.c:send_file_list (use_ff_fd) and io.c:read_line
engine::Task<SessionResult<std::vector<std::string>>> FlistBuilder::read_files_from() {
    const cli::Options& o = s_.options;
    const bool from_connection = o.files_from_host.has_value();
    if (from_connection) {
        // Names end with a NUL; an empty one ends the list. Each byte is looked at once, and
        // a name longer than rsync's buffer keeps its first 4095 bytes (io.c:read_line).
        constexpr size_t k_name_bytes_max = 4095;
        std::vector<std::string> names;
        std::string name;
        for (;;) {
            auto ready = co_await s_.in.need(1, "the --files-from list");
            if (!ready) co_return Unexpected{std::move(ready).error()};
            const auto avail = s_.in.available();
            size_t used = 0;
            bool ended = false;
            while (used < avail.size() && !ended) {
                const char c = static_cast<char>(avail[used++]);
                if (c != '\0') {
                    if (name.size() < k_name_bytes_max) name += c;
                } else if (name.empty()) {
                    ended = true;
                } else {
                    names.push_back(std::move(name));
                    name.clear();
                }
            }
            s_.in.consume(used);
            if (ended) {
                // Below protocol 31 the list came raw; multiplexed input follows it.
                s_.in.start_deferred_multiplex();
                co_return names;
            }
        }
    }
    // (Named locals: GCC 12 destroys some temporaries made inside a co_await twice.)
    const std::string path = *o.files_from;
    std::string data;
    int err = 0;
    auto read_all = [&path, &data, &err] { err = read_files_from_file(path, data); };
    co_await s_.engine.offload(read_all);
    if (err != 0) {
        std::string text = "failed to open files-from file " + path + ": " + std::strerror(err);
        co_return session::fail(std::move(text), ExitCode::syntax);
    }
    FilesFromNames split = split_files_from(data, FilesFromFormat{o.from0, true}, true);
    std::vector<std::string> names = std::move(split.names);
    co_return names;
}

// One argument of rsync flist.c:send_file_list's loop.
engine::Task<SessionResult<void>> FlistBuilder::add_arg(const std::string& arg,
                                                        std::vector<BuiltEntry>& out) {
    const cli::Options& o = s_.options;
    auto split = split_source_arg(arg, o.relative);
    if (!split) co_return Unexpected{std::move(split).error()};
    SourceArg sa = std::move(*split);
    auto root_index = co_await open_root(sa.dir);
    if (!root_index) co_return Unexpected{std::move(root_index).error()};
    if (!*root_index) co_return SessionResult<void>{};
    const uint32_t root = **root_index;
    fs::DirRoot& dr = *roots_[root].root;

    const bool follow = o.copy_dirlinks || sa.type != SourceNameType::normal;
    auto st = co_await dr.stat(sa.name, follow);
    fs::FileAttrs attrs;
    if (!st) {
        const fs::FsError& e = st.error();
        if (e.unsafe) co_return session::fail("unsafe source path: " + arg, ExitCode::syntax);
        if (!e.not_found() || o.missing_args == cli::MissingArgs::error) {
            report(std::string(k_sender_sys_prefix) + "link_stat " + full_name(root, sa.name) +
                       " failed: " + errno_text(e.err),
                   e.not_found() ? 0 : k_ioerr_general, true);
            co_return SessionResult<void>{};
        }
        if (o.missing_args == cli::MissingArgs::ignore) co_return SessionResult<void>{};
        // --delete-missing-args: a mode-0 entry tells the receiver to delete the name.
        BuiltEntry missing;
        missing.entry.name = sa.name;
        missing.info.root = root;
        out.push_back(std::move(missing));
        co_return SessionResult<void>{};
    }
    attrs = *st;
    const bool is_dir = attrs.is_dir();
    if (sa.type != SourceNameType::dot_dir &&
        filters_.excluded(sa.name, is_dir, FilterSide::sender))
        co_return SessionResult<void>{};
    if (is_dir && !o.dirs) {
        s_.output.info("skipping directory " + sa.name + "\n");
        co_return SessionResult<void>{};
    }
    if (o.relative) {
        const bool inc = s_.params.inc_recurse;
        const size_t slash = sa.name.find('/', 1);
        if (inc && slash != std::string::npos) {
            // Only the top directory now; the rest goes into its segment. (Arguments are named
            // locals: GCC 12 destroys some temporaries made inside a co_await twice.)
            std::optional<RelName> rest = RelName{sa.name.substr(slash + 1), sa.type};
            auto r = co_await implied_dirs(root, sa.name, 0, slash, std::move(rest), out);
            co_return r;
        }
        const size_t last = sa.name.rfind('/');
        if (!inc && last != std::string::npos && last > 0) {
            std::optional<RelName> none;
            auto r = co_await implied_dirs(root, sa.name, 0, last, std::move(none), out);
            if (!r) co_return r;
        }
    }
    const uint64_t fs_dev = attrs.dev;
    const bool content = o.recursive || (o.dirs && sa.type != SourceNameType::normal);
    auto made = co_await make_entry(root, sa.name, attrs, content, content, false, nullptr, fs_dev);
    if (!made) co_return Unexpected{std::move(made).error()};
    if (!*made) co_return SessionResult<void>{};
    BuiltEntry top = std::move(**made);
    const bool expand = top.entry.is_dir() && top.info.content_dir;
    const std::string name = top.entry.name;
    const size_t top_pos = out.size();
    out.push_back(std::move(top));
    if (top_pos + 1 == out.size() && out.back().entry.is_regular())
        co_await fill_checksums(root, out, top_pos);
    if (expand) {
        const bool inc = s_.params.inc_recurse;
        if (!inc || sa.type == SourceNameType::dot_dir) {
            std::shared_ptr<const DirMergeRules> no_parent;
            auto r = co_await scan_into(root, name, std::move(no_parent), o.recursive && !inc,
                                        fs_dev, out);
            if (!r) co_return r;
        }
    }
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> FlistBuilder::implied_dirs(uint32_t root, const std::string& name,
                                                             size_t start, size_t limit,
                                                             std::optional<RelName> rel,
                                                             std::vector<BuiltEntry>& out) {
    const bool inc = s_.params.inc_recurse;
    const std::string path = name.substr(0, limit);
    bool need_new = true;
    if (inc) {
        need_new = !(last_implied_entry_ && last_implied_root_ == root && last_implied_ == path);
    } else {
        // Skip the leading directories shared with the previous path.
        size_t i = 0;
        const size_t n = std::min(path.size(), last_implied_.size());
        while (i < n && path[i] == last_implied_[i]) {
            if (path[i] == '/') start = i;
            ++i;
        }
        if (i == path.size() && (i == last_implied_.size() || last_implied_[i] == '/'))
            need_new = false;
    }
    if (need_new) {
        // Every directory from `start` down to the limit, unfiltered (implied dirs always go).
        std::vector<size_t> ends;
        for (size_t p = path.find('/', start + 1); p != std::string::npos;
             p = path.find('/', p + 1))
            ends.push_back(p);
        ends.push_back(path.size());
        last_implied_entry_.reset();
        for (size_t end : ends) {
            const std::string dir = path.substr(0, end);
            auto st = co_await roots_[root].root->stat(dir, true);
            if (!st) continue;
            auto made = co_await make_entry(root, dir, *st, false, false, false, nullptr, 0);
            if (!made) co_return Unexpected{std::move(made).error()};
            if (!*made) continue;
            if ((*made)->entry.is_dir()) {
                (*made)->entry.top_dir = true;
                (*made)->entry.no_content_dir = true;
                if (end == path.size()) last_implied_entry_ = out.size();
            }
            out.push_back(std::move(**made));
        }
        last_implied_ = path;
        last_implied_root_ = root;
    }
    if (inc && rel && last_implied_entry_) out[*last_implied_entry_].info.relnames.push_back(*rel);
    co_return SessionResult<void>{};
}

}  // namespace ursync::roles
