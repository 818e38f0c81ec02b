// Tests of rsync's file-list order: documented tricky trees, rsync's captured order, live rsync.
#include "protocol/flist_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "flist_test_util.h"
#include "tests/util/stock_rsync.h"

namespace ursync::protocol {
namespace {

FileEntry make(std::string name, bool dir) {
    FileEntry e;
    e.name = std::move(name);
    e.mode = dir ? (k_mode_dir | 0755) : (k_mode_regular | 0644);
    return e;
}

// Sorting any permutation of `expected` gives `expected`.
void expect_sorts_to(const std::vector<FileEntry>& expected, uint32_t seed) {
    std::mt19937 rng(seed);
    for (int round = 0; round < 20; ++round) {
        std::vector<FileEntry> shuffled = expected;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        sort_entries(shuffled);
        std::vector<std::string> got;
        std::vector<std::string> want;
        for (const auto& e : shuffled) got.push_back(e.name);
        for (const auto& e : expected) want.push_back(e.name);
        ASSERT_EQ(got, want) << "round " << round;
    }
}

TEST(FlistSort, DocumentedTrickyTree) {
    // rsync-protocol.md §7.9, verified against rsync 3.5.0.
    const std::vector<FileEntry> expected = {
        make(".", true),         make("Z", false),     make("a b.txt", false), make("a-b", false),
        make("a.txt", false),    make("ab", false),    make("zz", false),      make("\x7f", false),
        make("\xc3\xa9", false), make("A", true),      make("A/q", false),     make("_x", true),
        make("_x/y", false),     make("a b", true),    make("a-", true),       make("a-/f", false),
        make("a.d", true),       make("a.d/f", false), make("a", true),        make("a/b c", false),
        make("a/b-", false),     make("a/z", false),   make("a/b", true),      make("a/b/c", false),
    };
    expect_sorts_to(expected, 1);
}

TEST(FlistSort, RsyncCapturedOrder) {
    // sort_rsync_full.txt: rsync 3.5.0's own order of a tree; an entry is a directory when
    // another entry lies below it, or it is the empty directory "a b" (§7.9's "a b/"). Other
    // leaves are files (each is alone in its directory, so its kind cannot change the order).
    std::istringstream lines(flist_test::read_text("sort_rsync_full.txt"));
    std::vector<std::string> names;
    for (std::string line; std::getline(lines, line);) names.push_back(line);
    ASSERT_EQ(names.size(), 39u);
    std::vector<FileEntry> expected;
    for (const auto& name : names) {
        const bool has_children = std::any_of(names.begin(), names.end(), [&](const auto& other) {
            return other.size() > name.size() + 1 && other.compare(0, name.size(), name) == 0 &&
                   other[name.size()] == '/';
        });
        expected.push_back(make(name, name == "." || name == "a b" || has_children));
    }
    expect_sorts_to(expected, 2);
}

TEST(FlistSort, ComparatorRules) {
    auto cmp = [](std::string_view a, bool ad, std::string_view b, bool bd) {
        return compare_sort_names({a, ad}, {b, bd});
    };
    EXPECT_LT(cmp(".", true, "a", false), 0);      // the root first
    EXPECT_LT(cmp("zzz", false, "a", true), 0);    // files before directories
    EXPECT_LT(cmp("a", true, "a/b", false), 0);    // a directory before its contents
    EXPECT_LT(cmp("a/z", false, "a/b", true), 0);  // files before subdirectories
    EXPECT_LT(cmp("a.d", true, "a", true), 0);     // "a.d/" < "a/"
    EXPECT_LT(cmp("a", false, "ab", false), 0);    // shorter prefix first
    EXPECT_LT(cmp("a", false, "\x80", false), 0);  // bytes are unsigned
    EXPECT_EQ(cmp("same", false, "same", false), 0);
    EXPECT_EQ(cmp("d", true, "d", true), 0);
    EXPECT_NE(cmp("d", true, "d", false), 0);        // a dir and a file never compare equal
    EXPECT_EQ(cmp("x/.", true, "x", true), 0);       // "x/." is the directory "x"
    EXPECT_GT(cmp("a/b", false, "a", false), 0);     // file "a" vs things in dir "a"
    EXPECT_LT(cmp("a!/x", false, "a/x", false), 0);  // "a!/" < "a/"
}

TEST(FlistSort, SortedOrderIsStableForDuplicates) {
    std::vector<FileEntry> entries = {make("b", false), make("a", false), make("b", false),
                                      make("a", true), make("a", false)};
    entries[0].size = 1;
    entries[2].size = 2;
    const std::vector<uint32_t> order = sorted_order(entries);
    EXPECT_EQ(order, (std::vector<uint32_t>{1, 4, 0, 2, 3}));
    const std::vector<bool> dropped = find_duplicates(entries, order);
    // The second "a" file and the second "b" are dropped; the directory "a" beats file "a".
    EXPECT_EQ(dropped, (std::vector<bool>{false, true, true, false, true}));
}

TEST(FlistSort, DuplicateDirectoriesKeepTheFirst) {
    const std::vector<FileEntry> entries = {make("d", true), make("d", true), make("d/x", false)};
    const auto dropped = find_duplicates(entries, sorted_order(entries));
    EXPECT_EQ(dropped, (std::vector<bool>{false, true, false}));
}

// ---- live comparison with the installed rsync ----

std::string run_capture(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    if (pclose(pipe) != 0) out.clear();
    return out;
}

// One line of `rsync --list-only`: "<perms> <size> <date> <time> <name>".
bool parse_list_line(const std::string& line, FileEntry& out) {
    size_t p = 0;
    for (int field = 0; field < 4; ++field) {
        while (p < line.size() && line[p] == ' ') ++p;
        while (p < line.size() && line[p] != ' ') ++p;
    }
    if (p + 1 >= line.size()) return false;
    out = make(line.substr(p + 1), line[0] == 'd');
    return true;
}

// One directory's listing takes a faster path; it must give the comparator's order exactly,
// names that are prefixes of each other, bytes around '/', files and directories of one name.
TEST(FlistSort, OneDirectoryListingMatchesTheComparator) {
    std::mt19937 rng(20261207);
    const std::string alphabet = std::string("ab.-_~") + '\x2e' + '\x30' + '\xff' + '\x01';
    for (int round = 0; round < 300; ++round) {
        const std::string parent = round % 3 == 0 ? "" : (round % 3 == 1 ? "d/" : "x/y.z/");
        std::vector<FileEntry> entries;
        const int n = 1 + static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) {
            std::string leaf;
            const int len = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < len; ++k) leaf += alphabet[rng() % alphabet.size()];
            FileEntry e;
            e.name = parent + leaf;
            e.mode = (rng() % 3 == 0) ? 040755u : 0100644u;
            entries.push_back(e);
        }
        const auto fast = sorted_order(entries);
        std::vector<uint32_t> slow(entries.size());
        std::iota(slow.begin(), slow.end(), 0u);
        std::stable_sort(slow.begin(), slow.end(), [&](uint32_t x, uint32_t y) {
            return compare_sort_names(sort_name(entries[x]), sort_name(entries[y])) < 0;
        });
        ASSERT_EQ(fast, slow) << "round " << round;
    }
}

