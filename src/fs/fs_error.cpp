// Formatting of filesystem errors the way rsync prints them.
#include "fs/fs_error.h"

#include <cerrno>
#include <cstring>

namespace ursync::fs {

std::string FsError::message() const {
    std::string text = op + " \"" + path + "\" failed: ";
    if (unsafe) return text + "unsafe path refused";
    return text + std::strerror(err) + " (" + std::to_string(err) + ")";
}

ExitCode FsError::exit_code() const {
    return unsafe ? ExitCode::unsupported : ExitCode::partial;
}

FsError sys_error(std::string_view op, std::string_view path, int err) {
    return FsError{std::string(op), std::string(path), err, false};
}

FsError unsafe_path_error(std::string_view op, std::string_view path) {
    return FsError{std::string(op), std::string(path), EINVAL, true};
}

}  // namespace ursync::fs
