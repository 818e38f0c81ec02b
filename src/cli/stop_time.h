// --stop-at: rsync's time syntax ("[[YY]YY-]MM-DD[Th:m]", "[T]h:m", ":m"; missing parts are
// today's or the next possible), resolved against the local time zone.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

namespace ursync::cli {

// The moment `arg` names, the first one after `now` where the text leaves parts open; nullopt
// when it is not a valid time. mirrors rsync options.c:parse_time
std::optional<std::time_t> parse_stop_time(std::string_view arg, std::time_t now);

}  // namespace ursync::cli
