// Size arguments, big-number formatting and --info/--debug words (parsing and forwarding).
#include <gtest/gtest.h>

#include "cli/output_levels.h"
#include "cli/size_arg.h"

namespace ursync::cli {
namespace {

std::int64_t size_ok(std::string_view text, SizeArgLimits limits = {}) {
    auto size = parse_size_arg(text, "max-size", limits);
    EXPECT_TRUE(size) << text << ": " << size.error();
    return size ? *size : -1;
}

std::string size_error(std::string_view text, std::string_view name, SizeArgLimits limits) {
    auto size = parse_size_arg(text, name, limits);
    EXPECT_FALSE(size) << text;
    return size ? std::string() : size.error();
}

TEST(SizeArg, Suffixes) {
    EXPECT_EQ(size_ok("100"), 100);
    EXPECT_EQ(size_ok("1k"), 1024);
    EXPECT_EQ(size_ok("1K"), 1024);
    EXPECT_EQ(size_ok("1kb"), 1000);
    EXPECT_EQ(size_ok("1KiB"), 1024);
    EXPECT_EQ(size_ok("1.5m"), 1572864);
    EXPECT_EQ(size_ok("2g"), 2147483648);
    EXPECT_EQ(size_ok("1t"), 1099511627776);
    EXPECT_EQ(size_ok("1p"), 1125899906842624);
    EXPECT_EQ(size_ok("1k+1"), 1025);
    EXPECT_EQ(size_ok("1k-1"), 1023);
    EXPECT_EQ(size_ok("0"), 0);
    EXPECT_EQ(size_ok("10", {'K', 0, -1, false}), 10240);
}

TEST(SizeArg, ErrorsAreRsyncs) {
    EXPECT_EQ(size_error("1x", "block-size", {'b', 0, 131072, false}),
              "--block-size=1x is invalid");
    EXPECT_EQ(size_error("999999999", "block-size", {'b', 0, 131072, false}),
              "--block-size=999999999 is too large (max: 128.00K)");
    EXPECT_EQ(size_error("100b", "bwlimit", {'K', 512, -1, true}),
              "--bwlimit=100b is too small (min: 512 or 0 for unlimited)");
    EXPECT_EQ(size_error("1", "max-alloc", {'B', 1048576, -1, true}),
              "--max-alloc=1 is too small (min: 1.00M or 0 for unlimited)");
    EXPECT_EQ(size_error("1kx", "max-size", {}), "--max-size=1kx is invalid");
    EXPECT_EQ(size_error("-1", "max-size", {}), "--max-size=-1 is too large");  // as rsync says
    EXPECT_EQ(size_error("99999999999p", "max-size", {}), "--max-size=99999999999p is too large");
}

TEST(SizeArg, BigNumbers) {
    EXPECT_EQ(format_big_num(0, 0), "0");
    EXPECT_EQ(format_big_num(1234567, 0), "1234567");
    EXPECT_EQ(format_big_num(1234567, 1), "1,234,567");
    EXPECT_EQ(format_big_num(-1234, 1), "-1,234");
    EXPECT_EQ(format_big_num(512, 3), "512");
    EXPECT_EQ(format_big_num(131072, 3), "128.00K");
    EXPECT_EQ(format_big_num(1500000, 2), "1.50M");
    EXPECT_EQ(format_big_num(1LL << 50, 3), "1.00P");
}

TEST(OutputLevels, WordsLevelsAndErrors) {
    OutputLevels info = OutputLevels::for_info();
    ASSERT_TRUE(info.apply_words("name2,Progress,del0,,skip9", OutputPriority::user, false));
    EXPECT_EQ(info.level(InfoWord::name), 2);
    EXPECT_EQ(info.level(InfoWord::progress), 1);
    EXPECT_EQ(info.level(InfoWord::del), 0);
    EXPECT_EQ(info.level(InfoWord::skip), 4);
    auto bad = info.apply_words("name,bogus3", OutputPriority::user, false);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "bogus");
    EXPECT_TRUE(info.apply_words("bogus", OutputPriority::user, true));  // a server ignores it
    EXPECT_EQ(*info.apply_words("Help", OutputPriority::user, false), OutputWordsResult::help);
    OutputLevels all = OutputLevels::for_debug();
    ASSERT_TRUE(all.apply_words("all3,none", OutputPriority::user, false));
    EXPECT_EQ(all.level(DebugWord::io), 0);
}

TEST(OutputLevels, ImpliedLevelsYieldToTheUser) {
    OutputLevels info = OutputLevels::for_info();
    ASSERT_TRUE(info.apply_words("name0", OutputPriority::user, false));
    info.apply_verbosity(2);
    EXPECT_EQ(info.level(InfoWord::name), 0);
    EXPECT_EQ(info.level(InfoWord::misc), 2);
    EXPECT_EQ(info.level(InfoWord::nonreg), 1);
}

TEST(OutputLevels, ForwardedText) {
    const unsigned to_receiver = k_where_server | k_where_receiver;
    const unsigned to_sender = k_where_server | k_where_sender;
    OutputLevels info = OutputLevels::for_info();
    EXPECT_FALSE(info.forward_option(to_receiver));
    info.apply_verbosity(2);  // implied levels are never forwarded
    EXPECT_FALSE(info.forward_option(to_receiver));
    ASSERT_TRUE(info.apply_words("del2,name,progress2,remove", OutputPriority::user, false));
    EXPECT_EQ(info.forward_option(to_receiver), "--info=DEL2,NAME");
    EXPECT_EQ(info.forward_option(to_sender), "--info=NAME,REMOVE");
    OutputLevels everything = OutputLevels::for_info();
    ASSERT_TRUE(everything.apply_words("all2,name3", OutputPriority::user, false));
    EXPECT_EQ(everything.forward_option(to_receiver), "--info=ALL2,NAME3");
    OutputLevels none = OutputLevels::for_info();
    ASSERT_TRUE(none.apply_words("none", OutputPriority::user, false));
    EXPECT_EQ(none.forward_option(to_receiver), "--info=NONE");
}

}  // namespace
}  // namespace ursync::cli
