// The server argv of real rsync 3.5.0 sessions (shared/protocol/captures/*/argv.txt, copied here
// as vectors): ursync's server parser reads each, and the options rebuild the same argv.
#include <gtest/gtest.h>

#include "cli/compact_flags.h"
#include "cli/parse.h"
#include "cli/server_argv.h"

namespace ursync::cli {
namespace {

using Args = std::vector<std::string>;

struct Capture {
    const char* name;
    Args argv;  // as the server receives it, program name first
};

void PrintTo(const Capture& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<Capture>& captures() {
    static const std::vector<Capture> list = {
        {"delta1", {"rsync", "--server", "--sender", "-logDtpre.LsfxCIvu", ".", "/data/d1/"}},
        {"err1", {"rsync", "--server", "--sender", "-logDtpre.iLsfxCIvu", ".", "/data/nonexist"}},
        {"err2",
         {"rsync", "--server", "--sender", "-logDtpre.iLsfxCIvu", ".", "/data/src/a.txt",
          "/data/nonexist"}},
        {"filters", {"rsync", "--server", "--sender", "-logDtpre.iLsfxCIvu", ".", "/data/src/"}},
        {"filters_push",
         {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--delete", ".", "/data/df2/"}},
        {"hl1", {"rsync", "--server", "--sender", "-lHogDtpre.iLsfxCIvu", ".", "/data/hsrc/"}},
        {"list", {"rsync", "--server", "--sender", "-de.LsfxCIvu", ".", "/data/src/"}},
        {"list2", {"rsync", "--server", "--sender", "-re.iLsfxCIvu", ".", "/data/src/"}},
        {"opts", {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--iconv=latin1", ".", "/data/dy/"}},
        {"order_delayupdatesdelete",
         {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--delete", "--delay-updates", ".",
          "/data/dd/"}},
        {"order_delayupdatesdeleteafter",
         {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--delete-after", "--delay-updates", ".",
          "/data/dd/"}},
        {"order_deleteafter",
         {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--delete-after", ".", "/data/dd/"}},
        {"p31", {"rsync", "--server", "--sender", "-logDtpre.iLsfxCIvu", ".", "/data/src/"}},
        {"pull1", {"rsync", "--server", "--sender", "-logDtpre.iLsfxCIvu", ".", "/data/src/"}},
        {"push1", {"rsync", "--server", "-logDtpre.iLsfxCIvu", ".", "/data/dst/"}},
        {"push_noinc",
         {"rsync", "--no-inc-recursive", "--server", "-logDtpre.iLsfxCIvu", ".", "/data/dni/"}},
        {"pushdel",
         {"rsync", "--server", "-logDtpre.iLsfxCIvu", "--log-format=%i", "--delete", ".",
          "/data/dst/"}},
        {"seed_md4",
         {"rsync", "--server", "--sender", "-logDtpre.LsfxCIvu", "--checksum-choice=md4",
          "--checksum-seed=-123456", ".", "/data/d1/"}},
        {"seed_xxh128",
         {"rsync", "--server", "--sender", "-logDtpre.LsfxCIvu", "--checksum-choice=xxh128",
          "--checksum-seed=-123456", ".", "/data/d1/"}},
        {"uids", {"rsync", "--server", "--sender", "-logDtpre.LsfxCIvu", ".", "/data/uidsrc/"}},
        {"z1", {"rsync", "--server", "--sender", "-logDtprze.iLsfxCIvu", ".", "/data/src/"}},
    };
    return list;
}

class ServerCaptures : public ::testing::TestWithParam<Capture> {};

TEST_P(ServerCaptures, ParseAndRebuild) {
    const Capture& c = GetParam();
    auto inv = parse_command_line(c.argv, Environment::empty());
    ASSERT_TRUE(inv) << inv.error().message;
    const bool sender = std::find(c.argv.begin(), c.argv.end(), "--sender") != c.argv.end();
    EXPECT_EQ(inv->mode, sender ? Mode::server_sender : Mode::server_receiver);
    EXPECT_EQ(inv->server_dir, ".");
    const auto dot = std::find(c.argv.begin() + 2, c.argv.end(), ".");
    EXPECT_EQ(inv->sources, Args(dot + 1, c.argv.end()));

    // The options, sent back out by a client, give the same server argv.
    Options back = inv->options;
    back.server = false;
    back.sender = false;
    Args rebuilt = build_server_args(back, sender, inv->sources);
    for (auto& arg : rebuilt) {
        const auto e = arg.find('e');
        if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && e != std::string::npos) {
            arg = arg.substr(0, e + 1) + back.client_info;
        }
    }
    Args expected(c.argv.begin() + 1, c.argv.end());
    expected.erase(std::remove(expected.begin(), expected.end(), "--no-inc-recursive"),
                   expected.end());  // given to the server program itself, not forwarded
    EXPECT_EQ(rebuilt, expected);
}

INSTANTIATE_TEST_SUITE_P(Captures, ServerCaptures, ::testing::ValuesIn(captures()),
                         [](const ::testing::TestParamInfo<Capture>& param_info) {
                             return std::string(param_info.param.name);
                         });

TEST(ServerCaptureDetails, WhatTheServerLearns) {
    auto seed = parse_command_line(captures()[17].argv, Environment::empty());
    ASSERT_TRUE(seed);
    EXPECT_EQ(seed->options.checksum_choice, "md4");
    EXPECT_EQ(seed->options.checksum_seed, -123456);
    EXPECT_EQ(seed->options.client_info, ".LsfxCIvu");
    EXPECT_FALSE(parse_client_info(seed->options.client_info).inc_recurse);

    auto pushdel = parse_command_line(captures()[16].argv, Environment::empty());
    ASSERT_TRUE(pushdel);
    EXPECT_EQ(pushdel->destination, "/data/dst/");
    EXPECT_EQ(pushdel->options.delete_mode, DeleteMode::during);
    EXPECT_FALSE(pushdel->options.delete_timing_given);
    EXPECT_EQ(pushdel->options.stdout_format_has_i, 1);

    auto opts = parse_command_line(captures()[8].argv, Environment::empty());
    ASSERT_TRUE(opts);
    EXPECT_EQ(opts->options.iconv, "latin1");

    auto noinc = parse_command_line(captures()[15].argv, Environment::empty());
    ASSERT_TRUE(noinc);
    EXPECT_EQ(noinc->options.inc_recursive, false);
}

TEST(ServerCaptureDetails, SecludedArgsFromTheProtectCapture) {
    const Args argv{"rsync", "--server", "--sender", "-slogDtpre.iLsfxCIvu"};
    auto first = parse_command_line(argv, Environment::empty());
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->awaiting_secluded_args);
    EXPECT_EQ(first->mode, Mode::server_sender);
    // The first bytes of shared/protocol/captures/protect/c2s.bin, then the protocol version.
    const std::string c2s("rsync\0.\0/data/src/\0\0\x20\0\0\0", 24);
    std::size_t used = 0;
    auto received = decode_secluded_args(c2s, &used);
    ASSERT_TRUE(received) << received.error();
    EXPECT_EQ(used, 20U);
    EXPECT_EQ(*received, (Args{"rsync", ".", "/data/src/"}));
    auto inv = parse_secluded_server_args(*first, *received, Environment::empty());
    ASSERT_TRUE(inv) << inv.error().message;
    EXPECT_FALSE(inv->awaiting_secluded_args);
    EXPECT_EQ(inv->sources, (Args{"/data/src/"}));
    EXPECT_TRUE(inv->options.secluded_args);
    EXPECT_TRUE(inv->options.recursive);
    EXPECT_EQ(secluded_args_bytes(Args{".", "/data/src/"}), c2s.substr(0, 20));
}

TEST(ServerCaptureDetails, DaemonOverRemoteShell) {
    const Args argv{"rsync", "--config=shared/protocol/rsyncd.conf", "--server", "--daemon", "."};
    auto inv = parse_command_line(argv, Environment::empty());
    ASSERT_TRUE(inv) << inv.error().message;
    EXPECT_EQ(inv->mode, Mode::server_daemon);
    EXPECT_EQ(inv->options.daemon_options.config_file, "shared/protocol/rsyncd.conf");
    EXPECT_EQ(inv->server_dir, ".");
}

TEST(SecludedArgs, DecodeLimits) {
    EXPECT_FALSE(decode_secluded_args(std::string("rsync\0x", 7), nullptr));  // unterminated
    std::string many = "rsync";
    many += '\0';
    for (std::size_t i = 0; i < k_secluded_args_count_max; ++i) many += std::string("a\0", 2);
    many += '\0';
    EXPECT_FALSE(decode_secluded_args(many, nullptr));
    std::string long_arg(k_secluded_arg_len_max + 1, 'x');
    long_arg += std::string("\0\0", 2);
    EXPECT_FALSE(decode_secluded_args(long_arg, nullptr));
    EXPECT_EQ(secluded_args_bytes(Args{}), "");
    EXPECT_EQ(secluded_args_bytes(Args{""}), std::string("rsync\0.\0\0", 9));
}

}  // namespace
}  // namespace ursync::cli
