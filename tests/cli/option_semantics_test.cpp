// What the options mean once parsed: implied options, order, counts, filters, environment.
#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace ursync::cli {
namespace {

using test::Args;
using test::env_with;
using test::parse_args;

Options opts(const Args& args, const Environment& env = Environment::empty()) {
    Args full = args;
    full.push_back("src");
    full.push_back("dst");
    auto inv = parse_args(full, env);
    EXPECT_TRUE(inv) << inv.error().message;
    return inv ? inv->options : Options{};
}

TEST(OptionSemantics, ArchiveIsRlptgoD) {
    const Options o = opts({"-a"});
    EXPECT_TRUE(o.recursive && o.links && o.perms && o.times && o.group && o.owner && o.devices &&
                o.specials);
    EXPECT_FALSE(o.hard_links || o.acls || o.xattrs != 0 || o.atimes != 0);
}

TEST(OptionSemantics, LaterOptionsWin) {
    EXPECT_FALSE(opts({"-a", "--no-p"}).perms);
    EXPECT_TRUE(opts({"--no-p", "-a"}).perms);  // -a sets it again, as in rsync
    EXPECT_FALSE(opts({"-a", "--no-D"}).devices);
    EXPECT_FALSE(opts({"-a", "--no-D"}).specials);
    EXPECT_TRUE(opts({"-a", "--no-devices"}).specials);
    EXPECT_EQ(opts({"-vvv", "--no-v", "-v"}).verbose, 1);
    EXPECT_FALSE(opts({"-z", "--no-z"}).compression != Compression::off);
}

TEST(OptionSemantics, BundlesAndCounts) {
    const Options o = opts({"-avvzPHHxxi"});
    EXPECT_EQ(o.verbose, 2);
    EXPECT_EQ(o.compression, Compression::zlib);
    EXPECT_TRUE(o.partial && o.progress);
    EXPECT_EQ(o.hard_links_level, 2);
    EXPECT_EQ(o.one_file_system_level, 2);
    EXPECT_EQ(o.itemize, 1);
    EXPECT_EQ(o.stdout_format, "%i %n%L");
}

TEST(OptionSemantics, DeleteModes) {
    EXPECT_EQ(opts({"-r", "--delete"}).delete_mode, DeleteMode::during);
    EXPECT_FALSE(opts({"-r", "--delete"}).delete_timing_given);
    EXPECT_EQ(opts({"-r", "--del"}).delete_mode, DeleteMode::during);
    EXPECT_TRUE(opts({"-r", "--del"}).delete_timing_given);
    EXPECT_EQ(opts({"-r", "--delete-before"}).delete_mode, DeleteMode::before);
    EXPECT_EQ(opts({"-r", "--delete-delay"}).delete_mode, DeleteMode::delay);
    EXPECT_EQ(opts({"-r", "--delete-after"}).delete_mode, DeleteMode::after);
    EXPECT_EQ(opts({"-r", "--delete-excluded"}).delete_mode, DeleteMode::during);
    EXPECT_EQ(opts({"-d", "--delete"}).delete_mode, DeleteMode::during);
    EXPECT_EQ(opts({"-r"}).delete_mode, DeleteMode::none);
}

TEST(OptionSemantics, FilterRulesInCommandLineOrder) {
    const auto env = env_with(
        {}, {{"ex.txt", "a\n# comment\n; also\n\n+ keep\r\nb\rc"}, {"in.txt", "x\n- y\n"}});
    const Options o =
        opts({"--exclude=*.o", "--include", "keep/", "-f", "merge rules", "--filter=- tmp", "-F",
              "--exclude-from=ex.txt", "-FF", "--include-from", "in.txt", "--exclude=+ inc",
              "--exclude=!", "--include=!x", "--exclude="},
             env);
    EXPECT_EQ(o.filter_rules,
              (std::vector<std::string>{"- *.o", "+ keep/", "merge rules", "- tmp",
                                        ": /.rsync-filter", "- a", "+ keep", "- b", "- c",
                                        "- .rsync-filter", "+ x", "- y", "+ inc", "!", "+ !x"}));
    EXPECT_TRUE(opts({"-C"}).cvs_exclude);
}

TEST(OptionSemantics, From0SplitsFromFilesOnNul) {
    const auto env = env_with({}, {{"ex0", std::string("a b\0c\nd\0", 8)}});
    const Options o = opts({"--from0", "--exclude-from=ex0"}, env);
    EXPECT_EQ(o.filter_rules, (std::vector<std::string>{"- a b", "- c\nd"}));
}

TEST(OptionSemantics, MissingExcludeFileIsAFileError) {
    auto inv = parse_args({"--exclude-from=/nonexistent", "src", "dst"});
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().message,
              "rsync: [client] failed to open exclude file /nonexistent: No such file or "
              "directory (2)");
    EXPECT_EQ(inv.error().code, ExitCode::file_io);
}

