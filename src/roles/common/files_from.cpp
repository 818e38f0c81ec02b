// --files-from text handling (see files_from.h).
#include "roles/common/files_from.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ursync::roles {

FilesFromNames split_files_from(std::string_view data, FilesFromFormat format, bool at_eof) {
    FilesFromNames out;
    auto is_end = [&](char c) { return format.eol_nulls ? c == '\0' : (c == '\r' || c == '\n'); };
    size_t at = 0;
    while (at < data.size()) {
        size_t end = at;
        while (end < data.size() && !is_end(data[end])) ++end;
        if (end == data.size() && !at_eof) break;  // the rest of this name is still coming
        std::string_view name = data.substr(at, end - at);
        const size_t next = end < data.size() ? end + 1 : end;
        if (format.dump_comments) {
            at = next;
            out.consumed = at;
            if (name.empty() || name.front() == '#' || name.front() == ';') continue;
        } else {
            at = next;
            out.consumed = at;
            if (name.empty()) {
                out.complete = true;
                return out;
            }
        }
        out.names.emplace_back(name);
    }
    if (at_eof) out.complete = true;
    return out;
}

std::string sanitize_files_from_name(std::string_view name) {
    std::string out;
    size_t at = 0;
    while (at < name.size()) {
        size_t end = name.find('/', at);
        if (end == std::string_view::npos) end = name.size();
        const std::string_view part = name.substr(at, end - at);
        if (!part.empty() && part != "..") {
            if (!out.empty() && out.back() != '/') out += '/';
            out += part;
        }
        at = end + 1;
    }
    if (!out.empty() && name.size() > 1 && name.back() == '/' && out.back() != '/') out += '/';
    return out;
}

std::string forward_files_from(std::string_view data, bool eol_nulls) {
    std::string out;
    out.reserve(data.size() + 2);
    bool after_nul = false;
    for (char c : data) {
        if (!eol_nulls && (c == '\n' || c == '\r')) c = '\0';
        if (c == '\0') {
            if (after_nul) continue;  // one NUL ends a name; runs of them collapse
            after_nul = true;
        } else {
            after_nul = false;
        }
        out += c;
    }
    // The empty name that ends the list (two NULs unless the last name already has its end).
    out.append(out.empty() || out.back() == '\0' ? 1 : 2, '\0');
    return out;
}

int read_files_from_file(const std::string& path, std::string& data) {
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char chunk[65536];
    int err = 0;
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) err = errno;
        if (n <= 0) break;
        data.append(chunk, static_cast<size_t>(n));
    }
    if (fd != 0) ::close(fd);
    return err;
}

}  // namespace ursync::roles
