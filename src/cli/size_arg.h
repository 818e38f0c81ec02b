// rsync's SIZE arguments ("10k", "1.5MB", "2g+1") and the numbers it prints in their errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace ursync::cli {

struct SizeArgLimits {
    char default_suffix = 'b';  // unit when the text has none ('b' bytes, 'K' kibibytes...)
    std::int64_t min_value = 0;
    std::int64_t max_value = -1;  // -1: no maximum
    bool zero_means_unlimited = false;
};

// Parses `text` for option `--name`; the error is rsync's text without the "rsync: " prefix,
// e.g. "--block-size=999999999 is too large (max: 128.00K)".
Expected<std::int64_t, std::string> parse_size_arg(std::string_view text, std::string_view name,
                                                   const SizeArgLimits& limits);

// rsync's do_big_num(): plain digits (human 0), with ',' every three digits (human 1), or
// scaled to K/M/G/T/P by 1000 (human 2) or 1024 (human 3) with two decimals.
std::string format_big_num(std::int64_t num, int human);

}  // namespace ursync::cli