TEST(OptionSemantics, InfoLevelsFromVerbosityAndUser) {
    const Options v = opts({"-v"});
    EXPECT_EQ(v.info.level(InfoWord::name), 1);
    EXPECT_EQ(v.info.level(InfoWord::nonreg), 1);
    EXPECT_EQ(v.info.level(InfoWord::skip), 0);
    const Options vv = opts({"-vv"});
    EXPECT_EQ(vv.info.level(InfoWord::name), 2);
    EXPECT_EQ(vv.debug.level(DebugWord::filter), 1);
    const Options user = opts({"-vv", "--info=name0,progress2", "--debug=all3"});
    EXPECT_EQ(user.info.level(InfoWord::name), 0);  // the user's setting wins over -v
    EXPECT_EQ(user.info.level(InfoWord::progress), 2);
    EXPECT_EQ(user.debug.level(DebugWord::hlink), 3);
    EXPECT_EQ(opts({"--stats"}).info.level(InfoWord::stats), 2);
    EXPECT_EQ(opts({"--stats", "-vv"}).info.level(InfoWord::stats), 3);
    EXPECT_EQ(opts({"--progress"}).info.level(InfoWord::progress), 1);
    EXPECT_EQ(opts({"--info=NAME9"}).info.level(InfoWord::name), 4);
}

