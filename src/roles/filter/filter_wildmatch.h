// rsync's pattern matcher for filter rules: '*', '**', '?', '[...]' with '/' treated specially.
#pragma once

#include <string_view>

namespace ursync::roles {

// Where a pattern may match in the text (rsync wildmatch_array's "where" argument).
struct MatchPlace {
    // > 0: only the trailing N '/'-separated components of the text; < 0: at the start or
    // after any '/'; 0: the whole text.
    int where = 0;
};

// True when `pattern` matches `text` as a whole: '*' and '?' never match '/', "**" does,
// "[...]" classes ('!' or '^' negates, ranges, [:alpha:] style names, '\' escapes) never match
// '/', '\' makes the next character literal. Bytes compare unsigned, C locale.
// mirrors rsync lib/wildmatch.c:wildmatch_array
bool wild_match(std::string_view pattern, std::string_view text, MatchPlace place = {});

// The same for a pattern without wildcards: an exact comparison of the chosen part of text.
// mirrors rsync lib/wildmatch.c:litmatch_array
bool literal_match(std::string_view pattern, std::string_view text, MatchPlace place = {});

}  // namespace ursync::roles
