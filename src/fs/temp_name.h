// rsync's temp-file names: ".<name>.XXXXXX" beside the final file, shortened to fit NAME_MAX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ursync::fs {

inline constexpr size_t k_name_bytes_max = 255;   // NAME_MAX
inline constexpr size_t k_path_bytes_max = 4096;  // MAXPATHLEN
inline constexpr size_t k_temp_random_chars = 6;  // the XXXXXX
// Names tried before giving up when ".name.XXXXXX" keeps colliding (as mkstemp does).
inline constexpr int k_temp_name_attempts_max = 100;

// mirrors rsync receiver.c:get_tmpname (no --temp-dir): for "dir/name" gives
// "dir/.name.XXXXXX". One leading dot of the name is dropped (no "..name"); a name too long for
// NAME_MAX with the 8 added bytes is cut, without leaving half a multi-byte character or a
// trailing dot before the suffix. nullopt when even that cannot fit MAXPATHLEN.
std::optional<std::string> temp_name_template(std::string_view rel);

// Replaces the trailing k_temp_random_chars of `name` with characters from [A-Za-z0-9] drawn
// from `random` (what mkstemp puts there).
void fill_temp_suffix(std::string& name, uint64_t random);

}  // namespace ursync::fs
