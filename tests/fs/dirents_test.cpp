// getdents64 parsing: real kernel output, and hostile buffers that must be refused without overreads.
#include "fs/dirents.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

namespace ursync::fs {
namespace {

// Appends one linux_dirent64 record; `reclen` 0 means the correct aligned length.
void put_record(std::vector<std::byte>& buf, uint64_t ino, const std::string& name,
                size_t reclen = 0, bool terminate = true) {
    size_t need = 19 + name.size() + (terminate ? 1 : 0);
    size_t len = reclen ? reclen : (need + 7) / 8 * 8;
    size_t at = buf.size();
    buf.resize(at + std::max(len, need));
    std::memcpy(buf.data() + at, &ino, 8);
    auto len16 = static_cast<uint16_t>(len);
    std::memcpy(buf.data() + at + 16, &len16, 2);
    buf[at + 18] = std::byte{DT_REG};
    std::memcpy(buf.data() + at + 19, name.data(), name.size());
}

TEST(Dirents, ParsesRecordsAndSkipsDotEntries) {
    std::vector<std::byte> buf;
    put_record(buf, 1, ".");
    put_record(buf, 2, "..");
    put_record(buf, 3, "file");
    put_record(buf, 4, std::string(255, 'n'));
    std::vector<RawDirent> out;
    ASSERT_TRUE(parse_dirents(buf, out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].name, "file");
    EXPECT_EQ(out[0].ino, 3u);
    EXPECT_EQ(out[0].d_type, DT_REG);
    EXPECT_EQ(out[1].name.size(), 255u);
}

TEST(Dirents, RefusesMalformedRecords) {
    auto refused = [](std::vector<std::byte> buf) {
        std::vector<RawDirent> out;
        return !parse_dirents(buf, out);
    };
    std::vector<std::byte> zero_len;
    put_record(zero_len, 1, "a", 0);
    std::memset(zero_len.data() + 16, 0, 2);
    EXPECT_TRUE(refused(zero_len));

    std::vector<std::byte> too_long;
    put_record(too_long, 1, "a", 64);
    too_long.resize(32);  // the record claims more than the buffer holds
    EXPECT_TRUE(refused(too_long));

    std::vector<std::byte> unaligned;
    put_record(unaligned, 1, "abcd", 23);
    EXPECT_TRUE(refused(unaligned));

    std::vector<std::byte> unterminated;
    put_record(unterminated, 1, "abcde", 24, false);  // 19 + 5 bytes, no NUL inside the record
    EXPECT_TRUE(refused(unterminated));

    std::vector<std::byte> slash;
    put_record(slash, 1, "../etc");
    EXPECT_TRUE(refused(slash));

    std::vector<std::byte> empty_name;
    put_record(empty_name, 1, "");
    EXPECT_TRUE(refused(empty_name));

    std::vector<std::byte> truncated_header(10);
    EXPECT_TRUE(refused(truncated_header));
}

TEST(Dirents, KeepsRecordsBeforeTheBadOne) {
    std::vector<std::byte> buf;
    put_record(buf, 1, "good");
    put_record(buf, 2, "bad", 0);
    std::memset(buf.data() + buf.size() - 24 + 16, 0, 2);  // "bad" record length 24 -> 0
    std::vector<RawDirent> out;
    EXPECT_FALSE(parse_dirents(buf, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].name, "good");
}

TEST(Dirents, ReadsWhatTheKernelWrites) {
    char tmpl[] = "/tmp/ursync-dirents-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    std::set<std::string> want;
    for (int i = 0; i < 300; ++i) {
        std::string name = "entry-" + std::to_string(i) + std::string(static_cast<size_t>(i % 40), 'x');
        ::close(::open((dir + "/" + name).c_str(), O_CREAT | O_WRONLY, 0600));
        want.insert(name);
    }
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    std::vector<std::byte> buf(1024);  // small: many calls
    std::vector<RawDirent> out;
    for (;;) {
        long n = ::syscall(SYS_getdents64, fd, buf.data(), buf.size());
        ASSERT_GE(n, 0);
        if (n == 0) break;
        ASSERT_TRUE(parse_dirents(std::span(buf).first(static_cast<size_t>(n)), out));
    }
    ::close(fd);
    std::set<std::string> got;
    for (auto& d : out) got.insert(d.name);
    EXPECT_EQ(got, want);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ursync::fs
