// Every row of the option tables: it parses, it is recorded, it changes something, and its
// --no-OPTION partner undoes it.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "cli/option_table.h"
#include "cli_test_util.h"

namespace ursync::cli {
namespace {

using test::Args;
using test::parse_args;

// A value each option accepts.
std::string sample_value(const OptionSpec& spec) {
    switch (spec.id) {
        case OptionId::info:
            return "del2";
        case OptionId::debug:
            return "filter";
        case OptionId::stderr_mode:
            return "all";
        case OptionId::checksum_choice:
        case OptionId::cc:
            return "md5";
        case OptionId::compress_choice:
        case OptionId::zc:
            return "zstd";
        case OptionId::max_size:
        case OptionId::min_size:
        case OptionId::bwlimit:
            return "1m";
        case OptionId::max_alloc:
            return "2G";
        case OptionId::block_size:
            return "2048";
        case OptionId::remote_option:
            return "--size-only";
        case OptionId::outbuf:
            return "L";
        case OptionId::confine_root:
            return "/srv";
        case OptionId::stop_after:
        case OptionId::time_limit:
            return "5";
        case OptionId::suffix:
            return ".bak";
        case OptionId::chmod:
            return "Dg+s,F644";
        case OptionId::stop_at:
            return "2099-01-01T00:00";
        case OptionId::d_dparam:
            return "name=value";
        default:
            return spec.arg == ArgKind::integer ? "7" : "value";
    }
}

// The option as arguments, plus what else the transfer needs for it to make sense.
Args args_for(const OptionSpec& spec) {
    Args args;
    if (spec.long_name.empty()) {
        args.push_back(std::string{'-', spec.short_name});
    } else if (spec.arg == ArgKind::none) {
        args.push_back("--" + std::string(spec.long_name));
    } else {
        args.push_back("--" + std::string(spec.long_name) + "=" + sample_value(spec));
    }
    return args;
}

bool needs_recursion(OptionId id) {
    return id == OptionId::del || id == OptionId::delete_ || id == OptionId::delete_before ||
           id == OptionId::delete_during || id == OptionId::delete_delay ||
           id == OptionId::delete_after || id == OptionId::delete_excluded;
}

bool needs_daemon(OptionId id) {
    return id == OptionId::password_file || id == OptionId::contimeout;
}

// Rows handled by their own tests (they switch modes or are refused while parsing).
bool special_row(OptionId id) {
    switch (id) {
        case OptionId::help:
        case OptionId::version:
        case OptionId::server:
        case OptionId::sender:
        case OptionId::config:
        case OptionId::daemon:
        case OptionId::dparam:
        case OptionId::detach:
        case OptionId::no_detach:
        case OptionId::crtimes:
            return true;
        default:
            return false;
    }
}

// Positive rows whose setting is rsync's default in a plain local copy.
bool default_valued(OptionId id) {
    return id == OptionId::implied_dirs || id == OptionId::i_d || id == OptionId::motd ||
           id == OptionId::no_iconv;
}

Args context_for(OptionId id) {
    Args args;
    if (needs_recursion(id)) args.push_back("-r");
    if (needs_daemon(id)) return {"src", "host::module/dst"};
    args.push_back("src");
    args.push_back("dst");
    return args;
}

auto observable(const Invocation& inv) {
    return std::tie(inv.mode, inv.options, inv.sources, inv.destination, inv.shell, inv.daemon);
}

Invocation parse_ok(const Args& args, const Environment& env = Environment::empty()) {
    auto inv = parse_args(args, env);
    EXPECT_TRUE(inv) << args[0] << ": " << inv.error().message;
    return inv ? *inv : Invocation{};
}

const Environment& files_env() {
    static const auto env = test::env_with({}, {{"value", "*.o\n"}});
    return env;
}

Args concat(Args a, const Args& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST(OptionRows, EveryIdHasExactlyOneRow) {
    std::set<OptionId> seen;
    for (const auto kind : {OptionTableKind::main, OptionTableKind::daemon}) {
        for (const auto& spec : option_table(kind)) {
            EXPECT_TRUE(seen.insert(spec.id).second) << spec.long_name;
            EXPECT_EQ(&option_spec(spec.id), &spec);
        }
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(OptionId::d_help) + 1);
}

TEST(OptionRows, EveryRowParsesIsRecordedAndHasAnEffect) {
    for (const auto& spec : option_table(OptionTableKind::main)) {
        if (special_row(spec.id) || spec.long_name.starts_with("no-")) continue;
        const Args context = context_for(spec.id);
        const Invocation base = parse_ok(context, files_env());
        const Invocation with = parse_ok(concat(args_for(spec), context), files_env());
        EXPECT_NE(std::find(with.used.begin(), with.used.end(), spec.id), with.used.end())
            << spec.long_name;
        if (default_valued(spec.id)) {
            EXPECT_EQ(observable(with), observable(base)) << spec.long_name;
        } else {
            EXPECT_NE(observable(with), observable(base)) << spec.long_name << spec.short_name;
        }
    }
}

// The row a --no-OPTION row negates.
const OptionSpec* positive_of(const OptionSpec& negation) {
    const std::string_view name = negation.long_name.substr(3);
    if (name.size() == 1) return find_short_option(OptionTableKind::main, name[0]);
    return find_long_option(OptionTableKind::main, name);
}

// Negations that set something other than the default (rsync keeps the explicit "no").
bool negation_is_explicit(OptionId id) {
    switch (id) {
        case OptionId::no_msgs2stderr:
        case OptionId::no_whole_file:
        case OptionId::no_W:
        case OptionId::no_inc_recursive:
        case OptionId::no_i_r:
        case OptionId::no_human_readable:
        case OptionId::no_h:
        case OptionId::no_super:
        case OptionId::no_blocking_io:
        case OptionId::no_motd:
        case OptionId::no_timeout:
        case OptionId::no_contimeout:
        case OptionId::no_bwlimit:
        case OptionId::no_A:
        case OptionId::no_acls:
        case OptionId::no_detach:
        case OptionId::no_crtimes:
        case OptionId::no_N:
            return true;
        default:
            return false;
    }
}

TEST(OptionRows, EveryNegationUndoesItsOption) {
    int checked = 0;
    for (const auto& spec : option_table(OptionTableKind::main)) {
        if (!spec.long_name.starts_with("no-") || negation_is_explicit(spec.id)) continue;
        const OptionSpec* positive = positive_of(spec);
        ASSERT_NE(positive, nullptr) << spec.long_name;
        const Args context = context_for(positive->id);
        const Invocation base = parse_ok(context, files_env());
        const Invocation undone = parse_ok(
            concat(concat(args_for(*positive), {"--" + std::string(spec.long_name)}), context),
            files_env());
        EXPECT_EQ(observable(undone), observable(base)) << spec.long_name;
        ++checked;
    }
    EXPECT_GT(checked, 50);
}

TEST(OptionRows, ExplicitNegationsKeepTheirNo) {
    const Options o =
        parse_ok({"-W", "--no-W", "--no-i-r", "--no-h", "--no-super", "--no-blocking-io",
                  "--no-motd", "--timeout=5", "--no-timeout", "--no-msgs2stderr", "src", "dst"})
            .options;
    EXPECT_EQ(o.whole_file, false);
    EXPECT_EQ(o.inc_recursive, false);
    EXPECT_EQ(o.human_readable, 0);
    EXPECT_EQ(o.super_mode, SuperMode::no_super);
    EXPECT_EQ(o.blocking_io, false);
    EXPECT_FALSE(o.motd);
    EXPECT_EQ(o.timeout, 0);
    EXPECT_EQ(o.stderr_mode, StderrMode::client);
    const Options acl = parse_ok({"-A", "--no-A", "src", "dst"}).options;
    EXPECT_FALSE(acl.acls);
    EXPECT_TRUE(acl.perms);  // -A turned --perms on, and --no-A leaves that
}

TEST(OptionRows, DaemonTableRowsParseInDaemonMode) {
    for (const auto& spec : option_table(OptionTableKind::daemon)) {
        if (spec.id == OptionId::d_help || spec.id == OptionId::d_daemon) continue;
        Args args = args_for(spec);
        args.insert(args.begin(), "--daemon");
        auto inv = parse_args(args);
        ASSERT_TRUE(inv) << spec.long_name << ": " << inv.error().message;
        EXPECT_TRUE(inv->mode == Mode::daemon || inv->mode == Mode::server_daemon)
            << spec.long_name;
        EXPECT_NE(std::find(inv->used.begin(), inv->used.end(), spec.id), inv->used.end())
            << spec.long_name;
    }
}

}  // namespace
}  // namespace ursync::cli
