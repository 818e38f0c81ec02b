// -X: which attribute names each side reads, sends, accepts and manages (rsync xattrs.c on
// Linux), and when a record carries the request/answer exchange.
#include <gtest/gtest.h>

#include "roles/log_format.h"
#include "roles/xattrs.h"

namespace ursync::roles {
namespace {

TEST(XattrRules, SenderSendsEveryNamespaceButSystem) {
    EXPECT_TRUE(sender_keeps_xattr("user.a", 1));
    EXPECT_TRUE(sender_keeps_xattr("trusted.a", 1));
    EXPECT_TRUE(sender_keeps_xattr("security.selinux", 1));
    EXPECT_FALSE(sender_keeps_xattr("system.posix_acl_access", 1));
    EXPECT_FALSE(sender_keeps_xattr("system.posix_acl_access", 2));
}

TEST(XattrRules, RsyncsOwnNamesOnlyWithTwoX) {
    EXPECT_FALSE(sender_keeps_xattr("user.rsync.%stat", 1));
    EXPECT_TRUE(sender_keeps_xattr("user.rsync.%stat", 2));
    EXPECT_TRUE(sender_keeps_xattr("user.rsync.other", 1));  // only the '%' names are rsync's
    EXPECT_FALSE(receiver_accepts_xattr("user.rsync.%stat", true, 1));
    EXPECT_TRUE(receiver_accepts_xattr("user.rsync.%stat", true, 2));
}

TEST(XattrRules, ReceiverNamespacesDependOnRoot) {
    EXPECT_TRUE(receiver_accepts_xattr("trusted.a", true, 1));
    EXPECT_FALSE(receiver_accepts_xattr("trusted.a", false, 1));
    EXPECT_TRUE(receiver_accepts_xattr("user.a", false, 1));
    EXPECT_TRUE(receiver_manages_xattr("trusted.a", true));
    EXPECT_FALSE(receiver_manages_xattr("system.posix_acl_access", true));
    EXPECT_FALSE(receiver_manages_xattr("trusted.a", false));
    EXPECT_TRUE(receiver_manages_xattr("user.a", false));
}

TEST(XattrRules, ExchangeFollowsRsyncsCondition) {
    const uint32_t x = k_item_report_xattr;
    EXPECT_TRUE(xattr_exchange(1, false, false, x));
    EXPECT_FALSE(xattr_exchange(0, false, false, x));  // no -X
    EXPECT_FALSE(xattr_exchange(1, true, false, x));   // -n
    EXPECT_FALSE(xattr_exchange(1, false, false, k_item_transfer));
    const uint32_t local_link = x | k_item_xname_follows | k_item_local_change;
    EXPECT_TRUE(xattr_exchange(1, false, false, local_link));
    EXPECT_FALSE(xattr_exchange(1, false, true, local_link));  // the hard-link optimisation
    EXPECT_TRUE(xattr_exchange(1, false, true, x | k_item_local_change));
}

}  // namespace
}  // namespace ursync::roles
