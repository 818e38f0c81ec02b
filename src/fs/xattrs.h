// Extended attributes of one file, read and written without following a symlink: through an
// open fd, or through a directory fd and a leaf name (blocking calls: run them in worker jobs).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace ursync::fs {

// Name and value pairs, in the order the file system lists them.
using XattrPairs = std::vector<std::pair<std::string, std::string>>;

// Where the attributes are: an open fd (any kind, O_PATH excluded), or `leaf` in directory
// `dir_fd` (the leaf itself is never followed; it may be a symlink, a device or a fifo).
struct XattrTarget {
    int fd = -1;
    int dir_fd = -1;
    std::string_view leaf;

    static XattrTarget of_fd(int fd) { return {fd, -1, {}}; }
    static XattrTarget at(int dir_fd, std::string_view leaf) { return {-1, dir_fd, leaf}; }
};

// Blocking: the parent directory of `rel` beneath `root_fd` (no symlink followed, nothing
// outside the root), as an O_PATH fd the caller closes, and the leaf name; -errno on failure.
// `rel` is a checked relative path other than ".".
int open_parent_beneath(int root_fd, std::string_view rel, std::string* leaf);

// Every attribute of the target whose name `keep` accepts. A file system without xattr support
// gives an empty list. Errors are errno values; `what` is set to the failing call's name.
template <class Keep>
Expected<XattrPairs, int> read_xattrs(const XattrTarget& t, Keep keep, const char** what);

// The names of the target's attributes (empty without xattr support).
Expected<std::vector<std::string>, int> list_xattr_names(const XattrTarget& t);
// One value; ENODATA when absent.
Expected<std::string, int> get_xattr(const XattrTarget& t, const std::string& name);
// 0 or an errno value.
int set_xattr(const XattrTarget& t, const std::string& name, std::string_view value);
int remove_xattr(const XattrTarget& t, const std::string& name);

template <class Keep>
Expected<XattrPairs, int> read_xattrs(const XattrTarget& t, Keep keep, const char** what) {
    auto names = list_xattr_names(t);
    if (!names) {
        *what = "llistxattr";
        return Unexpected{names.error()};
    }
    XattrPairs out;
    for (auto& name : *names) {
        if (!keep(std::string_view(name))) continue;
        auto value = get_xattr(t, name);
        if (!value) {
            if (value.error() == ENODATA) continue;  // removed meanwhile
            *what = "lgetxattr";
            return Unexpected{value.error()};
        }
        out.emplace_back(std::move(name), std::move(*value));
    }
    return out;
}

}  // namespace ursync::fs
