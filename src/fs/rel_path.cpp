// Relative-path validation: the first gate every peer-influenced name passes.
#include "fs/rel_path.h"

#include <string>

namespace ursync::fs {

bool is_safe_rel_path(std::string_view rel) {
    if (rel.empty() || rel.front() == '/') return false;
    if (rel.find('\0') != std::string_view::npos) return false;
    if (is_root_rel(rel)) return true;
    size_t start = 0;
    for (;;) {
        size_t slash = rel.find('/', start);
        std::string_view part = rel.substr(start, slash == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : slash - start);
        if (part.empty() || part == "." || part == "..") return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

ParentLeaf split_parent_leaf(std::string_view rel) {
    size_t slash = rel.rfind('/');
    if (slash == std::string_view::npos) return {{}, rel};
    return {rel.substr(0, slash), rel.substr(slash + 1)};
}

std::string join_rel(std::string_view dir, std::string_view name) {
    if (dir.empty() || is_root_rel(dir)) return std::string(name);
    std::string out;
    out.reserve(dir.size() + 1 + name.size());
    out.append(dir).append("/").append(name);
    return out;
}

}  // namespace ursync::fs
