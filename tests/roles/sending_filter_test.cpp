// Filter rules: rsync's documented matching, and the same selections as a live stock rsync.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "roles/filter/filter.h"
#include "roles/filter/filter_wildmatch.h"
#include "roles/filter/filter_wire.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles {
namespace {

namespace fsys = std::filesystem;

FilterList rules(std::vector<std::string> text) {
    auto list = FilterList::parse(text);
    EXPECT_TRUE(list) << (list ? "" : list.error().what);
    return list ? std::move(*list) : FilterList{};
}

bool excl(const FilterList& l, std::string_view name, bool dir = false) {
    return l.excluded(name, dir, FilterSide::sender);
}

TEST(SendFilterWildmatch, StarsQuestionAndClasses) {
    EXPECT_TRUE(wild_match("*.o", "a.o"));
    EXPECT_FALSE(wild_match("*.o", "d/a.o"));
    EXPECT_TRUE(wild_match("**.o", "d/a.o"));
    EXPECT_TRUE(wild_match("a/**/b", "a/x/y/b"));
    EXPECT_TRUE(wild_match("a/**/b", "a//b"));
    EXPECT_FALSE(wild_match("a/**/b", "a/b"));
    EXPECT_TRUE(wild_match("?.txt", "a.txt"));
    EXPECT_FALSE(wild_match("?", "/"));
    EXPECT_TRUE(wild_match("[a-c]x", "bx"));
    EXPECT_FALSE(wild_match("[!a-c]x", "bx"));
    EXPECT_TRUE(wild_match("[^a-c]x", "dx"));
    EXPECT_TRUE(wild_match("[[:digit:]]*", "7up"));
    EXPECT_FALSE(wild_match("[[:digit:]]*", "up"));
    EXPECT_FALSE(wild_match("[[:bogus:]]", "b"));  // malformed class: no match at all
    EXPECT_TRUE(wild_match("\\*", "*"));
    EXPECT_FALSE(wild_match("\\*", "x"));
    EXPECT_TRUE(wild_match("[]]", "]"));
    EXPECT_FALSE(wild_match("[/]", "/"));
    EXPECT_TRUE(wild_match("b", "a/b", {2}) == false);
    EXPECT_TRUE(wild_match("a/b", "x/a/b", {2}));
    EXPECT_TRUE(wild_match("b*", "x/bc", {-1}));
    EXPECT_FALSE(wild_match("b*", "x/cb", {-1}));
}

TEST(SendFilterWildmatch, HostilePatternStaysFast) {
    std::string text(4000, 'a');
    std::string pat;
    for (int i = 0; i < 40; ++i) pat += "*a";
    pat += "b";
    EXPECT_FALSE(wild_match(pat, text));
    EXPECT_FALSE(wild_match("**" + pat, text, {-1}));
}

TEST(SendFilterParse, PrefixesKeywordsAndModifiers) {
    auto l = rules({"- *.o", "+ keep/", "-! notthis", "exclude foo", "include,s bar", "P prot",
                    "H hid", "-/ /abs", "R risk", "S show"});
    const auto& r = l.rules();
    ASSERT_EQ(r.size(), 10u);
    EXPECT_FALSE(r[0].include);
    EXPECT_EQ(r[0].pattern, "*.o");
    EXPECT_TRUE(r[1].include && r[1].dir_only);
    EXPECT_EQ(r[1].pattern, "keep");
    EXPECT_TRUE(r[2].negate);
    EXPECT_EQ(r[3].pattern, "foo");
    EXPECT_TRUE(r[4].include && r[4].sender_side);
    EXPECT_TRUE(r[5].receiver_side && !r[5].include);
    EXPECT_TRUE(r[6].sender_side && !r[6].include);
    EXPECT_TRUE(r[7].abs_path);
    EXPECT_TRUE(r[8].receiver_side && r[8].include);
    EXPECT_TRUE(r[9].sender_side && r[9].include);
}

TEST(SendFilterParse, ErrorsAreSyntaxErrors) {
    for (const char* bad : {"x foo", "-", "+", "! x", "-z foo", "exclud foo", ":! x"}) {
        FilterList l;
        auto r = l.add(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ExitCode::syntax) << bad;
    }
    FilterList l;
    auto r = l.add(". /etc/rules");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ExitCode::unsupported);
}