TEST(FlistSort, MatchesLiveRsyncOnRandomTrees) {
    if (!tests::have_rsync()) GTEST_SKIP() << "rsync not installed";
    const std::string alphabet = " !#%+,-.09:=@AZ_az~";
    std::mt19937 rng(42);
    auto random_name = [&] {
        std::string name;
        const size_t len = 1 + rng() % 4;
        for (size_t i = 0; i < len; ++i) name += alphabet[rng() % alphabet.size()];
        if (name == "." || name == "..") name += "x";
        return name;
    };
    for (int tree = 0; tree < 5; ++tree) {
        char templ[] = "/tmp/ursync-sort-XXXXXX";
        ASSERT_NE(mkdtemp(templ), nullptr);
        const std::filesystem::path root(templ);
        std::vector<std::filesystem::path> dirs = {root};
        std::set<std::string> used;
        for (int i = 0; i < 150; ++i) {
            const auto& parent = dirs[rng() % dirs.size()];
            const auto path = parent / random_name();
            if (!used.insert(path.string()).second) continue;
            if (rng() % 3 == 0) {
                std::filesystem::create_directory(path);
                dirs.push_back(path);
            } else {
                std::ofstream(path) << "x";
            }
        }
        const std::string listing =
            run_capture("rsync -r --no-inc-recursive --list-only '" + root.string() + "/'");
        std::filesystem::remove_all(root);
        ASSERT_FALSE(listing.empty()) << "rsync --list-only failed";
        std::vector<FileEntry> expected;
        std::istringstream lines(listing);
        for (std::string line; std::getline(lines, line);) {
            FileEntry e;
            ASSERT_TRUE(parse_list_line(line, e)) << line;
            expected.push_back(e);
        }
        ASSERT_GT(expected.size(), 50u);
        expect_sorts_to(expected, static_cast<uint32_t>(tree));
    }
}

}  // namespace
}  // namespace ursync::protocol
