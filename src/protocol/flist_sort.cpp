// rsync's file-list comparator, the stable sort built on it, and duplicate detection.
#include "protocol/flist_sort.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace ursync::protocol {

namespace {

// Walks the '/'-separated components of a sort name.
class ComponentWalker {
  public:
    // Starts at byte `from` (just past a '/', or 0).
    ComponentWalker(SortName item, size_t from) : is_dir_(item.is_dir), text_(item.name), pos_(from) {
        if (is_dir_) {
            // The transfer root "." has no components; "x/." is the directory "x".
            if (text_ == ".") {
                text_ = {};
            } else if (text_.size() >= 2 && text_.substr(text_.size() - 2) == "/.") {
                text_.remove_suffix(2);
            }
        }
        more_ = pos_ < text_.size();
    }

    bool more() const { return more_; }

    // The next component and whether it names a directory (every component but the last does;
    // the last does when the entry is a directory).
    std::string_view next(bool& is_dir_component) {
        const size_t slash = text_.find('/', pos_);
        if (slash == std::string_view::npos) {
            const std::string_view last = text_.substr(pos_);
            more_ = false;
            is_dir_component = is_dir_;
            return last;
        }
        const std::string_view part = text_.substr(pos_, slash - pos_);
        pos_ = slash + 1;
        is_dir_component = true;
        return part;
    }

  private:
    bool is_dir_;
    std::string_view text_;
    size_t pos_;
    bool more_ = false;
};

// Where two names stop sharing whole directory components: just past the last '/' of their
// common prefix (0 if none). Those components are equal directories in both, so the comparison
// can start there. Names the walker rewrites ("." and "x/.") start at 0.
// "." and "x/." (directories the walker rewrites).
bool is_dot_dir(SortName n) {
    return n.is_dir && (n.name == "." || n.name.ends_with("/."));
}

size_t shared_dirs_end(SortName a, SortName b) {
    if (is_dot_dir(a) || is_dot_dir(b)) return 0;
    const size_t limit = std::min(a.name.size(), b.name.size());
    size_t common = 0;
    while (common < limit && a.name[common] == b.name[common]) ++common;
    const size_t slash = a.name.substr(0, common).rfind('/');
    return slash == std::string_view::npos ? 0 : slash + 1;
}

int sign_of_byte_diff(unsigned char a, unsigned char b) {
    return a < b ? -1 : (a > b ? 1 : 0);
}

// Compares x + suffix with y + suffix where suffix is "/" for directories and "" for files.
int compare_components(std::string_view x, std::string_view y, bool with_slash) {
    const size_t common = std::min(x.size(), y.size());
    for (size_t i = 0; i < common; ++i) {
        const int d =
            sign_of_byte_diff(static_cast<unsigned char>(x[i]), static_cast<unsigned char>(y[i]));
        if (d != 0) return d;
    }
    if (x.size() == y.size()) return 0;
    const bool x_shorter = x.size() < y.size();
    if (!with_slash) return x_shorter ? -1 : 1;
    // The shorter one continues with '/', the longer one with its next byte.
    const auto longer_next = static_cast<unsigned char>(x_shorter ? y[common] : x[common]);
    const int d = sign_of_byte_diff('/', longer_next);
    return x_shorter ? d : -d;
}

}  // namespace

int compare_sort_names(SortName a, SortName b) {
    const size_t from = shared_dirs_end(a, b);
    ComponentWalker wa(a, from);
    ComponentWalker wb(b, from);
    for (;;) {
        if (!wa.more()) return wb.more() ? -1 : 0;
        if (!wb.more()) return 1;
        bool a_dir = false;
        bool b_dir = false;
        const std::string_view ca = wa.next(a_dir);
        const std::string_view cb = wb.next(b_dir);
        if (a_dir != b_dir) return a_dir ? 1 : -1;  // files before directories
        const int d = compare_components(ca, cb, a_dir);
        if (d != 0) return d;
        if (!a_dir) return 0;  // two equal file components are both last
    }
}

namespace {

// The length of the directory part ("a/b/" of "a/b/c") all entries share, when every entry is
// a plain child of that one directory (no "." or "x/."): one directory's listing, the usual
// segment. Then the order is simply files before directories, each by their last component.
std::optional<size_t> shared_parent(std::span<const FileEntry> entries) {
    if (entries.empty()) return std::nullopt;
    const std::string_view first = entries[0].name;
    const size_t slash = first.rfind('/');
    const size_t parent_len = slash == std::string_view::npos ? 0 : slash + 1;
    const std::string_view parent = first.substr(0, parent_len);
    for (const auto& e : entries) {
        const std::string_view n = e.name;
        if (n.size() <= parent_len || n.compare(0, parent_len, parent) != 0) return std::nullopt;
        if (n.find('/', parent_len) != std::string_view::npos) return std::nullopt;
        if (is_dot_dir(sort_name(e))) return std::nullopt;
    }
    return parent_len;
}

}  // namespace

std::vector<uint32_t> sorted_order(std::span<const FileEntry> entries) {
    std::vector<uint32_t> order(entries.size());
    std::iota(order.begin(), order.end(), 0u);
    if (auto parent_len = shared_parent(entries)) {
        const size_t p = *parent_len;
        std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
            const FileEntry& a = entries[x];
            const FileEntry& b = entries[y];
            const bool a_dir = a.is_dir();
            if (a_dir != b.is_dir()) return !a_dir;  // files before directories
            const std::string_view la = std::string_view(a.name).substr(p);
            const std::string_view lb = std::string_view(b.name).substr(p);
            return compare_components(la, lb, a_dir) < 0;
        });
        return order;
    }
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
        return compare_sort_names(sort_name(entries[x]), sort_name(entries[y])) < 0;
    });
    return order;
}

void sort_entries(std::vector<FileEntry>& entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const FileEntry& x, const FileEntry& y) {
        return compare_sort_names(sort_name(x), sort_name(y)) < 0;
    });
}

// mirrors the duplicate pass of rsync flist.c:flist_sort_and_clean (receiver side)
std::vector<bool> find_duplicates(std::span<const FileEntry> entries,
                                  std::span<const uint32_t> order) {
    std::vector<bool> dropped(entries.size(), false);
    if (order.empty()) return dropped;
    auto at = [&](size_t sorted_pos) -> const FileEntry& { return entries[order[sorted_pos]]; };

    size_t prev = 0;  // sorted position of the last kept entry
    for (size_t i = 1; i < order.size(); ++i) {
        const FileEntry& item = at(i);
        std::optional<size_t> twin;
        if (compare_sort_names(sort_name(item), sort_name(at(prev))) == 0) {
            twin = prev;
        } else if (item.is_dir()) {
            // A directory may duplicate a non-directory of the same name sorted earlier.
            const SortName as_file{item.name, false};
            size_t lo = 0;
            size_t hi = i;
            while (lo < hi) {
                const size_t mid = lo + (hi - lo) / 2;
                if (compare_sort_names(sort_name(at(mid)), as_file) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (size_t k = lo; k < i && compare_sort_names(sort_name(at(k)), as_file) == 0; ++k) {
                if (!dropped[order[k]]) {
                    twin = k;
                    break;
                }
            }
        }
        if (!twin) {
            prev = i;
            continue;
        }
        if (item.is_dir() && !at(*twin).is_dir()) {
            dropped[order[*twin]] = true;  // the directory wins
            prev = i;
        } else {
            dropped[order[i]] = true;  // the first one wins
        }
    }
    return dropped;
}

}  // namespace ursync::protocol
