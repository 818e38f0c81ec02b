// Size arguments with K/M/G/T/P suffixes, "B"/"iB" forms and a trailing +1/-1, as rsync reads them.
#include "cli/size_arg.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace ursync::cli {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

int suffix_power(char suffix) {
    switch (lower(suffix)) {
        case 'b':
            return 0;
        case 'k':
            return 1;
        case 'm':
            return 2;
        case 'g':
            return 3;
        case 't':
            return 4;
        case 'p':
            return 5;
        default:
            return -1;
    }
}

}  // namespace

// mirrors rsync options.c:parse_size_arg
Expected<std::int64_t, std::string> parse_size_arg(std::string_view text, std::string_view name,
                                                   const SizeArgLimits& limits) {
    const std::string arg_text(text);
    const std::int64_t size_max =
        limits.max_value >= 0 ? limits.max_value : std::numeric_limits<std::int64_t>::max() / 2;
    enum class Why { invalid, too_large, too_small };
    auto failure = [&](Why why) -> Expected<std::int64_t, std::string> {
        std::string msg = "--" + std::string(name) + "=" + arg_text + " is ";
        if (why == Why::invalid) return Unexpected{msg + "invalid"};
        if (why == Why::too_large) {
            msg += "too large";
            if (limits.max_value >= 0) msg += " (max: " + format_big_num(limits.max_value, 3) + ")";
            return Unexpected{msg};
        }
        msg += "too small";
        if (limits.min_value >= 0) {
            msg += " (min: " + format_big_num(limits.min_value, 3) +
                   (limits.zero_means_unlimited ? " or 0 for unlimited" : "") + ")";
        }
        return Unexpected{msg};
    };

    std::size_t pos = 0;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos < text.size() && text[pos] == '.') {
        for (++pos; pos < text.size() && is_digit(text[pos]);) ++pos;
    }
    char suffix = limits.default_suffix;
    if (pos < text.size() && text[pos] != '+' && text[pos] != '-') suffix = text[pos++];
    const int power = suffix_power(suffix);
    if (power < 0) return failure(Why::invalid);

    std::int64_t mult = 1024;
    const std::string_view rest = text.substr(pos);
    if (!rest.empty() && lower(rest[0]) == 'b') {
        mult = 1000;
        ++pos;
    } else if (rest.empty() || rest[0] == '+' || rest[0] == '-') {
        mult = 1024;
    } else if (rest.size() >= 2 && lower(rest[0]) == 'i' && lower(rest[1]) == 'b') {
        pos += 2;
    } else {
        return failure(Why::invalid);
    }

    std::int64_t unit = 1;
    for (int i = 0; i < power; ++i) {
        if (unit > size_max / mult) return failure(Why::too_large);
        unit *= mult;
    }
    errno = 0;
    const double number = std::strtod(arg_text.c_str(), nullptr);
    const double room = static_cast<double>(size_max) / static_cast<double>(unit);
    if (errno == ERANGE || number < 0 || number > room ||
        (limits.max_value < 0 && number >= room)) {
        return failure(Why::too_large);
    }
    std::int64_t size = static_cast<std::int64_t>(number * static_cast<double>(unit));
    const bool plus_minus_one = pos + 1 < text.size() && (text[pos] == '+' || text[pos] == '-') &&
                                text[pos + 1] == '1' && pos != 0;
    if (plus_minus_one) {
        if (text[pos] == '+') {
            if (size == size_max) return failure(Why::too_large);
            ++size;
        } else {
            --size;
        }
        pos += 2;
    }
    if (pos != text.size()) return failure(Why::invalid);
    if (size < 0 || (limits.max_value >= 0 && size > limits.max_value)) {
        return failure(Why::too_large);
    }
    if (size < limits.min_value && (!limits.zero_means_unlimited || size != 0)) {
        return failure(Why::too_small);
    }
    return size;
}

// mirrors rsync lib/compat.c:do_big_num (with ',' as the thousands separator)
std::string format_big_num(std::int64_t num, int human) {
    if (human > 1) {
        const std::int64_t mult = human == 2 ? 1000 : 1024;
        if (num >= mult || num <= -mult) {
            double value = static_cast<double>(num) / static_cast<double>(mult);
            if (num < 0) value = -value;
            char units = 'P';
            const char* const letters = "KMGT";
            for (int i = 0; i < 4; ++i) {
                if (i > 0) value /= static_cast<double>(mult);
                if (value < static_cast<double>(mult)) {
                    units = letters[i];
                    break;
                }
            }
            if (units == 'P') value /= static_cast<double>(mult);
            if (num < 0) value = -value;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2f%c", value, units);
            return buf;
        }
    }
    const bool negative = num < 0;
    std::uint64_t magnitude =
        negative ? 0 - static_cast<std::uint64_t>(num) : static_cast<std::uint64_t>(num);
    std::string digits;
    int in_group = 0;
    do {
        if (human != 0 && in_group == 3) {
            digits.insert(digits.begin(), ',');
            in_group = 0;
        }
        digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
        ++in_group;
        magnitude /= 10;
    } while (magnitude != 0);
    if (negative) digits.insert(digits.begin(), '-');
    return digits;
}

}  // namespace ursync::cli
