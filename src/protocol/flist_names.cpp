// The receiver's safety check of file-list names before they are used as paths.
#include <string>

#include "protocol/flist_codec.h"

namespace ursync::protocol {

// mirrors the checks in rsync flist.c:recv_file_entry (clean_fname with CFN_REFUSE_DOT_DOT_DIRS,
// the leading-slash test, the non-directory "." test), stricter about "." and empty components,
// which a stock sender never produces.
Expected<void, WireError> check_received_name(std::string_view name, bool is_dir, bool relative) {
    // rsync exits with RERR_UNSUPPORTED (4) for unsafe names.
    auto unsafe = [&](const char* why) -> Expected<void, WireError> {
        return unsupported("ABORTING due to unsafe pathname from sender (" + std::string(why) +
                           "): " + std::string(name));
    };
    std::string_view rest = name;
    if (!rest.empty() && rest.front() == '/') {
        if (!relative) return unsafe("absolute");
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    }
    if (rest.empty()) return unsafe("empty");
    if (rest == ".") {
        if (!is_dir) return malformed("non-directory transfer-root entry: " + std::string(name));
        return {};
    }
    size_t pos = 0;
    for (;;) {
        const size_t slash = rest.find('/', pos);
        const std::string_view part = rest.substr(
            pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        if (part.empty()) return unsafe("empty component");
        if (part == ".") return unsafe("\".\" component");
        if (part == "..") return unsafe("\"..\" component");
        if (slash == std::string_view::npos) return {};
        pos = slash + 1;
    }
}

}  // namespace ursync::protocol
