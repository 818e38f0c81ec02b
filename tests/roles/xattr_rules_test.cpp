// -X: which attribute names each side reads, sends, accepts and manages (rsync xattrs.c on
// Linux), and when a record carries the request/answer exchange.
#include <gtest/gtest.h>

#include "roles/common/log_format.h"
#include "roles/common/xattr_names.h"
#include "roles/filter/filter.h"

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

namespace ursync::roles {
namespace {

FilterList rules_of(const std::vector<std::string>& texts) {
    auto list = FilterList::parse(texts);
    EXPECT_TRUE(list);
    return list ? std::move(*list) : FilterList{};
}

// 'x' rules name attributes only; other rules never match attribute names.
TEST(XattrRules, FilterRulesWithXNameAttributesOnly) {
    const FilterList list = rules_of({"- user.a", "-x user.b*", "+x user.keep", "-x *"});
    EXPECT_TRUE(list.has_xattr_rules());
    EXPECT_FALSE(list.xattr_excluded("user.keep", FilterSide::sender));
    EXPECT_TRUE(list.xattr_excluded("user.b1", FilterSide::sender));
    EXPECT_TRUE(list.xattr_excluded("user.a", FilterSide::sender));  // by "-x *", not "- user.a"
    EXPECT_FALSE(list.excluded("user.b1", false, FilterSide::sender));  // file names: untouched
    EXPECT_TRUE(list.excluded("user.a", false, FilterSide::sender));
    EXPECT_FALSE(rules_of({"- *"}).xattr_excluded("user.a", FilterSide::sender));
}

// With 'x' rules the namespace defaults give way to them (rsync's saw_xattr_filter).
TEST(XattrRules, XRulesReplaceTheNamespaceDefaults) {
    const FilterList list = rules_of({"-x user.skip", "-xr user.local"});
    XattrNames sender{1, false, &list, FilterSide::sender};
    EXPECT_TRUE(sender.sender_keeps("system.posix_acl_access"));
    EXPECT_FALSE(sender.sender_keeps("user.skip"));
    EXPECT_TRUE(sender.sender_keeps("user.local"));  // a receiver-side rule
    EXPECT_FALSE(sender.sender_keeps("user.rsync.%stat"));
    XattrNames receiver{1, false, &list, FilterSide::receiver};
    EXPECT_FALSE(receiver.receiver_accepts("user.local"));
    EXPECT_FALSE(receiver.receiver_manages("user.local"));
    // Not root: a name outside user.* that the rules let through is kept under user.rsync.
    EXPECT_EQ(receiver.receiver_accepts("trusted.t"), std::optional<std::string>("user.rsync.trusted.t"));
    XattrNames plain{1, false, nullptr, FilterSide::receiver};
    EXPECT_FALSE(plain.receiver_accepts("trusted.t"));
    XattrNames root{1, true, nullptr, FilterSide::receiver};
    EXPECT_EQ(root.receiver_accepts("trusted.t"), std::optional<std::string>("trusted.t"));
}

}  // namespace
}  // namespace ursync::roles
