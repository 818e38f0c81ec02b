// Owner and group ids on the receiving side: the --usermap/--groupmap rules and what was decided
// for each of the sender's ids (recv_ids.h does the mapping).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "fs/ids.h"

namespace ursync::roles {

// One --usermap/--groupmap rule: FROM (a name, a wildcard name, or an id range) -> TO.
struct IdMapRule {
    enum class Kind { wild, name, range };
    Kind kind = Kind::range;
    std::string name;
    uint32_t lo = 0, hi = 0;
    uint32_t to = 0;
};

struct IdMaps {
    explicit IdMaps(engine::Engine& engine) : cache(engine) {}

    std::unordered_map<uint32_t, uint32_t> uid_map;  // sender id -> local id, once decided
    std::unordered_map<uint32_t, uint32_t> gid_map;
    std::unordered_map<uint32_t, std::string> user_names;  // the names the sender gave
    std::unordered_map<uint32_t, std::string> group_names;
    std::vector<IdMapRule> usermap;
    std::vector<IdMapRule> groupmap;
    fs::IdCache cache;  // local names and ids looked up so far
};

}  // namespace ursync::roles
