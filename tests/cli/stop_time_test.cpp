// --stop-at's time syntax (rsync options.c:parse_time); the texts of the errors are compared
// with stock rsync's by hand in this commit's note and by the option rows test.
#include "cli/stop_time.h"

#include <gtest/gtest.h>

namespace ursync::cli {
namespace {

std::tm local(std::time_t t) {
    std::tm out{};
    localtime_r(&t, &out);
    return out;
}

TEST(StopTime, AnHourAndMinuteIsTheNextSuchMoment) {
    const std::time_t now = std::time(nullptr);
    auto at = parse_stop_time("12:00", now);
    ASSERT_TRUE(at);
    EXPECT_GT(*at, now);
    EXPECT_LE(*at, now + 25 * 3600);
    EXPECT_EQ(local(*at).tm_hour, 12);
    EXPECT_EQ(local(*at).tm_min, 0);
    auto with_t = parse_stop_time("T12:00", now);
    ASSERT_TRUE(with_t);
    EXPECT_EQ(*with_t, *at);
}

TEST(StopTime, AMinuteAloneIsWithinTheNextHour) {
    const std::time_t now = std::time(nullptr);
    auto at = parse_stop_time(":30", now);
    ASSERT_TRUE(at);
    EXPECT_GT(*at, now);
    EXPECT_LE(*at, now + 3600);
    EXPECT_EQ(local(*at).tm_min, 30);
}

TEST(StopTime, DatesTakeTheMissingYearFromNow) {
    const std::time_t now = std::time(nullptr);
    auto at = parse_stop_time("2099-06-15T08:30", now);
    ASSERT_TRUE(at);
    const std::tm t = local(*at);
    EXPECT_EQ(t.tm_year + 1900, 2099);
    EXPECT_EQ(t.tm_mon, 5);
    EXPECT_EQ(t.tm_mday, 15);
    EXPECT_EQ(t.tm_hour, 8);
    auto month_day = parse_stop_time("1-1", now);  // the next January 1st, at midnight
    ASSERT_TRUE(month_day);
    EXPECT_GT(*month_day, now);
    EXPECT_EQ(local(*month_day).tm_mon, 0);
    EXPECT_EQ(local(*month_day).tm_mday, 1);
    EXPECT_EQ(local(*month_day).tm_hour, 0);
    auto past = parse_stop_time("2020-01-01T00:00", now);  // valid, but not in the future
    ASSERT_TRUE(past);
    EXPECT_LT(*past, now);
}

TEST(StopTime, MalformedTextIsRefused) {
    const std::time_t now = std::time(nullptr);
    for (const char* bad : {"", "xx", "T25:00", "12:60", "T12", "13-01", "1-2-3-4", "12:00:00"}) {
        EXPECT_FALSE(parse_stop_time(bad, now)) << bad;
    }
}

}  // namespace
}  // namespace ursync::cli
