// FsError: a failed filesystem operation, with the relative path it concerns (errors are values).
#pragma once

#include <cerrno>
#include <string>
#include <string_view>

#include "util/exit_codes.h"

namespace ursync::fs {

struct FsError {
    std::string op;    // what was attempted: "open", "mkdir", "rename", ...
    std::string path;  // the relative path beneath the root (never resolved through a symlink)
    int err = 0;       // errno value
    bool unsafe = false;  // the path itself was refused (absolute, "..", empty component, NUL)

    bool not_found() const { return err == ENOENT && !unsafe; }
    // rsync's wording: `mkdir "a/b" failed: No such file or directory (2)`.
    std::string message() const;
    // The exit code rsync uses for this kind of failure (unsafe names abort the transfer).
    ExitCode exit_code() const;
};

FsError sys_error(std::string_view op, std::string_view path, int err);
FsError unsafe_path_error(std::string_view op, std::string_view path);

}  // namespace ursync::fs
