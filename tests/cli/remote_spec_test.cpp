// Every remote-spec form: host:path, user@host:path, [ipv6]:path, host::module/path, rsync:// URLs,
// local paths with ':' after a '/', and how a client's arguments are classified.
#include "cli/remote_spec.h"

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace ursync::cli {
namespace {

using test::parse_args;

TEST(RemoteSpec, ShellSpecs) {
    EXPECT_EQ(classify_arg("host:path"), ArgSpec(RemoteShellSpec{"", "host", "path"}));
    EXPECT_EQ(classify_arg("user@host:/abs/"), ArgSpec(RemoteShellSpec{"user", "host", "/abs/"}));
    EXPECT_EQ(classify_arg("a@b@host:x"), ArgSpec(RemoteShellSpec{"a@b", "host", "x"}));
    EXPECT_EQ(classify_arg("host:"), ArgSpec(RemoteShellSpec{"", "host", ""}));
    EXPECT_EQ(classify_arg("[::1]:/d/"), ArgSpec(RemoteShellSpec{"", "::1", "/d/"}));
    EXPECT_EQ(classify_arg("u@[fe80::1%eth0]:x"),
              ArgSpec(RemoteShellSpec{"u", "fe80::1%eth0", "x"}));
    EXPECT_EQ(classify_arg("host:a:b"), ArgSpec(RemoteShellSpec{"", "host", "a:b"}));
    EXPECT_EQ(classify_arg(":path"), ArgSpec(RemoteShellSpec{"", "", "path"}));
}

TEST(RemoteSpec, LocalPaths) {
    EXPECT_EQ(classify_arg("plain"), ArgSpec(LocalSpec{"plain"}));
    EXPECT_EQ(classify_arg("./a:b"), ArgSpec(LocalSpec{"./a:b"}));  // ':' after a '/'
    EXPECT_EQ(classify_arg("/x/host:y"), ArgSpec(LocalSpec{"/x/host:y"}));
    EXPECT_EQ(classify_arg("[::1]"), ArgSpec(LocalSpec{"[::1]"}));    // no ':' after it
    EXPECT_EQ(classify_arg("a[b]:c"), ArgSpec(LocalSpec{"a[b]:c"}));  // '[' not at the start
    EXPECT_EQ(classify_arg("[]:x"), ArgSpec(LocalSpec{"[]:x"}));      // empty brackets
    EXPECT_EQ(classify_arg("[::1]x:y"), ArgSpec(LocalSpec{"[::1]x:y"}));
    EXPECT_EQ(classify_arg(""), ArgSpec(LocalSpec{""}));
}

TEST(RemoteSpec, DaemonSpecs) {
    EXPECT_EQ(classify_arg("host::module/sub/dir"),
              ArgSpec(DaemonSpec{"", "host", 0, "module", "sub/dir", false}));
    EXPECT_EQ(classify_arg("u@host::"), ArgSpec(DaemonSpec{"u", "host", 0, "", "", false}));
    EXPECT_EQ(classify_arg("rsync://host/module/path"),
              ArgSpec(DaemonSpec{"", "host", 0, "module", "path", true}));
    EXPECT_EQ(classify_arg("RSYNC://u@host:8873/m"),
              ArgSpec(DaemonSpec{"u", "host", 8873, "m", "", true}));
    EXPECT_EQ(classify_arg("rsync://[::1]:874/m/p"),
              ArgSpec(DaemonSpec{"", "::1", 874, "m", "p", true}));
    EXPECT_EQ(classify_arg("rsync://host"), ArgSpec(DaemonSpec{"", "host", 0, "", "", true}));
    // A port that is not a number makes it no URL: "rsync" is then a host.
    EXPECT_EQ(classify_arg("rsync://h:x/"), ArgSpec(RemoteShellSpec{"", "rsync", "//h:x/"}));
    EXPECT_EQ(std::get<DaemonSpec>(classify_arg("h::m/a/b")).module_path(), "m/a/b");
}

TEST(RemoteSpec, PortHintIsRsyncsPortOption) {
    EXPECT_EQ(check_for_hostspec("h::m", 1234)->port, 1234);
    EXPECT_EQ(check_for_hostspec("h:m", 1234)->port, 0);
    EXPECT_EQ(check_for_hostspec("rsync://h/m", 99)->port, 99);
    EXPECT_EQ(check_for_hostspec("rsync://h:5/m", 99)->port, 5);
    EXPECT_FALSE(check_for_hostspec("dir/x:y", 0));
}

TEST(ClientArgs, PushPullLocalAndListings) {
    auto push = parse_args({"-a", "src/", "other", "me@host:dst/"});
    ASSERT_TRUE(push);
    EXPECT_EQ(push->mode, Mode::push);
    EXPECT_EQ(push->sources, (test::Args{"src/", "other"}));
    EXPECT_EQ(push->destination, "dst/");
    EXPECT_EQ(push->shell, (RemoteShellSpec{"me", "host", "dst/"}));

    auto pull = parse_args({"-a", "host:a/", "host:b", ":c", "dst"});
    ASSERT_TRUE(pull);
    EXPECT_EQ(pull->mode, Mode::pull);
    EXPECT_EQ(pull->sources, (test::Args{"a/", "b", "c"}));
    EXPECT_EQ(pull->destination, "dst");

    auto local = parse_args({"a", "b", "c/"});
    ASSERT_TRUE(local);
    EXPECT_EQ(local->mode, Mode::local);
    EXPECT_EQ(local->sources, (test::Args{"a", "b"}));
    EXPECT_FALSE(local->shell || local->daemon);

    auto listing = parse_args({"host:"});
    ASSERT_TRUE(listing);
    EXPECT_EQ(listing->mode, Mode::list_only);
    EXPECT_EQ(listing->sources, (test::Args{"."}));  // an empty remote path is "."
    EXPECT_FALSE(listing->destination);

    auto local_listing = parse_args({"dir/"});
    ASSERT_TRUE(local_listing);
    EXPECT_EQ(local_listing->mode, Mode::list_only);

    auto colon_last = parse_args({"host:a", ":b"});  // a last arg starting with ':' is a source
    ASSERT_TRUE(colon_last);
    EXPECT_EQ(colon_last->mode, Mode::list_only);
    EXPECT_EQ(colon_last->sources, (test::Args{"a", "b"}));

    auto push_home = parse_args({"src", "host:"});
    ASSERT_TRUE(push_home);
    EXPECT_EQ(push_home->destination, ".");
}

TEST(ClientArgs, DaemonDestinationsAndSources) {
    auto socket = parse_args({"-a", "src/", "rsync://u@h:9/mod/p"});
    ASSERT_TRUE(socket);
    EXPECT_EQ(socket->mode, Mode::push);
    ASSERT_TRUE(socket->daemon);
    EXPECT_EQ(*socket->daemon, (DaemonSpec{"u", "h", 9, "mod", "p", true}));
    EXPECT_FALSE(socket->shell);

    auto over_rsh = parse_args({"-e", "ssh", "h::mod/x", "dst"});
    ASSERT_TRUE(over_rsh);
    EXPECT_EQ(over_rsh->mode, Mode::pull);
    ASSERT_TRUE(over_rsh->daemon);
    EXPECT_TRUE(over_rsh->options.rsh_given);
    EXPECT_EQ(over_rsh->sources, (test::Args{"mod/x"}));

    auto modules = parse_args({"h::"});
    ASSERT_TRUE(modules);
    EXPECT_EQ(modules->mode, Mode::list_only);
    EXPECT_EQ(modules->daemon->module, "");
}

TEST(ClientArgs, TrailingSlashAndOddPathsAreKept) {
    auto inv = parse_args({"-r", "a b/", "host:/x/it's (1)/"});
    ASSERT_TRUE(inv);
    EXPECT_EQ(inv->sources, (test::Args{"a b/"}));
    EXPECT_EQ(inv->destination, "/x/it's (1)/");
    auto old = parse_args({"--old-args", "src", ""});
    ASSERT_TRUE(old);
    EXPECT_EQ(old->destination, ".");
}

}  // namespace
}  // namespace ursync::cli
