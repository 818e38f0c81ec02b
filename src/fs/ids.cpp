// Name/id lookups through the reentrant getpw*/getgr* calls, run by offload, with a cache.
#include "fs/ids.h"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <vector>

namespace ursync::fs {

using engine::Task;

namespace {

constexpr size_t k_entry_buf_bytes_initial = 1024;
constexpr size_t k_entry_buf_bytes_max = 1024 * 1024;  // a group with very many members

// Calls `get(buf, size, found)` (a getpw*_r/getgr*_r wrapper) with a growing buffer.
template <class Get>
bool lookup_with_buffer(Get get) {
    std::vector<char> buf(k_entry_buf_bytes_initial);
    for (;;) {
        bool found = false;
        int err = get(buf.data(), buf.size(), found);
        if (err == ERANGE && buf.size() < k_entry_buf_bytes_max) {
            buf.resize(buf.size() * 2);
            continue;
        }
        return err == 0 && found;
    }
}

// Runs on a worker thread.
std::optional<uint32_t> blocking_uid(const std::string& name) {
    std::optional<uint32_t> id;
    lookup_with_buffer([&](char* buf, size_t size, bool& found) {
        passwd pw{};
        passwd* result = nullptr;
        int err = ::getpwnam_r(name.c_str(), &pw, buf, size, &result);
        if (err == 0 && result) id = pw.pw_uid;
        found = result != nullptr;
        return err;
    });
    return id;
}

std::optional<uint32_t> blocking_gid(const std::string& name) {
    std::optional<uint32_t> id;
    lookup_with_buffer([&](char* buf, size_t size, bool& found) {
        group gr{};
        group* result = nullptr;
        int err = ::getgrnam_r(name.c_str(), &gr, buf, size, &result);
        if (err == 0 && result) id = gr.gr_gid;
        found = result != nullptr;
        return err;
    });
    return id;
}

std::optional<std::string> blocking_user(uint32_t uid) {
    std::optional<std::string> name;
    lookup_with_buffer([&](char* buf, size_t size, bool& found) {
        passwd pw{};
        passwd* result = nullptr;
        int err = ::getpwuid_r(static_cast<uid_t>(uid), &pw, buf, size, &result);
        if (err == 0 && result) name = pw.pw_name;
        found = result != nullptr;
        return err;
    });
    return name;
}

std::optional<std::string> blocking_group(uint32_t gid) {
    std::optional<std::string> name;
    lookup_with_buffer([&](char* buf, size_t size, bool& found) {
        group gr{};
        group* result = nullptr;
        int err = ::getgrgid_r(static_cast<gid_t>(gid), &gr, buf, size, &result);
        if (err == 0 && result) name = gr.gr_name;
        found = result != nullptr;
        return err;
    });
    return name;
}

}  // namespace

// The lookups are named lambdas, not temporaries inside the co_await expression: g++ 12
// relocates a temporary lambda's std::string capture bitwise there and later frees a pointer
// into the coroutine frame. The frame's `name` outlives the offload, so a reference is enough.

Task<std::optional<uint32_t>> IdCache::uid_of_user(std::string name) {
    if (auto it = uid_by_name_.find(name); it != uid_by_name_.end()) co_return it->second;
    ++system_lookups_;
    auto lookup = [&name] { return blocking_uid(name); };
    std::optional<uint32_t> id = co_await engine_.offload(lookup);
    uid_by_name_.emplace(std::move(name), id);
    co_return id;
}

Task<std::optional<uint32_t>> IdCache::gid_of_group(std::string name) {
    if (auto it = gid_by_name_.find(name); it != gid_by_name_.end()) co_return it->second;
    ++system_lookups_;
    auto lookup = [&name] { return blocking_gid(name); };
    std::optional<uint32_t> id = co_await engine_.offload(lookup);
    gid_by_name_.emplace(std::move(name), id);
    co_return id;
}

Task<std::optional<std::string>> IdCache::user_name_of(uint32_t uid) {
    if (auto it = user_by_uid_.find(uid); it != user_by_uid_.end()) co_return it->second;
    ++system_lookups_;
    auto lookup = [uid] { return blocking_user(uid); };
    std::optional<std::string> name = co_await engine_.offload(lookup);
    user_by_uid_.emplace(uid, name);
    co_return name;
}

Task<std::optional<std::string>> IdCache::group_name_of(uint32_t gid) {
    if (auto it = group_by_gid_.find(gid); it != group_by_gid_.end()) co_return it->second;
    ++system_lookups_;
    auto lookup = [gid] { return blocking_group(gid); };
    std::optional<std::string> name = co_await engine_.offload(lookup);
    group_by_gid_.emplace(gid, name);
    co_return name;
}

}  // namespace ursync::fs
