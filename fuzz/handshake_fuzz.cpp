// Fuzzes the start-up parsing: capability letters, compat flags, name lists and negotiation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/handshake.h"
#include "protocol/varint.h"

using namespace ursync::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    const auto caps = parse_capabilities(text);
    const auto again = parse_capabilities(format_capabilities(caps));
    URSYNC_FUZZ_CHECK(format_capabilities(again) == format_capabilities(caps));
    const auto compat = server_compat_flags(caps, ServerFacts{true, true, true});
    URSYNC_FUZZ_CHECK((compat.flags & ~0x1FFu) == 0);
    URSYNC_FUZZ_CHECK(server_protocol_for(32, caps) <= 32);

    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data), size}};
    if (auto version = get_int(in)) {
        auto agreed = negotiate_protocol_version(32, *version);
        if (agreed) URSYNC_FUZZ_CHECK(*agreed >= 30 && *agreed <= 32);
    }
    (void)get_compat_flags(in);
    for (NameKind kind : {NameKind::checksum, NameKind::compress}) {
        auto list = get_name_list(in, kind);
        if (!list) break;
        URSYNC_FUZZ_CHECK(list->size() <= k_nstr_len_max);
        for (Role role : {Role::client, Role::server}) {
            const std::string ours = default_name_list(kind, role);
            auto choice = choose_name(kind, role, ours, *list);
            if (!choice) continue;
            URSYNC_FUZZ_CHECK(canonical_name(kind, *choice).has_value());
            URSYNC_FUZZ_CHECK(role == Role::server || *choice != "none");
            // The choice is in both lists; choosing again from it alone gives it back.
            URSYNC_FUZZ_CHECK(*choose_name(kind, role, ours, *choice) == *choice);
        }
    }
    return 0;
}
