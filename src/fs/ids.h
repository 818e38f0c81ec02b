// User and group names <-> ids (getpwnam_r & co. on the worker pool, results cached).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/engine.h"
#include "engine/task.h"

namespace ursync::fs {

// The lookups read /etc/passwd, /etc/group or ask NSS, so they never run on the engine thread:
// each miss is one offload. Answers, "no such name/id" included, are cached for the session.
// A failed lookup (NSS error) counts as "unknown", as it does in rsync's uidlist.c.
class IdCache {
public:
    explicit IdCache(engine::Engine& engine) : engine_(engine) {}
    IdCache(const IdCache&) = delete;
    IdCache& operator=(const IdCache&) = delete;

    engine::Task<std::optional<uint32_t>> uid_of_user(std::string name);
    engine::Task<std::optional<uint32_t>> gid_of_group(std::string name);
    engine::Task<std::optional<std::string>> user_name_of(uint32_t uid);
    engine::Task<std::optional<std::string>> group_name_of(uint32_t gid);

    // Lookups that reached the system (cache misses), for tests and -vv statistics.
    uint64_t system_lookups() const { return system_lookups_; }

private:
    engine::Engine& engine_;
    std::unordered_map<std::string, std::optional<uint32_t>> uid_by_name_;
    std::unordered_map<std::string, std::optional<uint32_t>> gid_by_name_;
    std::unordered_map<uint32_t, std::optional<std::string>> user_by_uid_;
    std::unordered_map<uint32_t, std::optional<std::string>> group_by_gid_;
    uint64_t system_lookups_ = 0;
};

}  // namespace ursync::fs
