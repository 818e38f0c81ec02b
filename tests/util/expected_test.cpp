// Tests for util/expected.h and the exit-code table.
#include <gtest/gtest.h>

#include <string>

#include "util/exit_codes.h"
#include "util/expected.h"

namespace ursync {
namespace {

Expected<int, std::string> half(int x) {
    if (x % 2) return Unexpected{std::string("odd")};
    return x / 2;
}

TEST(Expected, HoldsValueOrError) {
    auto ok = half(8);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 4);
    auto bad = half(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "odd");
}

TEST(Expected, VoidSpecialisation) {
    Expected<void, int> fine;
    EXPECT_TRUE(fine);
    Expected<void, int> failed = Unexpected{7};
    EXPECT_FALSE(failed);
    EXPECT_EQ(failed.error(), 7);
}

TEST(ExitCodes, MatchRsyncNumbers) {
    EXPECT_EQ(to_int(ExitCode::stream_io), 12);
    EXPECT_EQ(to_int(ExitCode::partial), 23);
    EXPECT_EQ(exit_code_text(ExitCode::vanished),
              "some files vanished before they could be transferred");
}

}  // namespace
}  // namespace ursync
