// The pieces of the remote command: -e word splitting, shell escaping of arguments, compact flags
// and capability letters, `-l user`, `-4`/`-6`, the daemon-over-shell command.
#include <gtest/gtest.h>

#include "cli/compact_flags.h"
#include "cli/rsh_words.h"
#include "cli/server_argv.h"
#include "cli/shell_escape.h"
#include "cli_test_util.h"
#include "rsync_runner.h"
#include "tests/util/stock_rsync.h"

namespace ursync::cli {
namespace {

using test::Args;
using test::parse_args;

TEST(RshWords, SplitsLikeRsync) {
    EXPECT_EQ(*split_rsh_words("ssh"), (Args{"ssh"}));
    EXPECT_EQ(*split_rsh_words("  ssh   -p 22  "), (Args{"ssh", "-p", "22"}));
    EXPECT_EQ(*split_rsh_words("ssh -o 'A B' \"C D\""), (Args{"ssh", "-o", "A B", "C D"}));
    EXPECT_EQ(*split_rsh_words("a'b c'd"), (Args{"ab cd"}));
    EXPECT_EQ(*split_rsh_words("x 'it''s' \"say \"\"hi\"\"\""), (Args{"x", "it's", "say \"hi\""}));
    EXPECT_EQ(*split_rsh_words("x \"a'b\" ''"), (Args{"x", "a'b", ""}));
    EXPECT_EQ(*split_rsh_words("tab\tis\tnot\ta\tseparator"), (Args{"tab\tis\tnot\ta\tseparator"}));
    EXPECT_EQ(*split_rsh_words(""), Args{});
}

TEST(RshWords, UnclosedQuoteIsRsyncsError) {
    auto bad = split_rsh_words("ssh 'x");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "Missing trailing-' in remote-shell command.");
    EXPECT_EQ(bad.error().code, ExitCode::syntax);
    EXPECT_EQ(split_rsh_words("ssh \"x").error().message,
              "Missing trailing-\" in remote-shell command.");
}

TEST(RshWords, UnclosedQuoteMatchesLiveRsync) {
    if (!tests::have_rsync()) GTEST_SKIP() << "rsync is not installed";
    const std::string dir = test::make_temp_dir();
    const auto live = test::run_rsync({"-e", "ssh 'x", "src", "h:d"}, dir);
    test::remove_tree(dir);
    EXPECT_EQ(test::first_line(live.stderr_text), "Missing trailing-' in remote-shell command.");
    EXPECT_EQ(live.exit_code, 1);
}

TEST(ShellEscape, PathsOptionsAndRemoteOptions) {
    const EscapeContext push{false, 0, true, false, false};
    EXPECT_EQ(escape_remote_arg("", "a b", RemoteArgKind::path, push), "a\\ b");
    EXPECT_EQ(escape_remote_arg("", "x*?[y]", RemoteArgKind::path, push), "x*?[y]");
    EXPECT_EQ(escape_remote_arg("", "!#$&;|<>(){}\"'` \t\n\r", RemoteArgKind::path, push),
              "\\!\\#\\$\\&\\;\\|\\<\\>\\(\\)\\{\\}\\\"\\'\\`\\ \\\t\\\n\\\r");
    EXPECT_EQ(escape_remote_arg("", "a\\b", RemoteArgKind::path, push), "a\\\\b");
    EXPECT_EQ(escape_remote_arg("", "a\\*", RemoteArgKind::path, push), "a\\*");
    EXPECT_EQ(escape_remote_arg("", "-x", RemoteArgKind::path, push), "./-x");
    EXPECT_EQ(escape_remote_arg("--suffix", "*~", RemoteArgKind::option_value, push),
              "--suffix=\\*~");
    EXPECT_EQ(escape_remote_arg("", "-x y", RemoteArgKind::remote_option, push), "-x\\ y");
}

TEST(ShellEscape, TildeOldArgsAndSecluded) {
    const EscapeContext pull{false, 0, false, false, false};
    EXPECT_EQ(escape_remote_arg("", "~foo", RemoteArgKind::path, pull), "\\~foo");
    EXPECT_EQ(escape_remote_arg("", "~/foo", RemoteArgKind::path, pull), "~/foo");
    const EscapeContext relative{false, 0, false, false, true};
    EXPECT_EQ(escape_remote_arg("", "~/foo", RemoteArgKind::path, relative), "\\~/foo");
    EXPECT_EQ(escape_remote_arg("", "~/./foo", RemoteArgKind::path, relative), "~/./foo");
    const EscapeContext trusted{false, 0, false, true, false};
    EXPECT_EQ(escape_remote_arg("", "~foo", RemoteArgKind::path, trusted), "~foo");
    const EscapeContext old_once{false, 1, true, false, false};
    EXPECT_EQ(escape_remote_arg("", "a b", RemoteArgKind::path, old_once), "a b");
    EXPECT_EQ(escape_remote_arg("--suffix", "a b", RemoteArgKind::option_value, old_once),
              "--suffix=a\\ b");
    EXPECT_EQ(escape_remote_arg("", "-a b", RemoteArgKind::remote_option, old_once), "-a b");
    const EscapeContext old_twice{false, 2, true, false, false};
    EXPECT_EQ(escape_remote_arg("--suffix", "a b", RemoteArgKind::option_value, old_twice),
              "--suffix=a b");
    const EscapeContext secluded{true, 0, true, false, false};
    EXPECT_EQ(escape_remote_arg("", "a b", RemoteArgKind::path, secluded), "a b");
    EXPECT_EQ(escape_remote_arg("", "-a b", RemoteArgKind::path, secluded), "./-a b");
}

Options options_for(const Args& args) {
    Args full = args;
    full.push_back("src");
    full.push_back("h:dst");
    auto inv = parse_args(full);
    EXPECT_TRUE(inv) << inv.error().message;
    return inv ? inv->options : Options{};
}

TEST(CompactFlags, OrderOfLetters) {
    EXPECT_EQ(build_compact_flags(options_for({"-a"}), false), "-logDtpre.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-avvHczR"}), false), "-vvlHogDtprcRze.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-vvvvvvvvvvvv"}), false), "-vvvvvvvvve.LsfxCIvu");
    // -yy only means "also the --compare-dest dirs": without them it is a single y
    EXPECT_EQ(build_compact_flags(options_for({"-rKmyyOJ"}), false), "-KmOJyre.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-ryy", "--compare-dest=a"}), false),
              "-yyre.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-rKyOJ"}), true), "-re.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-rLk"}), true), "-Lkre.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-rE"}), false), "-Ere.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-rEp"}), false), "-pre.iLsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"-q", "--stderr=client"}), false), "-e.LsfxCIvu");
    EXPECT_EQ(build_compact_flags(options_for({"--protocol=29"}), false), "");
    EXPECT_EQ(build_compact_flags(options_for({"-a", "--protocol=29"}), false), "-logDtpr");
}

