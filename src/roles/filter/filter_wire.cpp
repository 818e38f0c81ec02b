// Filter-list exchange: int-length-prefixed rule texts, terminated by int 0.
#include "roles/filter/filter_wire.h"

#include <string_view>

#include "roles/filter/filter.h"

namespace ursync::roles {

bool receiver_wants_filter_list(const cli::Options& o, int protocol) {
    bool deleting = o.delete_mode != cli::DeleteMode::none;
    return o.prune_empty_dirs || (deleting && (!o.delete_excluded || protocol >= 29));
}

namespace {

// What the first word of a rule says: its kind and modifiers, short ("-s", ":n") or long
// ("exclude,s", "dir-merge,n") form.
struct RulePrefix {
    bool sender_only = false;
    bool receiver_only = false;
    bool per_dir_merge = false;
    bool no_prefixes = false;
};

RulePrefix rule_prefix(std::string_view text) {
    const std::string_view word = text.substr(0, text.find(' '));
    std::string_view name;
    std::string_view mods;
    if (!word.empty() && std::string_view("+-.:!").find(word[0]) != std::string_view::npos) {
        name = word.substr(0, 1);
        mods = word.substr(1);
    } else {
        const size_t comma = word.find(',');
        name = word.substr(0, comma);
        mods = comma == std::string_view::npos ? std::string_view() : word.substr(comma + 1);
    }
    const bool s = mods.find('s') != std::string_view::npos || name == "hide" || name == "show";
    const bool r = mods.find('r') != std::string_view::npos || name == "protect" || name == "risk";
    RulePrefix p;
    p.sender_only = s && !r;
    p.receiver_only = r && !s;
    p.per_dir_merge = name == ":" || name == "dir-merge";
    p.no_prefixes = mods.find('n') != std::string_view::npos;
    return p;
}

}  // namespace

std::vector<std::string> filter_rules_for_peer(const cli::Options& o, bool client_is_sender,
                                               int protocol) {
    std::vector<std::string> out;
    for (const auto& rule : o.filter_rules) {
        // Rules with side letters: "H x" = "-s x", "S x" = "+s x", "P x" = "-r x", "R x" = "+r x".
        std::string text = rule;
        if (text.size() >= 2 && text[1] == ' ') {
            switch (text[0]) {
                case 'H': text = "-s" + text.substr(1); break;
                case 'S': text = "+s" + text.substr(1); break;
                case 'P': text = "-r" + text.substr(1); break;
                case 'R': text = "+r" + text.substr(1); break;
                default: break;
            }
        }
        // A rule only for the sending side means nothing to a receiving server, and vice versa.
        const RulePrefix prefix = rule_prefix(text);
        if (client_is_sender && prefix.sender_only) continue;
        if (!client_is_sender && prefix.receiver_only) continue;
        // --delete-excluded makes every rule without a side sender-side, so a sending client
        // keeps them to itself (a per-directory merge file with prefixes still goes: its rules
        // are read where it is). mirrors rsync exclude.c:send_rules
        if (client_is_sender && o.delete_excluded && !prefix.sender_only &&
            !prefix.receiver_only && (!prefix.per_dir_merge || prefix.no_prefixes))
            continue;
        out.push_back(std::move(text));
    }
    if (o.cvs_exclude && client_is_sender && !o.delete_excluded) {
        if (protocol >= 29) out.emplace_back(":C");
        out.emplace_back("-C");
    }
    return out;
}

engine::Task<session::SessionResult<void>> send_filter_list(session::MuxOut& out,
                                                            const std::vector<std::string>& rules) {
    protocol::ByteWriter w;
    put_filter_list(w, rules);
    co_return co_await out.send(w);
}

// mirrors rsync exclude.c:recv_filter_list (the rules are parsed later, by the role)
engine::Task<session::SessionResult<std::vector<std::string>>> recv_filter_list(
    session::MuxIn& in) {
    std::vector<std::string> rules;
    for (;;) {
        // (a length beyond rsync's buffer is an overflow error: exit 22, as rsync's recv_rules)
        auto rule = co_await in.decode<std::optional<std::string>>(get_filter_rule,
                                                                   "the filter list");
        if (!rule) co_return Unexpected{std::move(rule).error()};
        if (!*rule) break;
        if (rules.size() >= k_filter_rule_count_max)
            co_return session::fail("too many filter rules", ExitCode::stream_io);
        rules.push_back(std::move(**rule));
    }
    co_return rules;
}

}  // namespace ursync::roles
