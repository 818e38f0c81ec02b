// Temp-file naming compatible with rsync's, so users see the same ".name.XXXXXX" files.
#include "fs/temp_name.h"

#include <algorithm>

namespace ursync::fs {

namespace {

constexpr std::string_view k_suffix = ".XXXXXX";
constexpr std::string_view k_alphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

bool high_bit(char c) { return (static_cast<unsigned char>(c) & 0x80) != 0; }

}  // namespace

std::optional<std::string> temp_name_template(std::string_view rel) {
    size_t slash = rel.rfind('/');
    std::string_view dir = slash == std::string_view::npos ? std::string_view{} : rel.substr(0, slash + 1);
    std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
    if (!name.empty() && name.front() == '.') name.remove_prefix(1);

    std::string out(dir);
    out.push_back('.');
    // Room for the name including a terminator, as rsync counts it (the leading dot is the -1).
    auto path_room = static_cast<int64_t>(k_path_bytes_max) - static_cast<int64_t>(out.size()) -
                     static_cast<int64_t>(k_suffix.size());
    auto name_room = static_cast<int64_t>(k_name_bytes_max) - 1 - static_cast<int64_t>(k_suffix.size());
    int64_t room = std::min(path_room, name_room);
    if (room < 0) return std::nullopt;
    if (room == 0) {
        out.pop_back();  // the suffix's own dot takes the leading dot's place
    } else {
        size_t kept = std::min(name.size(), static_cast<size_t>(room - 1));
        out.append(name.substr(0, kept));
        if (kept < name.size() && high_bit(name[kept])) {
            while (high_bit(out.back())) out.pop_back();  // stops at the leading dot at worst
        }
        if (out.back() == '.') out.pop_back();  // no ".." before the suffix
    }
    out.append(k_suffix);
    return out;
}

void fill_temp_suffix(std::string& name, uint64_t random) {
    size_t start = name.size() >= k_temp_random_chars ? name.size() - k_temp_random_chars : 0;
    for (size_t i = start; i < name.size(); ++i) {
        name[i] = k_alphabet[random % k_alphabet.size()];
        random /= k_alphabet.size();
    }
}

}  // namespace ursync::fs