TEST(CompactFlags, IncRecursionLetter) {
    EXPECT_EQ(build_client_info(options_for({"-r"}), false), ".iLsfxCIvu");
    EXPECT_EQ(build_client_info(options_for({}), false), ".LsfxCIvu");
    EXPECT_EQ(build_client_info(options_for({"-r", "--no-i-r"}), false), ".LsfxCIvu");
    EXPECT_EQ(build_client_info(options_for({"-r", "--qsort"}), false), ".LsfxCIvu");
    // a client receiver gives it up for these; a client sender keeps it
    for (const char* opt : {"--delete-before", "--delete-after", "--delay-updates", "-m"}) {
        EXPECT_EQ(build_client_info(options_for({"-r", opt}), true), ".LsfxCIvu") << opt;
        EXPECT_EQ(build_client_info(options_for({"-r", opt}), false), ".iLsfxCIvu") << opt;
    }
    EXPECT_EQ(build_client_info(options_for({"-r", "--delete"}), true), ".iLsfxCIvu");
}

TEST(CompactFlags, ServerReadsLettersAndCapabilities) {
    auto flags = parse_compact_flags("-vvlHogDtprze.iLsfxCIvu");
    ASSERT_TRUE(flags) << flags.error().message;
    EXPECT_EQ(flags->letters, "vvlHogDtprz");
    EXPECT_EQ(flags->client_info, ".iLsfxCIvu");
    EXPECT_EQ(flags->options.verbose, 2);
    EXPECT_TRUE(flags->options.hard_links && flags->options.recursive);
    EXPECT_EQ(flags->options.compression, Compression::zlib);
    auto no_e = parse_compact_flags("-logDtpr");
    ASSERT_TRUE(no_e);
    EXPECT_FALSE(no_e->client_info);
    auto bad = parse_compact_flags("-logZ");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "rsync: on remote machine: -logZ: unknown option");
    EXPECT_FALSE(parse_compact_flags("--server"));
    EXPECT_FALSE(parse_compact_flags("x"));
}

