// --chmod rules: rsync's syntax and mode arithmetic (expected modes worked out from chmod(1)
// and checked against stock rsync by the interop option sets "chmod" and "chmod-symbolic").
#include "cli/chmod_rules.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace ursync::cli {
namespace {

std::uint32_t apply(const char* text, std::uint32_t mode, std::uint32_t umask = 022) {
    ChmodRules rules;
    EXPECT_TRUE(rules.add(text, umask)) << text;
    return rules.apply(mode);
}

TEST(ChmodRules, OctalWithFileAndDirectoryPrefixes) {
    EXPECT_EQ(apply("D755,F644", S_IFREG | 0600), S_IFREG | 0644u);
    EXPECT_EQ(apply("D755,F644", S_IFDIR | 0700), S_IFDIR | 0755u);
    EXPECT_EQ(apply("F600,D2770", S_IFDIR | 0755), S_IFDIR | 02770u);
}

TEST(ChmodRules, SymbolicAddRemoveAndSet) {
    EXPECT_EQ(apply("ug+w", S_IFREG | 0444), S_IFREG | 0664u);
    EXPECT_EQ(apply("o-rwx", S_IFREG | 0777), S_IFREG | 0770u);
    EXPECT_EQ(apply("u=rw,go=r", S_IFREG | 0777), S_IFREG | 0644u);
    EXPECT_EQ(apply("Dg+s", S_IFDIR | 0755), S_IFDIR | 02755u);
    EXPECT_EQ(apply("Dg+s", S_IFREG | 0755), S_IFREG | 0755u);  // files untouched
    EXPECT_EQ(apply("+t", S_IFDIR | 0777), S_IFDIR | 01777u);
}

TEST(ChmodRules, NoWhoMeansAllLessTheUmask) {
    EXPECT_EQ(apply("+w", S_IFREG | 0444, 022), S_IFREG | 0644u);
    EXPECT_EQ(apply("+w", S_IFREG | 0444, 0), S_IFREG | 0666u);
    EXPECT_EQ(apply("=rw", S_IFREG | 0777, 027), S_IFREG | 0640u);
}

TEST(ChmodRules, CapitalXOnlyWhereSomeoneMayExecuteOrForDirectories) {
    EXPECT_EQ(apply("a+X", S_IFREG | 0600), S_IFREG | 0600u);
    EXPECT_EQ(apply("a+X", S_IFREG | 0700), S_IFREG | 0711u);
    EXPECT_EQ(apply("a+X", S_IFDIR | 0600), S_IFDIR | 0711u);
}

TEST(ChmodRules, CopiesAnotherWhosBits) {
    EXPECT_EQ(apply("go=u", S_IFREG | 0750), S_IFREG | 0777u);
    EXPECT_EQ(apply("o+g", S_IFREG | 0750), S_IFREG | 0755u);
    EXPECT_EQ(apply("g-u", S_IFREG | 0676), S_IFREG | 0616u);
}

TEST(ChmodRules, LaterRulesApplyAfterEarlierOnes) {
    EXPECT_EQ(apply("F644,u+x", S_IFREG | 0), S_IFREG | 0744u);
    ChmodRules two;
    ASSERT_TRUE(two.add("D700", 022));
    ASSERT_TRUE(two.add("Dgo+rx", 022));
    EXPECT_EQ(two.apply(S_IFDIR | 0777), S_IFDIR | 0755u);
}

TEST(ChmodRules, InvalidTextIsRefusedWhole) {
    ChmodRules rules;
    for (const char* bad : {"", "Q+x", "u", "DF+x", "u+q", "go=u-w", "8", "u=ru", "17777", "+x,"}) {
        EXPECT_FALSE(rules.add(bad, 022)) << bad;
    }
    EXPECT_TRUE(rules.empty());
    EXPECT_TRUE(rules.add("644", 022));
    EXPECT_FALSE(rules.empty());
}

}  // namespace
}  // namespace ursync::cli