TEST(SendFilterParse, ClearAndDeleteExcluded) {
    FilterList l = rules({"- a", "- b", "!", "- c"});
    ASSERT_EQ(l.rules().size(), 1u);
    EXPECT_EQ(l.rules()[0].pattern, "c");
    auto d = FilterList::parse({"- x", "P y"}, FilterParseOptions{true});
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->rules()[0].sender_side);
    EXPECT_FALSE(d->rules()[1].sender_side);
    // Sender-side rules do not protect on the receiver.
    EXPECT_FALSE(d->excluded("x", false, FilterSide::receiver));
    EXPECT_TRUE(d->excluded("y", false, FilterSide::receiver));
    EXPECT_FALSE(d->excluded("y", false, FilterSide::sender));
}

TEST(SendFilterMatch, BasenameSlashesAnchorsAndDirs) {
    auto l = rules({"- *.o"});
    EXPECT_TRUE(excl(l, "a.o"));
    EXPECT_TRUE(excl(l, "d/e/a.o"));
    EXPECT_FALSE(excl(l, "a.o/x"));

    auto anchored = rules({"- /top"});
    EXPECT_TRUE(excl(anchored, "top"));
    EXPECT_FALSE(excl(anchored, "d/top"));

    auto slash = rules({"- d/e"});
    EXPECT_TRUE(excl(slash, "d/e"));
    EXPECT_TRUE(excl(slash, "x/d/e"));
    EXPECT_FALSE(excl(slash, "xd/e"));

    auto dir_only = rules({"- build/"});
    EXPECT_TRUE(excl(dir_only, "build", true));
    EXPECT_FALSE(excl(dir_only, "build", false));

    auto wild3 = rules({"- d/***"});
    EXPECT_TRUE(excl(wild3, "d", true));
    EXPECT_TRUE(excl(wild3, "d/x/y"));

    auto wild2 = rules({"- **/deep"});
    EXPECT_TRUE(excl(wild2, "deep"));
    EXPECT_TRUE(excl(wild2, "a/b/deep"));

    auto first = rules({"+ keep.o", "- *.o"});
    EXPECT_FALSE(excl(first, "keep.o"));
    EXPECT_EQ(first.check("keep.o", false, FilterSide::sender), 1);
    EXPECT_TRUE(excl(first, "other.o"));
    EXPECT_EQ(first.check("x.c", false, FilterSide::sender), 0);

    auto neg = rules({"-! *.txt"});
    EXPECT_TRUE(excl(neg, "a.c"));
    EXPECT_FALSE(excl(neg, "a.txt"));

    auto perish = rules({"-p *.tmp"});
    EXPECT_TRUE(perish.excluded("a.tmp", false, FilterSide::receiver));
    EXPECT_FALSE(perish.excluded("a.tmp", false, FilterSide::receiver, nullptr, true));
}

TEST(SendFilterMatch, CvsExclude) {
    auto l = rules({"-C"});
    EXPECT_TRUE(excl(l, "core"));
    EXPECT_TRUE(excl(l, "d/x.o"));
    EXPECT_TRUE(excl(l, ".git", true));
    EXPECT_FALSE(excl(l, ".git", false));
    EXPECT_FALSE(excl(l, "main.c"));
}

