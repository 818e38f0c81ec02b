// Fuzzes the filter list a peer sends: the list decoder (exact re-encoding, "incomplete" when cut
// short), the rule parser on every list it accepts, and matching (check, xattr names, one layer
// of per-directory merge rules, and wildmatch itself) against names taken from the input.
//
// Input: byte 0 picks the options (bit0 --delete-excluded, bit1 the receiver's side, bit2
// ignore perishable rules); then the list as it travels (int length + text, ..., int 0); the
// bytes after it are '\n'-separated names, the first of them also a merge file's text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "roles/filter/filter.h"
#include "roles/filter/filter_list_codec.h"
#include "roles/filter/filter_wildmatch.h"

using namespace ursync;
using namespace ursync::roles;

namespace {

constexpr size_t k_names_max = 12;      // keeps each run fast
constexpr size_t k_patterns_max = 16;   // rules whose patterns are matched directly
constexpr size_t k_name_len_max = 512;  // longer names are cut

bool has_wild_byte(std::string_view pattern) {
    return pattern.find_first_of("*?[\\") != std::string_view::npos;
}

// The list decoder: an accepted list is exactly its own encoding, and every shorter prefix of
// it is "incomplete" (nothing else), whichever rule boundary it cuts.
void check_codec(protocol::Bytes input, size_t used, const std::vector<std::string>& rules) {
    protocol::ByteWriter out;
    put_filter_list(out, rules);
    URSYNC_FUZZ_CHECK(out.size() == used);
    URSYNC_FUZZ_CHECK(std::equal(out.bytes().begin(), out.bytes().end(), input.begin()));
    for (size_t cut : {used - 1, used / 2, size_t{3}}) {
        if (cut >= used) continue;
        protocol::ByteCursor part{input.first(cut)};
        auto got = get_filter_list(part);
        URSYNC_FUZZ_CHECK(!got && got.error().incomplete());
        // item by item: complete rules come out, the cut one consumes nothing
        protocol::ByteCursor items{input.first(cut)};
        for (;;) {
            const size_t at = items.position();
            auto one = get_filter_rule(items);
            if (!one) {
                URSYNC_FUZZ_CHECK(one.error().incomplete() && items.position() == at);
                break;
            }
            URSYNC_FUZZ_CHECK(one->has_value());
        }
    }
}

// wildmatch: a pattern without wildcard or escape bytes matches exactly as a literal does, in
// the whole text or its trailing components; "**" matches everything, '*' any one component.
void check_wildmatch(std::string_view pattern, std::string_view name) {
    const int slashes = static_cast<int>(std::count(pattern.begin(), pattern.end(), '/'));
    for (int where : {0, -1, slashes + 1}) {
        const bool wild = wild_match(pattern, name, MatchPlace{where});
        if (!has_wild_byte(pattern) && where >= 0)
            URSYNC_FUZZ_CHECK(wild == literal_match(pattern, name, MatchPlace{where}));
    }
    URSYNC_FUZZ_CHECK(wild_match("**", name));
    URSYNC_FUZZ_CHECK(wild_match("*", name) == (name.find('/') == std::string_view::npos));
}

void check_names(const FilterList& list, const std::vector<std::string>& names, FilterSide side,
                 bool ignore_perishable, const DirMergeRules* merged) {
    for (const std::string& name : names) {
        for (bool is_dir : {false, true}) {
            const int rc = list.check(name, is_dir, side, merged, ignore_perishable);
            URSYNC_FUZZ_CHECK(rc >= -1 && rc <= 1);
            URSYNC_FUZZ_CHECK(list.excluded(name, is_dir, side, merged, ignore_perishable) ==
                              (rc < 0));
        }
        (void)list.xattr_excluded(name, side);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    FilterParseOptions options;
    options.delete_excluded = (data[0] & 1) != 0;
    const FilterSide side = (data[0] & 2) != 0 ? FilterSide::receiver : FilterSide::sender;
    const bool ignore_perishable = (data[0] & 4) != 0;
    const protocol::Bytes input{reinterpret_cast<const std::byte*>(data) + 1, size - 1};

    protocol::ByteCursor in{input};
    auto rules = get_filter_list(in);
    if (!rules) return 0;
    for (const std::string& r : *rules)
        URSYNC_FUZZ_CHECK(!r.empty() && r.size() <= k_filter_rule_len_max);
    check_codec(input, in.position(), *rules);

    // The names: the rest of the input, '\n'-separated.
    const protocol::Bytes rest_bytes = input.subspan(in.position());
    const std::string_view rest{reinterpret_cast<const char*>(rest_bytes.data()),
                                rest_bytes.size()};
    std::vector<std::string> names;
    for (size_t at = 0; at <= rest.size() && names.size() < k_names_max;) {
        const size_t nl = std::min(rest.find('\n', at), rest.size());
        names.emplace_back(rest.substr(at, std::min(nl - at, k_name_len_max)));
        at = nl + 1;
    }

    auto list = FilterList::parse(*rules, options);
    if (!list) {
        URSYNC_FUZZ_CHECK(!list.error().what.empty());
        return 0;
    }
    size_t patterns = 0;
    for (const FilterRule& rule : list->rules()) {
        URSYNC_FUZZ_CHECK(rule.pattern.size() <= k_filter_pattern_len_max);
        if (patterns++ >= k_patterns_max) break;
        check_wildmatch(rule.pattern, rule.pattern);
        for (const std::string& name : names) check_wildmatch(rule.pattern, name);
    }
    check_names(*list, names, side, ignore_perishable, nullptr);

    // One layer of per-directory rules: every ':' rule's file holds the names' text.
    if (list->has_dir_merges()) {
        const std::vector<std::optional<std::string>> texts(list->dir_merge_files().size(),
                                                            std::string(rest));
        auto top = list->merge_layer(nullptr, texts, ".", options);
        if (top) {
            URSYNC_FUZZ_CHECK(top->lists.size() == texts.size());
            auto sub = list->merge_layer(&*top, texts, "sub", options);
            if (sub) check_names(*list, names, side, ignore_perishable, &*sub);
        }
    }
    return 0;
}
