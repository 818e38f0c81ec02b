// --help, --version, --info=help, the docs/compat.md options table, and check_supported().
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "cli/compat_doc.h"
#include "cli/help.h"
#include "cli/option_table.h"
#include "cli/support.h"
#include "cli_test_util.h"

namespace ursync::cli {
namespace {

using test::parse_args;

VersionFacts facts() {
    VersionFacts f;
    f.capabilities = {"64-bit files",      "64-bit inums", "64-bit timestamps",
                      "64-bit long ints",  "socketpairs",  "symlinks",
                      "symtimes",          "hardlinks",    "hardlink-specials",
                      "hardlink-symlinks", "IPv6",         "atimes"};
    f.checksums = {"xxh128", "xxh3", "xxh64", "(xxhash)", "md5", "md4", "sha1", "none"};
    f.compressions = {"zstd", "zlibx", "zlib", "none"};
    f.io_backend = "io_uring";
    return f;
}

TEST(Texts, VersionLayout) {
    const std::string text = version_text(facts());
    EXPECT_TRUE(text.starts_with("ursync  version 0.1.0  protocol version 32\n")) << text;
    EXPECT_NE(text.find("Capabilities:\n    64-bit files, 64-bit inums, 64-bit timestamps, "
                        "64-bit long ints,\n    socketpairs,"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Checksum list:\n    xxh128 xxh3 xxh64 (xxhash) md5 md4 sha1 none\n"),
              std::string::npos);
    EXPECT_NE(text.find("Compress list:\n    zstd zlibx zlib none\n"), std::string::npos);
    EXPECT_NE(text.find("I/O backend:\n    io_uring\n"), std::string::npos);
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
         start = end + 1) {
        EXPECT_LE(end - start, 80U) << text.substr(start, end - start);
    }
    const std::string json = version_json(facts());
    EXPECT_NE(json.find("\"version\": \"0.1.0\""), std::string::npos);
    EXPECT_NE(json.find("\"checksum_list\": [\"xxh128\""), std::string::npos);
}

TEST(Texts, HelpListsEveryOptionWithAHelpLine) {
    const std::string text = help_text(facts());
    EXPECT_NE(text.find("Usage: ursync [OPTION]... SRC [SRC]... DEST\n"), std::string::npos);
    EXPECT_NE(text.find("\n--verbose, -v            say more"), std::string::npos) << text;
    EXPECT_NE(text.find("\n--rsh=COMMAND, -e        "), std::string::npos);
    EXPECT_NE(text.find("\n-D                       same as --devices --specials\n"),
              std::string::npos);
    for (const auto& spec : option_table(OptionTableKind::main)) {
        if (spec.help.empty()) continue;
        EXPECT_NE(text.find(std::string(spec.help)), std::string::npos) << spec.long_name;
    }
    // A refused option says so; an implemented one does not.
    EXPECT_NE(text.find("use a similar file as the basis [not in ursync yet]\n"),
              std::string::npos);
    EXPECT_EQ(text.find("keep permissions [not"), std::string::npos);
    EXPECT_EQ(text.find("log-file-format=FMT    log per-file lines in FMT\n"), std::string::npos);
    const std::string daemon = daemon_help_text(facts());
    EXPECT_NE(daemon.find("\n--dparam=OVERRIDE, -M    "), std::string::npos) << daemon;
}

TEST(Texts, HelpModes) {
    EXPECT_EQ(parse_args({"--help"})->mode, Mode::help);
    EXPECT_EQ(parse_args({"-h"})->mode, Mode::help);  // alone, -h is help
    EXPECT_EQ(parse_args({"-hh"})->mode, Mode::help);
    EXPECT_EQ(parse_args({"-h", "a", "b"})->options.human_readable, 2);
    EXPECT_EQ(parse_args({"--version"})->mode, Mode::version);
    EXPECT_EQ(parse_args({"-VV"})->version_count, 2);
    EXPECT_EQ(parse_args({"--daemon", "--help"})->mode, Mode::daemon_help);
    auto info = parse_args({"--info=help", "--bogus"});  // acted on before the later error
    ASSERT_TRUE(info);
    EXPECT_EQ(info->mode, Mode::output_help);
    EXPECT_NE(info->output_text.find("\nNAME       "), std::string::npos) << info->output_text;
    EXPECT_NE(info->output_text.find("1) COPY,DEL,FLIST,MISC,NAME,STATS,SYMSAFE\n"),
              std::string::npos);
    auto debug = parse_args({"--debug=HELP"});
    ASSERT_TRUE(debug);
    EXPECT_NE(debug->output_text.find(
                  "3) ACL,BACKUP,CONNECT2,DEL2,DELTASUM2,EXIT,FILTER2,FLIST2,FUZZY,GENR,OWN,"
                  "RECV,SEND,TIME\n"),
              std::string::npos)
        << debug->output_text;
    auto usage = parse_args({});
    ASSERT_FALSE(usage);
    EXPECT_TRUE(usage.error().show_usage);
}

TEST(Texts, CompatDocMatchesTheOptionTable) {
    std::ifstream in(std::string(URSYNC_SOURCE_DIR) + "/docs/compat.md");
    ASSERT_TRUE(in) << "docs/compat.md is missing";
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t begin = doc.find(k_compat_table_begin);
    const std::size_t end = doc.find(k_compat_table_end);
    ASSERT_NE(begin, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    const std::string in_doc = doc.substr(begin, end + k_compat_table_end.size() + 1 - begin);
    EXPECT_EQ(in_doc, options_compat_table())
        << "docs/compat.md is out of date: run build-dir/tests/cli/compat_table_gen and paste "
           "its output over the table";
}

TEST(Support, RefusesUnimplementedOptionsWithExit4) {
    auto inv = parse_args({"-av", "--fuzzy", "src", "dst"});
    ASSERT_TRUE(inv);
    auto refused = check_supported(*inv);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ExitCode::unsupported);
    EXPECT_NE(refused.error().message.find("--fuzzy (-y)"), std::string::npos);
    // The everyday options of issue 17 run.
    EXPECT_TRUE(check_supported(*parse_args({"-avh", "--stats", "-b", "--backup-dir=../b",
                                             "--link-dest=../prev", "--out-format=%n",
                                             "--max-delete=3", "src", "dst"})));
    EXPECT_TRUE(check_supported(*parse_args({"-avz", "--partial", "--delete", "--stats", "src", "h:dst"})));
    // Progress output is written: -P, --progress and --info=progress1/2 run.
    for (const char* opt : {"-P", "--progress", "--info=progress1", "--info=progress2"}) {
        auto progress = parse_args({"-a", opt, "src", "dst"});
        ASSERT_TRUE(progress) << opt;
        EXPECT_TRUE(check_supported(*progress)) << opt;
    }
    EXPECT_TRUE(check_supported(*parse_args({"-a", "--no-backup", "--no-acls", "src", "dst"})));
    EXPECT_TRUE(check_supported(*parse_args({"--backup", "--help"})));  // nothing runs
    auto server_log = parse_args({"--server", "-logDtpre.iLsfxCIvu", "--log-format=%i", ".", "d"});
    EXPECT_TRUE(check_supported(*server_log));
    auto client_log = parse_args({"--log-format=%i", "src", "dst"});
    EXPECT_TRUE(check_supported(*client_log));
    auto server_fuzzy = parse_args({"--server", "-ye.iLsfxCIvu", ".", "d"});
    ASSERT_TRUE(server_fuzzy);
    auto server_refusal = check_supported(*server_fuzzy);
    ASSERT_FALSE(server_refusal);
    EXPECT_NE(server_refusal.error().message.find("the server does not support --fuzzy (-y)"),
              std::string::npos);
}

TEST(Support, RefusesDaemonModes) {
    EXPECT_FALSE(check_supported(*parse_args({"--daemon"})));
    EXPECT_FALSE(check_supported(*parse_args({"src", "h::mod"})));
    EXPECT_EQ(check_supported(*parse_args({"rsync://h/m/", "d"})).error().code,
              ExitCode::unsupported);
}

TEST(Support, EveryRefusedRowIsRefused) {
    for (const auto& spec : option_table(OptionTableKind::main)) {
        if (spec.support != Support::refused) continue;
        Invocation inv;
        inv.mode = Mode::local;
        inv.used = {spec.id};
        EXPECT_FALSE(check_supported(inv)) << spec.long_name;
        inv.mode = Mode::server_receiver;
        EXPECT_FALSE(check_supported(inv)) << spec.long_name;
    }
}

}  // namespace
}  // namespace ursync::cli
