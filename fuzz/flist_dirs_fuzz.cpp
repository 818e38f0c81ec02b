// Fuzzes the incremental-recursion directory table (DirTable) against a small model: random
// sequences of segments added, segment markers opened (valid, repeated, removed, unknown, after
// the end), entries checked against their segment's directory; and the index arithmetic.
//
// Input: a sequence of operations, each a byte (low 3 bits pick it) and its operands.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/flist_dirs.h"
#include "protocol/flist_sort.h"

using namespace ursync::protocol;

namespace {

constexpr size_t k_ops_max = 256;         // keeps each run fast
constexpr size_t k_segment_len_max = 16;  // entries per added segment
constexpr size_t k_name_len_max = 24;
constexpr size_t k_dirs_max = 512;  // the table is compared with the model after each op

class Input {
  public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint32_t u32() {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= uint32_t{byte()} << (8 * i);
        return v;
    }
    std::string name() {
        std::string out;
        const size_t n = byte() % (k_name_len_max + 1);
        for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(byte()));
        return out;
    }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

struct ModelDir {
    std::string name;
    bool active = true;
    bool got_segment = false;
};

struct Model {
    std::vector<ModelDir> dirs;
    bool finished = false;
};

FileEntry entry(std::string name, bool dir) {
    FileEntry e;
    e.name = std::move(name);
    e.mode = dir ? (k_mode_dir | 0755) : (k_mode_regular | 0644);
    return e;
}

// The parent part of a name, written independently of dir_part.
std::string parent_of(std::string_view name) {
    std::string out;
    for (size_t i = name.size(); i-- > 0;) {
        if (name[i] == '/') return std::string(name.substr(0, i));
    }
    return out;
}

void check_same(const DirTable& table, const Model& model) {
    URSYNC_FUZZ_CHECK(table.size() == model.dirs.size());
    URSYNC_FUZZ_CHECK(table.finished() == model.finished);
    for (size_t i = 0; i < model.dirs.size(); ++i) {
        URSYNC_FUZZ_CHECK(table.name(i) == model.dirs[i].name);
        URSYNC_FUZZ_CHECK(table.active(i) == model.dirs[i].active);
        URSYNC_FUZZ_CHECK(table.has_segment(i) == model.dirs[i].got_segment);
    }
}

void add_segment(Input& in, DirTable& table, Model& model) {
    const size_t n = model.dirs.size() < k_dirs_max ? in.byte() % (k_segment_len_max + 1) : 0;
    std::vector<FileEntry> entries;
    std::vector<bool> dropped;
    const size_t dropped_len = in.byte() % (n + 1);  // may be shorter than entries
    for (size_t i = 0; i < n; ++i) {
        const uint8_t flags = in.byte();
        entries.push_back(entry(in.name(), (flags & 1) != 0));
        if (i < dropped_len) dropped.push_back((flags & 2) != 0);
    }
    const size_t before = model.dirs.size();
    URSYNC_FUZZ_CHECK(table.add_segment(entries, dropped).has_value());
    // The model: the directories in received order, then a stable insertion sort.
    std::vector<ModelDir> added;
    for (size_t i = 0; i < n; ++i) {
        if (!entries[i].is_dir()) continue;
        const bool is_dropped = i < dropped.size() && dropped[i];
        ModelDir d{entries[i].name, !is_dropped, false};
        size_t at = added.size();
        while (at > 0 && compare_sort_names({added[at - 1].name, true}, {d.name, true}) > 0) --at;
        added.insert(added.begin() + static_cast<std::ptrdiff_t>(at), std::move(d));
    }
    model.dirs.insert(model.dirs.end(), added.begin(), added.end());
    for (size_t i = before + 1; i < model.dirs.size(); ++i) {
        const int ab =
            compare_sort_names({model.dirs[i - 1].name, true}, {model.dirs[i].name, true});
        const int ba =
            compare_sort_names({model.dirs[i].name, true}, {model.dirs[i - 1].name, true});
        URSYNC_FUZZ_CHECK(ab <= 0 && (ab < 0) == (ba > 0) && (ab == 0) == (ba == 0));
    }
}

void open_segment(Input& in, DirTable& table, Model& model) {
    const uint8_t how = in.byte();
    int32_t ndx;
    if (how & 1) {
        ndx = static_cast<int32_t>(in.u32());  // anything at all
    } else {
        ndx = segment_ndx(how / 2 % (model.dirs.size() + 2));  // a marker, maybe out of range
    }
    auto got = table.open_segment(ndx);
    const int64_t dir = ndx <= k_ndx_flist_offset ? int64_t{k_ndx_flist_offset} - ndx : -1;
    const bool ok = !model.finished && dir >= 0 && static_cast<size_t>(dir) < model.dirs.size() &&
                    model.dirs[static_cast<size_t>(dir)].active &&
                    !model.dirs[static_cast<size_t>(dir)].got_segment;
    URSYNC_FUZZ_CHECK(got.has_value() == ok);
    if (ok) {
        URSYNC_FUZZ_CHECK(*got == static_cast<size_t>(dir));
        model.dirs[static_cast<size_t>(dir)].got_segment = true;
    } else {
        URSYNC_FUZZ_CHECK(!got.error().incomplete() && !got.error().what.empty());
    }
}

void check_entry(Input& in, const DirTable& table, const Model& model) {
    const size_t dir = in.byte() % (model.dirs.size() + 2);
    std::string name = in.name();
    if ((in.byte() & 1) && dir < model.dirs.size())
        name = model.dirs[dir].name + "/" + name;  // often a name that belongs there
    URSYNC_FUZZ_CHECK(dir_part(name) == parent_of(name));
    const bool ok = dir < model.dirs.size() && parent_of(name) == model.dirs[dir].name;
    URSYNC_FUZZ_CHECK(table.check_segment_entry(dir, name).has_value() == ok);
    // ("/x" has an empty directory part too: absolute names are refused by the name checks)
    URSYNC_FUZZ_CHECK(DirTable::check_top_segment_entry(name).has_value() ==
                      parent_of(name).empty());
}

void check_arithmetic(Input& in) {
    const auto start = static_cast<int32_t>(in.u32());
    const size_t count = in.u32();
    auto next = next_ndx_start(start, count);
    const int64_t want = int64_t{start} + static_cast<int64_t>(count) + 1;
    URSYNC_FUZZ_CHECK(next.has_value() ==
                      (count <= size_t{k_ndx_max} && want <= int64_t{k_ndx_max}));
    if (next) URSYNC_FUZZ_CHECK(*next == want);

    const size_t dir = in.u32() % k_dir_count_max;
    const int32_t marker = segment_ndx(dir);
    URSYNC_FUZZ_CHECK(marker <= k_ndx_flist_offset && marker >= -k_ndx_max);
    URSYNC_FUZZ_CHECK(dir_ndx_of_segment(marker) == static_cast<int64_t>(dir));
    const auto any = static_cast<int32_t>(in.u32());
    const int64_t back = dir_ndx_of_segment(any);
    URSYNC_FUZZ_CHECK((back < 0) == (any > k_ndx_flist_offset));
    if (back >= 0 && static_cast<uint64_t>(back) < k_dir_count_max)
        URSYNC_FUZZ_CHECK(segment_ndx(static_cast<size_t>(back)) == any);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    DirTable table;
    Model model;
    for (size_t op = 0; op < k_ops_max && !in.empty(); ++op) {
        switch (in.byte() & 7) {
            case 0:
            case 1:
                add_segment(in, table, model);
                break;
            case 2:
            case 3:
                open_segment(in, table, model);
                break;
            case 4:
            case 5:
                check_entry(in, table, model);
                break;
            case 6:
                table.finish();
                model.finished = true;
                break;
            default:
                check_arithmetic(in);
                break;
        }
        check_same(table, model);
    }
    return 0;
}
