// Compares, for many option combinations, the remote command ursync builds with the one stock
// rsync builds (recorded live through tests/cli/log-rsh.sh), then parses the recorded server
// argv with ursync's server parser and checks the options come back.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/compact_flags.h"
#include "cli/parse.h"
#include "cli/server_argv.h"
#include "rsync_runner.h"
#include "tests/util/stock_rsync.h"

namespace ursync::cli {
namespace {

using test::RecordedCommand;

struct LiveCase {
    const char* name;
    std::vector<std::string> args;  // "RSH" stands for the logging script
    bool roundtrip = true;          // parse the server argv back and rebuild it
};

void PrintTo(const LiveCase& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<LiveCase>& live_cases() {
    static const std::vector<LiveCase> cases = {
        {"push_archive", {"-a", "src/", "h:/d/"}},
        {"push_archive_v", {"-av", "src/", "h:/d/"}},
        {"push_vv", {"-avv", "src/", "h:/d/"}},
        {"push_z", {"-az", "src/", "h:/d/"}},
        {"push_checksum", {"-ac", "src/", "h:/d/"}},
        {"push_relative", {"-aR", "src/", "h:/d/"}},
        {"push_hard_links", {"-aH", "src/", "h:/d/"}},
        {"push_itemize_delete", {"-ai", "--delete", "src/", "h:/d/"}},
        {"push_partial_timeout_block",
         {"-a", "--partial", "--timeout=30", "-B", "2048", "src/", "h:/d/"}},
        {"push_delete_after", {"-a", "--delete-after", "src/", "h:/d/"}},
        {"push_delete_before", {"-r", "--delete-before", "src/", "h:/d/"}},
        {"push_delete_delay", {"-r", "--delete-delay", "src/", "h:/d/"}},
        {"push_del_excluded",
         {"-r", "--del", "--delete-excluded", "--exclude", "*.o", "src/", "h:/d/"}},
        {"push_exclude_delete", {"-a", "--exclude=x", "--delete", "src/", "h:/d/"}},
        {"push_dry_run", {"-an", "src/", "h:/d/"}},
        {"push_stats", {"-a", "--stats", "src/", "h:/d/"}},
        {"push_user", {"-a", "src/", "user@h:/d/"}},
        {"push_rsync_path", {"--rsync-path=/opt/rsync --x", "-a", "src/", "h:/d/"}},
        {"push_odd_path", {"-a", "src/", "h:/d/with space/it's $x (1)&;|<>{}\"`!#"}},
        {"push_leading_dash", {"-a", "src/", "h:-dir"}},
        {"push_secluded", {"-as", "src/", "h:/d/sp ace/"}},
        {"push_no_inc_recursive", {"-a", "--no-inc-recursive", "src/", "h:/d/"}},
        {"push_whole_file", {"-aW", "src/", "h:/d/"}},
        {"push_inplace_sparse_no_w", {"-a", "--inplace", "--sparse", "--no-W", "src/", "h:/d/"}},
        {"push_compress_choice", {"-a", "--compress-choice=zstd", "src/", "h:/d/"}},
        {"push_zz", {"-azz", "src/", "h:/d/"}},
        {"push_zc_zlib", {"--zc=zlib", "-a", "src/", "h:/d/"}},
        {"push_checksum_choice", {"-a", "--checksum-choice=xxh64,md5", "src/", "h:/d/"}},
        {"push_checksum_seed", {"-a", "--checksum-seed=4242", "src/", "h:/d/"}},
        {"push_size_only_existing",
         {"-r", "--size-only", "--existing", "--ignore-existing", "src/", "h:/d/"}},
        {"push_letters", {"-rtuxSI", "src/", "h:/d/"}},
        {"push_dirs_delete", {"-d", "--delete", "src/", "h:/d/"}},
        {"push_info", {"-a", "--info=del2,name", "src/", "h:/d/"}},
        {"push_progress", {"-a", "--progress", "src/", "h:/d/"}},
        {"push_dash_p", {"-aP", "src/", "h:/d/"}},
        {"push_quiet", {"-aq", "src/", "h:/d/"}},
        {"push_numeric_ids", {"-a", "--numeric-ids", "src/", "h:/d/"}},
        {"push_remote_option", {"-a", "-M--size-only", "-M", "--no-W", "src/", "h:/d/"}, false},
        {"push_rsh_words", {"-e", "RSH -p 2222 -o 'Opt=a b' \"x\"\"y\"", "-a", "src/", "h:/d/"}},
        {"push_ipv6", {"-a", "src/", "[::1]:/d/"}},
        {"push_multi_source", {"-a", "src/a.txt", "src/sub", "h:/d/"}},
        {"push_xattrs_xx", {"-aXX", "src/", "h:/d/"}},
        {"push_itemize_twice", {"-aii", "src/", "h:/d/"}},
        {"push_protocol_29", {"--protocol=29", "-a", "src/", "h:/d/"}},
        {"push_protocol_30", {"--protocol=30", "-a", "src/", "h:/d/"}},
        {"push_empty_remote_path", {"-a", "src/", "h:"}},
        {"push_tilde", {"-a", "src/", "h:~/d"}},
        {"push_relative_dot", {"-aR", "src/./sub", "h:/d/"}},
        {"push_backup_suffix", {"-ab", "--suffix=.bak", "src/", "h:/d/"}},
        {"push_backup_dir", {"-a", "--backup-dir=./../bk dir", "src/", "h:/d/"}},
        {"push_max_delete", {"-a", "--delete", "--max-delete=0", "src/", "h:/d/"}},
        {"push_modify_window", {"-a", "-@-1", "src/", "h:/d/"}},
        {"push_chown", {"-a", "--chown=u:g", "src/", "h:/d/"}},
        {"push_partial_dir", {"-a", "--partial-dir=.p", "--delay-updates", "src/", "h:/d/"}},
        {"push_delay_updates", {"-a", "--delay-updates", "src/", "h:/d/"}},
        {"push_out_format", {"-r", "--out-format=%n", "src/", "h:/d/"}},
        {"push_min_max_size", {"-r", "--min-size=1k", "--max-size=2M", "src/", "h:/d/"}},
        {"push_compress_level", {"-az", "--compress-level=3", "src/", "h:/d/"}},
        {"push_one_file_system_twice", {"-axx", "src/", "h:/d/"}},
        {"push_ssh_ipv4", {"-4", "-e", "RSH", "-a", "src/", "h:/d/"}},
        {"pull_archive", {"-a", "h:/s/", "dst/"}},
        {"pull_verbose", {"-av", "h:/s/", "dst/"}},
        {"pull_delete_after", {"-a", "--delete-after", "h:/s/", "dst/"}},
        {"pull_delete", {"-a", "--delete", "h:/s/", "dst/"}},
        {"pull_list", {"h:/s/"}},
        {"pull_list_recursive", {"-r", "h:/s/"}},
        {"pull_list_only", {"--list-only", "-a", "h:/s/", "dst/"}},
        {"pull_multi", {"-a", "h:/s/a", "h:/s/b", ":/s/c", "dst/"}},
        {"pull_secluded", {"-as", "h:/s/", "dst/"}},
        {"pull_secluded_paths", {"-as", "h:/s/x y", "h:-z", "h:", "dst/"}},
        {"pull_tilde", {"-a", "h:~foo", "dst/"}},
        {"pull_wildcards", {"-a", "h:/s/*.txt", "h:/s/[ab]?", "dst/"}},
        {"pull_backslash", {"-a", "h:/s/a\\b", "h:/s/c\\*", "dst/"}},
        {"pull_z_h_c", {"-azHc", "h:/s/", "dst/"}},
        {"pull_checksum_seed", {"-a", "--checksum-seed=-7", "h:/s/", "dst/"}},
        {"pull_user_ipv6", {"-a", "u@[fe80::1]:/s/", "dst/"}},
        {"pull_stats_dry_itemize", {"-ani", "--stats", "h:/s/", "dst/"}},
        {"pull_partial", {"-a", "--partial", "h:/s/", "dst/"}},
        {"pull_timeout_block", {"-a", "--timeout=5", "-B", "1k", "h:/s/", "dst/"}},
        {"pull_rsync_path_user", {"--rsync-path=/usr/local/bin/rsync", "-a", "me@h:/s/", "dst/"}},
        {"pull_info_progress2", {"-a", "--info=progress2", "h:/s/", "dst/"}},
        {"pull_copy_links", {"-aLk", "h:/s/", "dst/"}},
        {"pull_old_args", {"--old-args", "-a", "h:/s/x y", "dst/"}},
        {"pull_compress_level_only", {"--zl=3", "-a", "h:/s/", "dst/"}},
        {"pull_files_from", {"--files-from=list.txt", "-a", "h:/s/", "dst/"}},
        {"pull_prune_delay", {"-am", "--delay-updates", "h:/s/", "dst/"}},
        {"pull_skip_compress", {"-az", "--skip-compress=gz/jpg", "h:/s/", "dst/"}},
        {"pull_no_inc_recursive", {"-a", "--no-i-r", "h:/s/", "dst/"}},
        {"pull_iconv", {"--iconv=utf8,latin1", "-a", "h:/s/", "dst/"}},
        // Everyday options (issue 17).
        {"push_human", {"-avhP", "--stats", "src/", "h:/d/"}},
        {"push_link_dest", {"-a", "--link-dest=../prev", "--link-dest=/abs", "src/", "h:/d/"}},
        {"push_compare_copy_dest", {"-a", "--copy-dest=../c", "src/", "h:/d/"}},
        {"push_files_from_remote", {"-a", "--files-from=h:/l.txt", "-0", "src/", "h:/d/"}},
        {"pull_files_from_remote", {"-a", "--files-from=:/l.txt", "h:/s/", "dst/"}},
        {"pull_from0", {"-a", "-0", "--files-from=list.txt", "h:/s/", "dst/"}},
        {"push_chmod_bwlimit", {"-a", "--chmod=D755,F644", "--bwlimit=1m", "src/", "h:/d/"}},
        {"push_temp_dir", {"-a", "-T", "/tmp/t d", "src/", "h:/d/"}},
        {"push_remove_source", {"-a", "--remove-source-files", "src/", "h:/d/"}},
        {"push_append_verify", {"-a", "--append-verify", "src/", "h:/d/"}},
        {"push_stop_after_mkpath", {"-a", "--stop-after=5", "--mkpath", "src/", "h:/d/x/"}},
        {"push_fsync_preallocate", {"-a", "--fsync", "--preallocate", "src/", "h:/d/"}},
        {"push_links_safety", {"-a", "--safe-links", "-K", "-O", "-J", "src/", "h:/d/"}},
        {"push_missing_args", {"-a", "--delete-missing-args", "src/x", "h:/d/"}},
        {"pull_ignore_missing", {"-a", "--ignore-missing-args", "-m", "h:/s/", "dst/"}},
        {"push_usermap", {"-a", "--usermap=1:2", "--groupmap=*:3", "src/", "h:/d/"}},
        {"push_ignore_errors_force", {"-a", "--delete", "--ignore-errors", "--force", "src/",
                                      "h:/d/"}},
        {"pull_listing_no_dest", {"-a", "h:/s/"}},
        {"push_executability_atimes", {"-rtEU", "src/", "h:/d/"}},
    };
    return cases;
}

std::string script_path() {
    return std::string(URSYNC_SOURCE_DIR) + "/tests/cli/log-rsh.sh";
}

std::vector<std::string> substitute_rsh(std::vector<std::string> args) {
    for (auto& arg : args) {
        for (std::size_t p = arg.find("RSH"); p != std::string::npos; p = arg.find("RSH")) {
            arg.replace(p, 3, script_path());
        }
    }
    return args;
}

Environment test_env() {
    Environment env = Environment::empty();
    env.get_var = [](const std::string& name) -> std::optional<std::string> {
        if (name == "RSYNC_RSH") return script_path();
        return std::nullopt;
    };
    return env;
}

// What ssh and the remote shell do to the command: join the words with spaces, then split them
// again, removing backslash escapes (the only quoting rsync uses).
std::vector<std::string> remote_shell_words(const std::vector<std::string>& args) {
    std::string line;
    for (const auto& arg : args) line += (line.empty() ? "" : " ") + arg;
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\' && i + 1 < line.size()) {
            word += line[++i];
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

bool server_is_sender_of(Mode mode) {
    return mode == Mode::pull || mode == Mode::list_only;
}

class LiveServerArgv : public ::testing::TestWithParam<LiveCase> {
  protected:
    static void SetUpTestSuite() {
        if (!tests::have_rsync()) return;
        dir_ = test::make_temp_dir();
        std::filesystem::create_directories(dir_ + "/src/sub");
        std::ofstream(dir_ + "/src/a.txt") << "a\n";
        std::ofstream(dir_ + "/src/sub/b") << "b\n";
        std::ofstream(dir_ + "/list.txt") << "a.txt\n";
    }
    static void TearDownTestSuite() {
        if (!dir_.empty()) test::remove_tree(dir_);
    }
    static std::string dir_;
};
std::string LiveServerArgv::dir_;

TEST_P(LiveServerArgv, MatchesStockRsyncAndParsesBack) {
    if (!tests::have_rsync()) GTEST_SKIP() << "rsync is not installed";
    const LiveCase& c = GetParam();
    const std::vector<std::string> args = substitute_rsh(c.args);
    const bool secluded =
        c.args[0].find('s') != std::string::npos && c.args[0][0] == '-' && c.args[0][1] != '-';
    auto recorded = test::record_remote_command(args, dir_, script_path(), secluded);
    ASSERT_TRUE(recorded) << "stock rsync did not run the remote shell";

    // ursync: parse the same command line and build the remote command.
    std::vector<std::string> argv{"rsync"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto inv = parse_command_line(argv, test_env());
    ASSERT_TRUE(inv) << inv.error().message;
    ASSERT_TRUE(inv->shell.has_value());
    const bool server_is_sender = server_is_sender_of(inv->mode);
    std::vector<std::string> remote_paths =
        server_is_sender ? inv->sources : std::vector<std::string>{*inv->destination};
    auto command = build_remote_command(inv->options, *inv->shell, server_is_sender, remote_paths);
    ASSERT_TRUE(command) << command.error().message;
    std::vector<std::string> ours(command->begin() + 1, command->end());  // drop the program
    EXPECT_EQ(ours, recorded->args);

    const auto lists = build_server_arg_lists(inv->options, server_is_sender, remote_paths);
    if (inv->options.secluded_args) {
        const std::string bytes = secluded_args_bytes(lists.secluded);
        EXPECT_EQ(recorded->stdin_bytes.substr(0, bytes.size()), bytes);
    }
    if (!c.roundtrip) return;

    // The server side: parse what the server receives after the remote shell, then rebuild the
    // command line from the parsed options.
    const std::vector<std::string> words = remote_shell_words(recorded->args);
    std::size_t at = 0;
    while (at < words.size() && words[at] != "--server") ++at;
    ASSERT_LT(at, words.size());
    std::vector<std::string> server_argv{"rsync"};
    server_argv.insert(server_argv.end(), words.begin() + static_cast<std::ptrdiff_t>(at),
                       words.end());
    auto server = parse_command_line(server_argv, Environment::empty());
    ASSERT_TRUE(server) << server.error().message;
    if (server->awaiting_secluded_args) {
        auto received = decode_secluded_args(recorded->stdin_bytes, nullptr);
        ASSERT_TRUE(received) << received.error();
        server = parse_secluded_server_args(*server, *received, Environment::empty());
        ASSERT_TRUE(server) << server.error().message;
    }
    EXPECT_EQ(server->mode, server_is_sender ? Mode::server_sender : Mode::server_receiver);
    EXPECT_EQ(server->server_dir, ".");
    if (inv->options.secluded_args) {
        auto received = decode_secluded_args(recorded->stdin_bytes, nullptr);
        ASSERT_TRUE(received);
        const auto dot = std::find(received->begin() + 1, received->end(), ".");
        EXPECT_EQ(server->sources, std::vector<std::string>(dot + 1, received->end()));
    } else {
        const auto dot = std::find(server_argv.begin(), server_argv.end(), ".");
        EXPECT_EQ(server->sources, std::vector<std::string>(dot + 1, server_argv.end()));
    }

    // Rebuild as a client with these options would: what the client does not forward (the
    // protocol it asks for, --old-args) comes from the client; "--files-from=-" means "from the
    // connection" on a server but a local file on a client.
    Options back = server->options;
    back.server = false;
    back.sender = false;
    back.protocol = inv->options.protocol;
    back.old_args = inv->options.old_args;
    if (back.files_from == "-") back.files_from_host.reset();
    // A list the server reads itself ("host:LIST" on the client) came with the client's host.
    if (inv->options.files_from_host && back.files_from != "-")
        back.files_from_host = inv->options.files_from_host;
    auto rebuilt = build_server_arg_lists(back, server_is_sender, remote_paths);
    // The capability letters describe the client; the server keeps them verbatim.
    for (auto& arg : rebuilt.command_line) {
        const auto e = arg.find('e');
        if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && e != std::string::npos) {
            arg = arg.substr(0, e + 1) + back.client_info;
        }
    }
    EXPECT_EQ(rebuilt.command_line, lists.command_line);
    EXPECT_EQ(rebuilt.secluded, lists.secluded);
    EXPECT_EQ(back.client_info, build_client_info(inv->options, server_is_sender));
}

INSTANTIATE_TEST_SUITE_P(Cases, LiveServerArgv, ::testing::ValuesIn(live_cases()),
                         [](const ::testing::TestParamInfo<LiveCase>& param_info) {
                             return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace ursync::cli
