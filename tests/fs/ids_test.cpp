// Name <-> id lookups through the worker pool, with the cache answering repeats.
#include "fs/ids.h"

#include "fs_test_util.h"

namespace ursync::fs {
namespace {

class Ids : public testing::FsEngineTest {};

TEST_P(Ids, RootIsZeroBothWays) {
    IdCache ids(engine());
    EXPECT_EQ(engine().run(ids.uid_of_user("root")), std::optional<uint32_t>(0));
    EXPECT_EQ(engine().run(ids.gid_of_group("root")), std::optional<uint32_t>(0));
    EXPECT_EQ(engine().run(ids.user_name_of(0)), std::optional<std::string>("root"));
    EXPECT_EQ(engine().run(ids.group_name_of(0)), std::optional<std::string>("root"));
    EXPECT_EQ(ids.system_lookups(), 4u);
}

TEST_P(Ids, UnknownNamesAndIdsAreNulloptAndCachedToo) {
    IdCache ids(engine());
    EXPECT_FALSE(engine().run(ids.uid_of_user("no-such-user-ursync")));
    EXPECT_FALSE(engine().run(ids.gid_of_group("no-such-group-ursync")));
    EXPECT_FALSE(engine().run(ids.user_name_of(3999999999u)));
    EXPECT_FALSE(engine().run(ids.group_name_of(3999999999u)));
    uint64_t before = ids.system_lookups();
    EXPECT_FALSE(engine().run(ids.uid_of_user("no-such-user-ursync")));
    EXPECT_EQ(engine().run(ids.user_name_of(0)), std::optional<std::string>("root"));
    EXPECT_EQ(engine().run(ids.user_name_of(0)), std::optional<std::string>("root"));
    EXPECT_EQ(ids.system_lookups(), before + 1);  // only the first "root" lookup was a miss
}

URSYNC_FS_ENGINE_SUITE(Ids);

}  // namespace
}  // namespace ursync::fs