TEST(SendFilterMatch, PerDirectoryMergeLayers) {
    auto l = rules({"- *.o", ": .rules", "- *.tmp"});
    ASSERT_TRUE(l.has_dir_merges());
    auto top = l.merge_layer(nullptr, {std::string("+ keep.tmp\n- /only-here\n# c\n")}, ".");
    ASSERT_TRUE(top) << top.error().what;
    EXPECT_FALSE(l.excluded("keep.tmp", false, FilterSide::sender, &*top));
    EXPECT_TRUE(l.excluded("only-here", false, FilterSide::sender, &*top));
    EXPECT_TRUE(l.excluded("x.tmp", false, FilterSide::sender, &*top));
    auto sub = l.merge_layer(&*top, {std::string("- /local\n")}, "sub");
    ASSERT_TRUE(sub);
    EXPECT_TRUE(l.excluded("sub/local", false, FilterSide::sender, &*sub));
    EXPECT_FALSE(l.excluded("local", false, FilterSide::sender, &*sub));
    EXPECT_FALSE(l.excluded("sub/keep.tmp", false, FilterSide::sender, &*sub));  // inherited
    auto none = l.merge_layer(&*top, {std::string("!\n")}, "sub2");
    ASSERT_TRUE(none);
    EXPECT_TRUE(l.excluded("sub2/keep.tmp", false, FilterSide::sender, &*none));

    auto cvs = rules({":C"});
    auto c = cvs.merge_layer(nullptr, {std::string("foo bar\n*.x")}, ".");
    ASSERT_TRUE(c);
    EXPECT_TRUE(cvs.excluded("foo", false, FilterSide::sender, &*c));
    EXPECT_TRUE(cvs.excluded("q.x", false, FilterSide::sender, &*c));
    auto child = cvs.merge_layer(&*c, {std::nullopt}, "d");
    ASSERT_TRUE(child);
    EXPECT_FALSE(cvs.excluded("d/foo", false, FilterSide::sender, &*child));  // 'n': not inherited
}

// --- against a live stock rsync ---

struct TempTree {
    fsys::path root;
    TempTree() {
        char tmpl[] = "/tmp/ursync-filter-XXXXXX";
        root = ::mkdtemp(tmpl);
        for (const char* d : {"src", "src/keep", "src/dir", "src/dir/sub", "src/.git", "src/x",
                              "src/x/y", "src/build", "src/a.txt.d"})
            fsys::create_directories(root / d);
        for (const char* f : {"a.txt", "b.o", "keep/x.o", "keep/y.txt", "dir/sub/deep.txt",
                              "dir/z.o", "notthis", "core", ".git/config", "x/y/z.c", "sp ace.txt",
                              "[br].txt", "build/out.bin", "a.txt.d/in", "dir/sub/keep.o", "x/top"})
            std::ofstream(root / "src" / f) << f;
    }
    ~TempTree() { fsys::remove_all(root); }
};

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// What `rsync -r --list-only --filter=RULE... src/` lists (names, without ".").
std::set<std::string> rsync_selection(const fsys::path& src, const std::vector<std::string>& rs) {
    std::string cmd = "rsync -r --list-only";
    for (const auto& r : rs) cmd += " --filter=" + shell_quote(r);
    cmd += " " + shell_quote(src.string() + "/") + " 2>&1";
    std::set<std::string> out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char line[8192];
    while (std::fgets(line, sizeof line, p)) {
        std::string l(line);
        if (!l.empty() && l.back() == '\n') l.pop_back();
        // "drwxr-xr-x          4,096 2024/01/02 03:04:05 name"
        size_t pos = 0;
        for (int field = 0; field < 4 && pos != std::string::npos; ++field) {
            pos = l.find_first_not_of(' ', pos);
            pos = l.find(' ', pos);
        }
        if (pos == std::string::npos) continue;
        std::string name = l.substr(pos + 1);
        if (name != ".") out.insert(name);
    }
    ::pclose(p);
    return out;
}

