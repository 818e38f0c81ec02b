// The implied-include rules of a pulling client's source args: the same rules as stock rsync
// builds (its --debug=filter3 lines), and which received names they let through.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "roles/filter/implied_rules.h"
#include "roles/recv/core/requested_names.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles {
namespace {

struct Case {
    ImpliedRuleOptions options;
    std::vector<std::string> args;
};

ImpliedRules rules_for(const Case& c) {
    ImpliedRules rules(c.options);
    for (const auto& a : c.args) rules.add_arg(a);
    return rules;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

// What stock rsync prints for the same args: its add_implied_include(...) debug lines, made
// before it starts the remote shell (which here fails at once).
std::string stock_rules(const Case& c) {
    std::string cmd = "rsync -n --debug=FILTER3 -e false";
    if (c.options.relative) cmd += " -R";
    if (c.options.recurse)
        cmd += " -r";
    else if (c.options.dirs)
        cmd += " -d";
    for (size_t i = 0; i < c.args.size(); ++i)
        cmd += std::string(" '") + (i == 0 ? "localhost:" : ":") + c.args[i] + "'";
    cmd += " /nonexistent-dest 2>/dev/null";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, p)) {
            std::string line(buf);
            const std::string key = "add_implied_include(";
            const size_t at = line.find(key);
            const size_t end = line.rfind(')');
            if (at == std::string::npos || end == std::string::npos) continue;
            out += line.substr(at + key.size(), end - at - key.size()) + "\n";
        }
        ::pclose(p);
    }
    return out;
}

const ImpliedRuleOptions k_plain{};
const ImpliedRuleOptions k_r{false, true, true};
const ImpliedRuleOptions k_d{false, false, true};
const ImpliedRuleOptions k_rr{true, true, true};
const ImpliedRuleOptions k_rd{true, false, true};
const ImpliedRuleOptions k_rel{true, false, false};

const std::vector<Case> k_cases = {
    {k_r, {"src/sub"}},
    {k_r, {"src/sub/"}},
    {k_d, {"src/sub/"}},
    {k_plain, {"src/sub/"}},
    {k_plain, {"src/sub"}},
    {k_r, {"src/sub", "src/x.txt", "other/y"}},
    {k_r, {"."}},
    {k_r, {"src/."}},
    {k_r, {"src/./"}},
    {k_r, {"src//sub//"}},
    {k_r, {"src/*.txt"}},
    {k_r, {"src/br[a]ck"}},
    {k_r, {"src/a\\b"}},
    {k_r, {"src/a\\]b"}},
    {k_r, {"src/a\\*b?"}},
    {k_r, {"src/w\\x*"}},
    {k_rr, {"src/sub/d"}},
    {k_rr, {"/abs/src/sub/d"}},
    {k_rr, {"src/./sub/d"}},
    {k_rr, {"src/./sub/d/"}},
    {k_rr, {"src/sub/d", "src/sub/e", "src/other"}},
    {k_rr, {"src/./s*/d[0-9]"}},
    {k_rr, {"./sub/./d"}},
    {k_rr, {"src/sub/d/."}},
    {k_rd, {"src/sub"}},
    {k_rel, {"a/b/c"}},
    {k_r, {"~/x"}},
    {k_rr, {"a/../b"}},
};

TEST(RecvImpliedRules, SameRulesAsStockRsync) {
    if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync is not installed";
    for (const auto& c : k_cases) {
        SCOPED_TRACE(joined(c.args) + (c.options.relative ? "-R " : "") +
                     (c.options.recurse ? "-r"
                      : c.options.dirs  ? "-d"
                                        : ""));
        EXPECT_EQ(joined(rules_for(c).describe()), stock_rules(c));
    }
}

TEST(RecvImpliedRules, PullOfOneDirectory) {
    auto rules = rules_for({k_r, {"src/sub"}});
    EXPECT_EQ(joined(rules.describe()), "/sub\n/sub/**\n");
    EXPECT_TRUE(rules.requested("sub", true));
    EXPECT_TRUE(rules.requested("sub/a/b", false));
    EXPECT_FALSE(rules.requested(".ssh", true));
    EXPECT_FALSE(rules.requested(".ssh/authorized_keys", false));
    EXPECT_FALSE(rules.requested("subx", false));
}

TEST(RecvImpliedRules, ContentsOfADirectory) {
    auto rules = rules_for({k_r, {"src/sub/"}});
    EXPECT_TRUE(rules.requested(".ssh/authorized_keys", false));
    // Without -r or -d a trailing slash implies no rule at all: nothing is checked.
    EXPECT_TRUE(rules_for({k_plain, {"src/sub/"}}).empty());
    auto d = rules_for({k_d, {"src/sub/"}});
    EXPECT_TRUE(d.requested("a", false));
    EXPECT_FALSE(d.requested("a/b", false));
}

TEST(RecvImpliedRules, RelativeParentsAreDirectoriesOnly) {
    auto rules = rules_for({k_rr, {"src/sub/d"}});
    EXPECT_EQ(joined(rules.describe()), "/src/sub/d\n/src/sub/\n/src/\n/src/sub/d/**\n");
    EXPECT_TRUE(rules.requested("src", true));
    EXPECT_FALSE(rules.requested("src", false));
    EXPECT_TRUE(rules.requested("src/sub/d/x", false));
    EXPECT_FALSE(rules.requested("src/sub/x", false));
    EXPECT_FALSE(rules.requested("src/.ssh", true));
    EXPECT_TRUE(rules.parent_only("src/sub"));
    EXPECT_FALSE(rules.parent_only("src/sub/d"));
    EXPECT_TRUE(rules.parent_only("."));
    EXPECT_FALSE(rules_for({k_rr, {"."}}).parent_only("."));
}

TEST(RecvImpliedRules, FailedBracketWildcardMatchesLiterally) {
    auto rules = rules_for({k_r, {"src/br[a]ck"}});
    EXPECT_TRUE(rules.requested("brack", false));
    EXPECT_TRUE(rules.requested("br[a]ck", false));
    EXPECT_TRUE(rules.requested("br[a]ck/x", false));
    EXPECT_FALSE(rules.requested("brick", false));
}

TEST(RecvImpliedRules, NameChecks) {
    cli::Options o;
    o.recursive = o.dirs = true;
    o.filter_rules = {"- *.bak"};
    auto checks = requested_names_for(o, {"src/sub"}, 32);
    EXPECT_TRUE(check_requested_name(checks, ".", true));
    EXPECT_TRUE(check_requested_name(checks, "sub/a", false));
    auto bad = check_requested_name(checks, ".ssh", true);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().what, "ERROR: rejecting unrequested file-list name: .ssh");
    EXPECT_EQ(bad.error().code, ExitCode::unsupported);
    auto excluded = check_requested_name(checks, "sub/x.bak", false);
    ASSERT_FALSE(excluded);
    EXPECT_EQ(excluded.error().what, "ERROR: rejecting excluded file-list name: sub/x.bak");
    // --trust-sender checks nothing; a per-directory merge rule leaves the excludes unchecked.
    o.trust_sender = true;
    EXPECT_TRUE(check_requested_name(requested_names_for(o, {"src/sub"}, 32), ".ssh", true));
    o.trust_sender = false;
    o.filter_rules.push_back(": .rules");
    auto merged = requested_names_for(o, {"src/sub"}, 32);
    EXPECT_TRUE(check_requested_name(merged, "sub/x.bak", false));
    EXPECT_FALSE(check_requested_name(merged, ".ssh", true));
}

}  // namespace
}  // namespace ursync::roles
