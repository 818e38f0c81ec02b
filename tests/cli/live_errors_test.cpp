// Syntax errors and conflicts: ursync's message and exit code against what stock rsync prints for
// the same command line (run live; skipped when rsync is not installed).
#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "rsync_runner.h"
#include "tests/util/stock_rsync.h"

namespace ursync::cli {
namespace {

struct ErrorCase {
    const char* name;
    test::Args args;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<ErrorCase>& error_cases() {
    static const std::vector<ErrorCase> cases = {
        {"unknown_long", {"--bogus", "s", "d"}},
        {"unknown_long_value", {"--bogus=1", "s", "d"}},
        {"unknown_in_cluster", {"-aQ", "s", "d"}},
        {"unknown_digit", {"-vv1", "s", "d"}},
        {"flag_with_value", {"--verbose=3", "s", "d"}},
        {"short_flag_with_value", {"-v=x", "s", "d"}},
        {"missing_argument", {"s", "d", "--exclude"}},
        {"missing_argument_cluster", {"s", "d", "-avB"}},
        {"bad_number_attached", {"--timeout=abc", "s", "d"}},
        {"bad_number_separate", {"--timeout", "abc", "s", "d"}},
        {"bad_number_short", {"-v@x", "s", "d"}},
        {"number_overflow", {"--port=99999999999", "s", "d"}},
        {"delete_without_recursion", {"--delete", "s", "d"}},
        {"delete_when_twice", {"--delete-before", "--delete-after", "-r", "s", "d"}},
        {"block_size_too_large", {"-B", "999999999", "s", "d"}},
        {"block_size_invalid", {"-B", "1x", "s", "d"}},
        {"max_size_invalid", {"--max-size=9zb", "s", "d"}},
        {"bwlimit_too_small", {"--bwlimit=100b", "s", "d"}},
        {"max_alloc_too_small", {"--max-alloc=1", "s", "d"}},
        {"unknown_compress", {"--compress-choice=foo", "s", "d"}},
        {"unknown_checksum", {"--checksum-choice=bar", "s", "d"}},
        {"unknown_checksum_second", {"--cc=md5,bar", "s", "d"}},
        {"unknown_info", {"--info=bogus", "s", "d"}},
        {"unknown_debug", {"--debug=zzz", "s", "d"}},
        {"bad_stderr_mode", {"--stderr=x", "s", "d"}},
        {"remote_option_without_dash", {"-M", "foo", "s", "d"}},
        {"suffix_with_slash", {"--suffix=a/b", "-b", "s", "d"}},
        {"empty_suffix", {"-b", "--suffix=", "s", "d"}},
        {"empty_suffix_without_backup", {"--suffix=", "s", "d"}},
        {"empty_suffix_same_dir", {"--backup-dir=.", "--suffix=", "s", "d"}},
        {"append_whole_file", {"--append", "-W", "s", "d"}},
        {"inplace_partial_dir", {"--inplace", "--partial-dir=x", "s", "d"}},
        {"inplace_delay_updates", {"--delay-updates", "--inplace", "s", "d"}},
        {"secluded_old_args", {"--old-args", "-s", "s", "d"}},
        {"contimeout_without_daemon", {"--contimeout=5", "s", "host:d"}},
        {"password_file_without_daemon", {"--password-file=x", "s", "host:d"}},
        {"usermap_twice", {"--usermap=a", "--usermap=b", "s", "d"}},
        {"usermap_after_chown", {"--chown=a", "--usermap=b", "s", "d"}},
        {"chown_after_usermap", {"--usermap=a", "--chown=b", "s", "d"}},
        {"chown_after_groupmap", {"--groupmap=a", "--chown=:b", "s", "d"}},
        {"alt_dest_conflict", {"--link-dest=a", "--copy-dest=b", "s", "d"}},
        {"stop_after_zero", {"--stop-after=0", "s", "d"}},
        {"bad_outbuf", {"--outbuf=Q", "s", "d"}},
        {"relative_confine_root", {"--confine-root=rel", "s", "d"}},
        {"batch_read_and_write", {"--write-batch=x", "--read-batch=y", "s", "d"}},
        {"crtimes_not_supported", {"-N", "s", "d"}},
        {"crtimes_on_server", {"--server", "-N", ".", "x"}},
        {"unknown_on_server", {"--server", "--bogus"}},
        {"unknown_in_compact_string", {"--server", "-vZ", ".", "x"}},
        {"unknown_before_server", {"--bogus", "--server"}},
        {"daemon_unknown", {"--daemon", "--foo"}},
        {"daemon_unknown_via_config", {"--config=x", "--bogus"}},
        {"dparam_without_equals", {"--dparam=x", "--daemon"}},
        {"daemon_option_alone", {"--no-detach", "s", "d"}},
        {"both_remote", {"h:a", "g:b"}},
        {"remote_among_local_sources", {"s", "h:a", "g:b"}},
        {"dash_host", {"--", "s", "-h:d"}},
        {"empty_destination", {"s", ""}},
        {"empty_source", {"", "d"}},
        {"local_among_remote_sources", {"h:a", "loc", "dst"}},
        {"sources_from_two_hosts", {"h:a", "g:b", "dst"}},
        {"shell_and_daemon_sources", {"h:a", "h::b", "dst"}},
        {"daemon_ports_differ", {"rsync://h:1/a", "rsync://h:2/b", "dst"}},
        {"files_from_other_host", {"--files-from=h:x", "s", "g:d"}},
        {"files_from_remote_local_copy", {"--files-from=h:x", "a", "b"}},
        {"files_from_remote_stdin", {"--files-from=h:-", "h:s", "d"}},
        {"usage_without_args", {"-v"}},
        {"usage_sender_without_server", {"--sender", "s", "d"}},
        {"usage_files_from_three_args", {"-r", "--files-from=x", "a", "b", "c"}},
    };
    return cases;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

class LiveErrors : public ::testing::TestWithParam<ErrorCase> {
  protected:
    static void SetUpTestSuite() { dir_ = test::make_temp_dir(); }
    static void TearDownTestSuite() { test::remove_tree(dir_); }
    static std::string dir_;
};
std::string LiveErrors::dir_;

TEST_P(LiveErrors, SameMessageAndExitCodeAsRsync) {
    if (!tests::have_rsync()) GTEST_SKIP() << "rsync is not installed";
    const ErrorCase& c = GetParam();
    const auto live = test::run_rsync(c.args, dir_, {{"RSYNC_RSH", "/bin/false"}});
    auto ours = test::parse_args(c.args);
    ASSERT_FALSE(ours) << "ursync accepted it; rsync said: " << live.stderr_text;
    EXPECT_EQ(to_int(ours.error().code), live.exit_code) << live.stderr_text;
    const auto live_lines = lines_of(live.stderr_text);
    if (ours.error().show_usage) {
        ASSERT_FALSE(live_lines.empty());
        EXPECT_TRUE(live_lines[0].starts_with("rsync  version")) << live.stderr_text;
        return;
    }
    const auto our_lines = lines_of(ours.error().message);
    ASSERT_LE(our_lines.size(), live_lines.size()) << live.stderr_text;
    for (std::size_t i = 0; i < our_lines.size(); ++i) {
        EXPECT_EQ(our_lines[i], live_lines[i]);
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, LiveErrors, ::testing::ValuesIn(error_cases()),
                         [](const ::testing::TestParamInfo<ErrorCase>& param_info) {
                             return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace ursync::cli