TEST(OptionSemantics, CompressionChoices) {
    EXPECT_EQ(opts({"-z"}).compression, Compression::zlib);
    EXPECT_EQ(opts({"-zz"}).compression, Compression::zlibx);
    EXPECT_EQ(opts({"-zz"}).compress_choice, "zlibx");
    EXPECT_EQ(opts({"--zc=zstd"}).compression, Compression::zstd);
    EXPECT_EQ(opts({"--compress-choice=LZ4"}).compression, Compression::lz4);
    EXPECT_EQ(opts({"--compress-choice=LZ4"}).compress_choice, "LZ4");
    EXPECT_EQ(opts({"-z", "--zc=none"}).compression, Compression::off);
    EXPECT_EQ(opts({"-z", "--zc=none"}).compress_choice, "none");
    EXPECT_EQ(opts({"--zl=3"}).compression, Compression::negotiate);
    EXPECT_EQ(opts({"--old-compress"}).compression, Compression::zlib);
    EXPECT_EQ(opts({"--new-compress"}).compression, Compression::zlibx);
    EXPECT_EQ(opts({"-z", "--zc=auto"}).compression, Compression::zlib);
    auto bad = parse_args({"--compress-choice=foo", "src", "dst"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "unknown compress name: foo");
    EXPECT_EQ(bad.error().code, ExitCode::unsupported);
}

TEST(OptionSemantics, ChecksumChoices) {
    EXPECT_EQ(opts({"--cc=xxh3"}).checksum_choice, "xxh3");
    EXPECT_EQ(opts({"--checksum-choice=auto"}).checksum_choice, "");
    EXPECT_EQ(opts({"--checksum-choice=none"}).whole_file, true);
    auto bad = parse_args({"--checksum-choice=bogus,md5", "src", "dst"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "unknown checksum name: bogus,md5");
    EXPECT_EQ(bad.error().code, ExitCode::unsupported);
    auto bad2 = parse_args({"--cc=md5,nope", "src", "dst"});
    ASSERT_FALSE(bad2);
    EXPECT_EQ(bad2.error().message, "unknown checksum name: nope");
}

TEST(OptionSemantics, SizesAndNumbers) {
    EXPECT_EQ(opts({"-B", "1k"}).block_size, 1024);
    EXPECT_EQ(opts({"--block-size=2048"}).block_size, 2048);
    EXPECT_EQ(opts({"--max-size=1.5M"}).max_size, 1572864);
    EXPECT_EQ(opts({"--max-size=1.5M"}).max_size_arg, "1572864");
    EXPECT_EQ(opts({"--min-size=1kb+1"}).min_size, 1001);
    EXPECT_EQ(opts({"--bwlimit=100"}).bwlimit, 100);
    EXPECT_EQ(opts({"--bwlimit=1m"}).bwlimit, 1024);
    EXPECT_EQ(opts({"--timeout=0x10"}).timeout, 16);
    EXPECT_EQ(opts({"--max-delete=-5"}).max_delete, 0);
    EXPECT_EQ(opts({"-@-1"}).modify_window, -1);
    EXPECT_EQ(opts({"--protocol=30"}).protocol, 30);
    EXPECT_EQ(opts({"--protocol=29", "-B", "1m"}).block_size, 1048576);  // older limit
}

TEST(OptionSemantics, RemoteShellAndPath) {
    const Options e = opts({"-e", "ssh -p 2222", "--rsync-path=/opt/rsync"});
    EXPECT_EQ(e.rsh, "ssh -p 2222");
    EXPECT_TRUE(e.rsh_given);
    EXPECT_EQ(e.rsync_path, "/opt/rsync");
    EXPECT_EQ(opts({}).rsh, "ssh");
    EXPECT_EQ(opts({}, env_with({{"RSYNC_RSH", "rsh -x"}})).rsh, "rsh -x");
    EXPECT_FALSE(opts({}, env_with({{"RSYNC_RSH", "rsh -x"}})).rsh_given);
    EXPECT_EQ(opts({"-e", "a"}, env_with({{"RSYNC_RSH", "b"}})).rsh, "a");
    EXPECT_EQ(opts({"-M--foo", "-M", "-x y"}).remote_options,
              (std::vector<std::string>{"--foo", "-x y"}));
}

TEST(OptionSemantics, SecludedAndOldArgsFromEnvironment) {
    EXPECT_TRUE(opts({"-s"}).secluded_args);
    EXPECT_TRUE(opts({}, env_with({{"RSYNC_PROTECT_ARGS", "1"}})).secluded_args);
    EXPECT_FALSE(opts({"--no-s"}, env_with({{"RSYNC_PROTECT_ARGS", "1"}})).secluded_args);
    EXPECT_EQ(opts({}, env_with({{"RSYNC_OLD_ARGS", "2"}})).old_args, 2);
    EXPECT_EQ(opts({"-s"}, env_with({{"RSYNC_OLD_ARGS", "2"}})).old_args, 0);
    EXPECT_EQ(opts({"--old-args", "--old-args"}).old_args, 2);
}

TEST(OptionSemantics, IconvFromEnvironment) {
    EXPECT_EQ(opts({}, env_with({{"RSYNC_ICONV", "utf8"}})).iconv, "utf8");
    EXPECT_FALSE(opts({"--no-iconv"}, env_with({{"RSYNC_ICONV", "utf8"}})).iconv);
    EXPECT_FALSE(opts({"--iconv=-"}).iconv);  // "-" means none on a client
    auto server =
        parse_args({"--server", "-e.iLsfxCIvu", ".", "d"}, env_with({{"RSYNC_ICONV", "utf8"}}));
    ASSERT_TRUE(server);
    EXPECT_FALSE(server->options.iconv);  // a server only takes --iconv from its client
}

TEST(OptionSemantics, PartialDirFromEnvironmentAndImplied) {
    EXPECT_EQ(opts({"--partial"}, env_with({{"RSYNC_PARTIAL_DIR", ".p"}})).partial_dir, ".p");
    EXPECT_FALSE(opts({"--partial"}).partial_dir);
    const Options delay = opts({"--delay-updates"});
    EXPECT_EQ(delay.partial_dir, ".~tmp~");
    EXPECT_TRUE(delay.partial_dir_implied);
    EXPECT_TRUE(delay.partial);
    EXPECT_FALSE(opts({"--inplace", "--partial"}).partial);
    EXPECT_TRUE(opts({"--append"}).inplace);
    EXPECT_EQ(opts({"--append", "--append"}).append, 1);  // a client counts it once
}

TEST(OptionSemantics, BackupsAndOmitDirTimes) {
    const Options b = opts({"-b"});
    EXPECT_TRUE(b.backup);
    EXPECT_EQ(b.suffix, "~");
    EXPECT_EQ(b.omit_dir_times, -1);
    const Options d = opts({"--backup-dir=././bk", "--suffix="});
    EXPECT_TRUE(d.backup);
    EXPECT_EQ(d.backup_dir, "bk");
    EXPECT_EQ(d.suffix, "");
    const Options p = opts({"-rb", "--delete"});
    EXPECT_EQ(p.filter_rules, (std::vector<std::string>{"P *~"}));
}

TEST(OptionSemantics, DirsListOnlyAndRelative) {
    auto listing = parse_args({"host:/src/"});
    ASSERT_TRUE(listing);
    EXPECT_TRUE(listing->options.list_only);
    EXPECT_TRUE(listing->options.dirs);
    EXPECT_FALSE(listing->options.list_only_given);
    EXPECT_TRUE(opts({"--list-only"}).list_only_given);
    EXPECT_TRUE(opts({"-d"}).dirs_given);
    EXPECT_FALSE(opts({"-rd"}).dirs_given);
    const Options old = opts({"--old-d"});
    EXPECT_TRUE(old.recursive && old.old_dirs);
    EXPECT_EQ(old.filter_rules, (std::vector<std::string>{"- /*/*"}));
    EXPECT_TRUE(opts({"-R"}).relative);
    EXPECT_TRUE(opts({"-R"}).implied_dirs);
    EXPECT_FALSE(opts({"-R", "--no-implied-dirs"}).implied_dirs);
    EXPECT_FALSE(opts({}).implied_dirs);  // only meaningful with -R
}

TEST(OptionSemantics, UserAndGroupMaps) {
    const Options c = opts({"--chown=alice:staff"});
    EXPECT_EQ(c.usermap, "*:alice");
    EXPECT_EQ(c.groupmap, "*:staff");
    EXPECT_TRUE(c.owner && c.group);
    EXPECT_EQ(opts({"--chown=:staff"}).usermap, "");
    EXPECT_EQ(opts({"--usermap=0:1"}).usermap, "0:1");
}

TEST(OptionSemantics, ServerSideMeanings) {
    auto inv = parse_args({"--server", "--sender", "-vlogDtpre.iLsfxCIvu", "--append", "--append",
                           "--info=bogus,name2", ".", "/data/src/"});
    ASSERT_TRUE(inv) << inv.error().message;
    EXPECT_EQ(inv->mode, Mode::server_sender);
    EXPECT_EQ(inv->options.client_info, ".iLsfxCIvu");
    EXPECT_EQ(inv->options.rsh, "");    // -e is not a remote shell on a server
    EXPECT_EQ(inv->options.append, 2);  // counted: --append-verify from an old client
    EXPECT_EQ(inv->options.info.level(InfoWord::name), 2);  // unknown words are ignored
    EXPECT_EQ(inv->server_dir, ".");
    EXPECT_EQ(inv->sources, (std::vector<std::string>{"/data/src/"}));
    EXPECT_FALSE(inv->options.list_only);  // a server does not infer a listing
}

}  // namespace
}  // namespace ursync::cli
