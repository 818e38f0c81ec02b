// Filter-list exchange: int-length-prefixed rule texts, terminated by int 0.
#include "roles/filter_wire.h"

#include "protocol/varint.h"

namespace ursync::roles {

bool receiver_wants_filter_list(const cli::Options& o, int protocol) {
    bool deleting = o.delete_mode != cli::DeleteMode::none;
    return o.prune_empty_dirs || (deleting && (!o.delete_excluded || protocol >= 29));
}

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
        auto space = text.find(' ');
        std::string_view mods = std::string_view(text).substr(0, space);
        bool sender_only = mods.size() > 1 && mods.find('s') != std::string_view::npos &&
                           mods.find('r') == std::string_view::npos;
        bool receiver_only = mods.size() > 1 && mods.find('r') != std::string_view::npos &&
                             mods.find('s') == std::string_view::npos;
        if (client_is_sender && sender_only) continue;
        if (!client_is_sender && receiver_only) continue;
        out.push_back(std::move(text));
    }
    if (o.cvs_exclude && client_is_sender) {
        if (protocol >= 29) out.emplace_back(":C");
        out.emplace_back("-C");
    }
    return out;
}

engine::Task<session::SessionResult<void>> send_filter_list(session::MuxOut& out,
                                                            const std::vector<std::string>& rules) {
    protocol::ByteWriter w;
    for (const auto& r : rules) {
        protocol::put_int(w, static_cast<int32_t>(r.size()));
        w.put(r);
    }
    protocol::put_int(w, 0);
    co_return co_await out.send(w);
}

engine::Task<session::SessionResult<std::vector<std::string>>> recv_filter_list(
    session::MuxIn& in) {
    std::vector<std::string> rules;
    for (;;) {
        auto len = co_await in.read_int("the filter list");
        if (!len) co_return Unexpected{len.error()};
        if (*len == 0) break;
        if (*len < 0 || static_cast<size_t>(*len) > k_filter_rule_len_max)
            co_return session::fail("filter rule of invalid length " + std::to_string(*len),
                                    ExitCode::stream_io);
        std::string rule(static_cast<size_t>(*len), '\0');
        auto got = co_await in.read_bytes(std::as_writable_bytes(std::span(rule)), "a filter rule");
        if (!got) co_return Unexpected{got.error()};
        rules.push_back(std::move(rule));
    }
    co_return rules;
}

}  // namespace ursync::roles
