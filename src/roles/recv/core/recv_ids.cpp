// Id mapping on the receiving side: --usermap/--groupmap rules, then names, then the number.
#include "roles/recv/core/recv_ids.h"

#include <cctype>

#include "roles/filter/filter_wildmatch.h"

namespace ursync::roles {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::optional<uint32_t> parse_id(std::string_view s) {
    if (!all_digits(s) || s.size() > 10) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(v);
}

engine::Task<SessionResult<void>> parse_one(RecvContext& ctx, bool user, const std::string& map) {
    const char* what = user ? "user" : "group";
    auto& rules = user ? ctx.ids.usermap : ctx.ids.groupmap;
    size_t pos = 0;
    while (pos <= map.size()) {
        size_t comma = map.find(',', pos);
        if (comma == std::string::npos) comma = map.size();
        const std::string item = map.substr(pos, comma - pos);
        pos = comma + 1;
        const size_t colon = item.find(':');
        if (colon == std::string::npos) {
            co_return session::fail("No colon found in --" + std::string(what) + "map: " + item,
                                    ExitCode::syntax);
        }
        const std::string from = item.substr(0, colon), to = item.substr(colon + 1);
        if (to.empty()) {
            co_return session::fail("No name found after colon --" + std::string(what) + "map: " +
                                        item,
                                    ExitCode::syntax);
        }
        IdMapRule rule;
        if (!from.empty() && std::isdigit(static_cast<unsigned char>(from[0]))) {
            const size_t dash = from.find('-');
            auto lo = parse_id(from.substr(0, dash));
            auto hi = dash == std::string::npos ? lo : parse_id(from.substr(dash + 1));
            if (!lo || !hi) {
                co_return session::fail("Invalid number in --" + std::string(what) + "map: " + from,
                                        ExitCode::syntax);
            }
            rule.kind = IdMapRule::Kind::range;
            rule.lo = *lo;
            rule.hi = *hi;
        } else {
            rule.kind = from.find_first_of("*[?") != std::string::npos ? IdMapRule::Kind::wild
                                                                       : IdMapRule::Kind::name;
            rule.name = from;
        }
        std::optional<uint32_t> target = parse_id(to);
        if (!target) {
            target = user ? co_await ctx.ids.cache.uid_of_user(to) : co_await ctx.ids.cache.gid_of_group(to);
        }
        if (!target) {
            ctx.s.output.error("Unknown --" + std::string(what) + "map name on receiver: " + to +
                               "\n");
        } else {
            rule.to = *target;
            rules.push_back(std::move(rule));
        }
        if (comma == map.size()) break;
    }
    co_return SessionResult<void>{};
}

}  // namespace

engine::Task<SessionResult<void>> parse_id_maps(RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (!o.usermap.empty()) {
        auto r = co_await parse_one(ctx, true, o.usermap);
        if (!r) co_return r;
    }
    if (!o.groupmap.empty()) {
        auto r = co_await parse_one(ctx, false, o.groupmap);
        if (!r) co_return r;
    }
    // Without CF_ID0_NAMES the sender never names id 0: rsync assumes "root".
    if (!ctx.fopts.id0_names && !o.numeric_ids) {
        note_id_name(ctx, true, 0, "root");
        note_id_name(ctx, false, 0, "root");
    }
    co_return SessionResult<void>{};
}

void note_id_name(RecvContext& ctx, bool user, uint32_t id, const std::string& name) {
    auto& names = user ? ctx.ids.user_names : ctx.ids.group_names;
    names.try_emplace(id, name);
}

engine::Task<uint32_t> map_id(RecvContext& ctx, bool user, uint32_t id) {
    auto& cache = user ? ctx.ids.uid_map : ctx.ids.gid_map;
    if (auto it = cache.find(id); it != cache.end()) co_return it->second;
    const auto& names = user ? ctx.ids.user_names : ctx.ids.group_names;
    const auto named = names.find(id);
    const std::string name = named == names.end() ? std::string() : named->second;
    std::optional<uint32_t> local;
    for (const auto& rule : user ? ctx.ids.usermap : ctx.ids.groupmap) {
        const bool hit = rule.kind == IdMapRule::Kind::wild    ? wild_match(rule.name, name)
                         : rule.kind == IdMapRule::Kind::name  ? rule.name == name
                                                               : id >= rule.lo && id <= rule.hi;
        if (hit) {
            local = rule.to;
            break;
        }
    }
    if (!local && !name.empty() && id != 0 && !ctx.s.options.numeric_ids) {
        local = user ? co_await ctx.ids.cache.uid_of_user(name) : co_await ctx.ids.cache.gid_of_group(name);
    }
    const uint32_t result = local.value_or(id);
    cache[id] = result;
    co_return result;
}

}  // namespace ursync::roles