// The sender's walk: an excluded directory is not descended into.
void walk(const FilterList& l, const fsys::path& base, const std::string& rel,
          std::set<std::string>& out) {
    std::vector<fsys::directory_entry> kids;
    for (auto& e : fsys::directory_iterator(base / rel)) kids.push_back(e);
    for (auto& e : kids) {
        std::string name = (rel.empty() ? "" : rel + "/") + e.path().filename().string();
        bool dir = e.is_directory();
        if (l.excluded(name, dir, FilterSide::sender)) continue;
        out.insert(name);
        if (dir) walk(l, base, name, out);
    }
}

TEST(SendFilterLive, SameSelectionAsStockRsync) {
    if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync not installed";
    TempTree t;
    const std::vector<std::vector<std::string>> cases = {
        {"- *.o"},
        {"+ keep/", "+ keep/**", "- *.o"},
        {"- /dir/"},
        {"- dir/sub"},
        {"- sub/"},
        {"- **/deep.txt"},
        {"- dir/***"},
        {"+ */", "+ *.txt", "- *"},
        {"-! *.txt"},
        {"- [b]*", "- ?.txt"},
        {"- [[:alpha:]].o", "- \\[br].txt"},
        {"- *", "+ a.txt"},
        {"- core", "!", "- a.txt"},
        {"exclude b.o", "- x/*/z.c"},
        {"- a.txt/", "- a.txt.d/"},
        {"-C"},
        {"- *.txt*"},
        {"- /x/y/"},
        {"- x/**"},
        {"- **/y/z.c"},
        {"+ dir/sub/keep.o", "- *.o"},
        {"- sp ace.txt"},
        {"- /*/*"},
        {"H *.o"},
        {"P *.o"},
    };
    for (const auto& c : cases) {
        auto l = FilterList::parse(c);
        ASSERT_TRUE(l) << c[0];
        std::set<std::string> ours;
        walk(*l, t.root / "src", "", ours);
        auto theirs = rsync_selection(t.root / "src", c);
        std::string label;
        for (const auto& r : c) label += "[" + r + "] ";
        EXPECT_EQ(ours, theirs) << label;
    }
}

// What a client sends its server: rules for the other side only, and with --delete-excluded a
// sending client keeps its side-less rules (a per-directory merge file with prefixes still
// goes). mirrors rsync exclude.c:send_rules
TEST(SendFilterRulesForPeer, SidesAndDeleteExcluded) {
    cli::Options o;
    o.filter_rules = {"- *.tmp", "-s secret", "+r keep", "exclude,s long-sender",
                      "protect p*", ": .rules", ":n .plain", "dir-merge .more", "dir-merge,n .np"};
    EXPECT_EQ(filter_rules_for_peer(o, true, 32),
              (std::vector<std::string>{"- *.tmp", "+r keep", "protect p*", ": .rules", ":n .plain",
                                        "dir-merge .more", "dir-merge,n .np"}));
    EXPECT_EQ(filter_rules_for_peer(o, false, 32),
              (std::vector<std::string>{"- *.tmp", "-s secret", "exclude,s long-sender", ": .rules",
                                        ":n .plain", "dir-merge .more", "dir-merge,n .np"}));
    o.delete_excluded = true;
    EXPECT_EQ(filter_rules_for_peer(o, true, 32),
              (std::vector<std::string>{"+r keep", "protect p*", ": .rules", "dir-merge .more"}));
    // A receiving client sends them all: on the sender they decide what is listed.
    EXPECT_EQ(filter_rules_for_peer(o, false, 32).size(), 7u);
    o.cvs_exclude = true;
    EXPECT_EQ(filter_rules_for_peer(o, true, 32).size(), 4u);
    o.delete_excluded = false;
    auto with_cvs = filter_rules_for_peer(o, true, 32);
    ASSERT_GE(with_cvs.size(), 2u);
    EXPECT_EQ(with_cvs[with_cvs.size() - 2], ":C");
    EXPECT_EQ(with_cvs.back(), "-C");
}

}  // namespace
}  // namespace ursync::roles
