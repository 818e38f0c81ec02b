// Temp names as rsync's get_tmpname makes them, including the NAME_MAX and MAXPATHLEN cuts.
#include "fs/temp_name.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ursync::fs {
namespace {

std::string tmpl(std::string_view rel) { return temp_name_template(rel).value_or("<none>"); }

TEST(TempName, DotNameDotSixCharsBesideTheFile) {
    EXPECT_EQ(tmpl("file"), ".file.XXXXXX");
    EXPECT_EQ(tmpl("d/sub/file.txt"), "d/sub/.file.txt.XXXXXX");
    EXPECT_EQ(tmpl(".hidden"), ".hidden.XXXXXX");  // no "..hidden"
    EXPECT_EQ(tmpl("a."), ".a.XXXXXX");            // no "a..XXXXXX"
}

TEST(TempName, LongNamesAreCutToFitNameMax) {
    std::string name(255, 'n');
    std::string t = tmpl(name);
    EXPECT_EQ(t, "." + std::string(246, 'n') + ".XXXXXX");
    EXPECT_LE(t.size(), k_name_bytes_max);
}

TEST(TempName, TheCutNeverSplitsAMultibyteCharacter) {
    std::string name = std::string(245, 'a') + "\xC3\xA9" + std::string(10, 'b');
    EXPECT_EQ(tmpl(name), "." + std::string(245, 'a') + ".XXXXXX");
}

TEST(TempName, DeepPathsAreCutToFitMaxPathLen) {
    std::string dir(4087, 'd');  // with the slash: 4088 bytes, plus the leading dot: 4089
    EXPECT_EQ(tmpl(dir + "/name"), dir + "/.XXXXXX");  // no room left for the name at all
    std::string shorter(4084, 'd');  // room for 2 bytes of name
    EXPECT_EQ(tmpl(shorter + "/name"), shorter + "/.na.XXXXXX");
    EXPECT_FALSE(temp_name_template(std::string(4090, 'd') + "/name").has_value());
}

TEST(TempName, SuffixUsesTheMkstempAlphabet) {
    std::set<std::string> seen;
    for (uint64_t r : {0ull, 1ull, 61ull, 62ull, 0x123456789abcdefull, ~0ull}) {
        std::string t = tmpl("f");
        fill_temp_suffix(t, r);
        ASSERT_EQ(t.substr(0, 3), ".f.");
        for (char c : t.substr(3)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << t;
        seen.insert(t);
    }
    EXPECT_EQ(seen.size(), 6u);
}

}  // namespace
}  // namespace ursync::fs
