// The filter list on the wire: decoding a received list and encoding one to send (pure).
#include "roles/filter/filter_list_codec.h"

#include "protocol/varint.h"
#include "roles/filter/filter.h"

namespace ursync::roles {

protocol::WireResult<std::optional<std::string>> get_filter_rule(protocol::ByteCursor& in) {
    protocol::ByteCursor look = in;  // nothing is consumed until the whole rule is there
    auto len = protocol::get_int(look);
    if (!len) return Unexpected{std::move(len).error()};
    if (*len == 0) {
        in = look;
        return std::optional<std::string>{};
    }
    if (*len < 0 || static_cast<size_t>(*len) > k_filter_rule_len_max)
        return protocol::overflow("filter rule of invalid length " + std::to_string(*len));
    const size_t n = static_cast<size_t>(*len);
    if (!look.has(n)) return protocol::need_more("a filter rule");
    const protocol::Bytes text = look.take(n);
    in = look;
    return std::optional<std::string>{
        std::string(reinterpret_cast<const char*>(text.data()), text.size())};
}

protocol::WireResult<std::vector<std::string>> get_filter_list(protocol::ByteCursor& in) {
    std::vector<std::string> rules;
    for (;;) {
        auto rule = get_filter_rule(in);
        if (!rule) return Unexpected{std::move(rule).error()};
        if (!*rule) return rules;
        if (rules.size() >= k_filter_rule_count_max)
            return protocol::malformed("too many filter rules");
        rules.push_back(std::move(**rule));
    }
}

void put_filter_list(protocol::ByteWriter& out, const std::vector<std::string>& rules) {
    for (const auto& r : rules) {
        protocol::put_int(out, static_cast<int32_t>(r.size()));
        out.put(r);
    }
    protocol::put_int(out, 0);
}

}  // namespace ursync::roles