TEST(CompactFlags, ClientInfoLetters) {
    const ClientInfo all = parse_client_info(".iLsfxCIvu");
    EXPECT_TRUE(all.inc_recurse && all.symlink_times && all.symlink_iconv && all.safe_file_list &&
                all.avoid_xattr_optim && all.checksum_seed_fix && all.inplace_partial_dir &&
                all.varint_flist_flags && all.id0_names);
    EXPECT_FALSE(all.old_varint);
    EXPECT_EQ(all.pre_release_protocol, 0);
    const ClientInfo pre = parse_client_info("33.2LsfxV");
    EXPECT_EQ(pre.pre_release_protocol, 33);
    EXPECT_EQ(pre.pre_release_sub, 2);
    EXPECT_TRUE(pre.old_varint);
    EXPECT_FALSE(pre.inc_recurse || pre.varint_flist_flags || pre.id0_names);
}

TEST(RemoteCommand, UserAddressFamilyAndRsyncPath) {
    auto inv = parse_args({"-6", "-e", "/usr/bin/ssh -p 22", "--rsync-path=sudo rsync", "-r", "src",
                           "bob@[::1]:dst"});
    ASSERT_TRUE(inv);
    auto cmd = build_remote_command(inv->options, *inv->shell, false, Args{"dst"});
    ASSERT_TRUE(cmd);
    EXPECT_EQ(*cmd, (Args{"/usr/bin/ssh", "-p", "22", "-l", "bob", "-6", "::1", "sudo rsync",
                          "--server", "-re.iLsfxCIvu", ".", "dst"}));
    auto not_ssh = parse_args({"-4", "-e", "rsh", "src", "h:dst"});
    ASSERT_TRUE(not_ssh);
    auto cmd2 = build_remote_command(not_ssh->options, *not_ssh->shell, false, Args{"dst"});
    ASSERT_TRUE(cmd2);
    EXPECT_EQ((*cmd2)[1], "h");  // -4 is only added for ssh
    auto bad = parse_args({"-e", "ssh 'x", "src", "h:dst"});
    ASSERT_TRUE(bad);  // the shell command is only split when the connection is made
    EXPECT_FALSE(build_remote_command(bad->options, *bad->shell, false, Args{"dst"}));
}

TEST(RemoteCommand, DaemonOverRemoteShell) {
    auto inv = parse_args({"-e", "ssh -l admin", "u@h::mod/x", "dst"});
    ASSERT_TRUE(inv);
    ASSERT_TRUE(inv->daemon);
    auto cmd = build_daemon_shell_command(inv->options, *inv->daemon);
    ASSERT_TRUE(cmd);
    // `-l admin` in the shell command wins over the daemon user
    EXPECT_EQ(*cmd, (Args{"ssh", "-l", "admin", "h", "rsync", "--server", "--daemon", "."}));
    auto plain = parse_args({"-e", "ssh", "u@h::mod/x", "dst"});
    ASSERT_TRUE(plain);
    EXPECT_EQ(*build_daemon_shell_command(plain->options, *plain->daemon),
              (Args{"ssh", "-l", "u", "h", "rsync", "--server", "--daemon", "."}));
}

TEST(RemoteCommand, SecludedArgsStayOffTheCommandLine) {
    auto inv = parse_args({"-as", "--delete", "--iconv=utf8,latin1", "src", "h:a b"});
    ASSERT_TRUE(inv);
    const auto lists = build_server_arg_lists(inv->options, false, Args{"a b"});
    EXPECT_EQ(lists.command_line, (Args{"--server", "-slogDtpre.iLsfxCIvu", "--iconv=latin1"}));
    EXPECT_EQ(lists.secluded, (Args{"--delete", ".", "a b"}));
    EXPECT_EQ(secluded_args_bytes(lists.secluded), std::string("rsync\0--delete\0.\0a b\0\0", 22));
}

}  // namespace
}  // namespace ursync::cli
