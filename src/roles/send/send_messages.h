// Message helpers shared by the sender's files: rsync's rsyserr() wording.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "roles/common/errors.h"

namespace ursync::roles {

// rsync's rsyserr() messages start "<program>: [sender] " and end ": <strerror> (<errno>)".
inline constexpr std::string_view k_sender_sys_prefix = "ursync: [sender] ";

inline std::string sys_message(std::string_view what, int err) {
    return std::string(k_sender_sys_prefix) + std::string(what) + ": " + errno_text(err);
}

}  // namespace ursync::roles
