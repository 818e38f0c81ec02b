// Tests of the rolling weak checksum: fast versions against the scalar reference, rolling updates.
#include "protocol/rolling.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ursync::protocol {
namespace {

std::vector<std::byte> random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::byte> out(n);
    for (auto& b : out) b = static_cast<std::byte>(rng() & 0xFF);
    return out;
}

using Impl = RollingSum (*)(Bytes);

struct NamedImpl {
    const char* name;
    Impl fn;
    bool available;
};

std::vector<NamedImpl> fast_impls() {
    return {{"unrolled", rolling_sum_unrolled, true},
            {"avx2", rolling_sum_avx2, cpu_has_avx2()},
            {"ssse3", rolling_sum_ssse3, cpu_has_ssse3()},
            {"dispatch", rolling_sum, true}};
}

TEST(RollingSum, SignedBytesByHand) {
    // Bytes 0x01, 0xFF (-1), 0x80 (-128): s1 = 1 - 1 - 128 = -128; s2 = 3*1 + 2*(-1) + 1*(-128).
    const std::vector<std::byte> block = {std::byte{0x01}, std::byte{0xFF}, std::byte{0x80}};
    const RollingSum sum = rolling_sum_scalar(block);
    EXPECT_EQ(sum.s1, static_cast<uint32_t>(-128));
    EXPECT_EQ(sum.s2, static_cast<uint32_t>(3 - 2 - 128));
    EXPECT_EQ(sum.value(),
              (static_cast<uint32_t>(-128) & 0xFFFF) | (static_cast<uint32_t>(-127) << 16));
    EXPECT_EQ(rolling_sum_scalar({}).value(), 0u);
}

TEST(RollingSum, FastVersionsMatchScalarOnAllLengthsAndOffsets) {
    const std::vector<std::byte> data = random_bytes(4096 + 64, 7);
    std::mt19937 rng(11);
    for (const NamedImpl& impl : fast_impls()) {
        if (!impl.available) continue;
        for (size_t len = 0; len <= 4096; ++len) {
            const size_t offset = rng() % 64;
            const Bytes block = Bytes{data}.subspan(offset, len);
            ASSERT_EQ(impl.fn(block), rolling_sum_scalar(block))
                << impl.name << " len " << len << " offset " << offset;
        }
    }
}

TEST(RollingSum, FastVersionsMatchScalarOnExtremeBytesAndLongInputs) {
    // Long runs of the extreme values push the 16-bit intermediate sums to their limits and make
    // s1/s2 wrap modulo 2^32.
    for (uint8_t fill : {uint8_t{0x00}, uint8_t{0x7F}, uint8_t{0x80}, uint8_t{0xFF}}) {
        const std::vector<std::byte> data((1u << 20) + 77, std::byte{fill});
        for (const NamedImpl& impl : fast_impls()) {
            if (!impl.available) continue;
            EXPECT_EQ(impl.fn(data), rolling_sum_scalar(data))
                << impl.name << " fill " << int{fill};
        }
    }
    const std::vector<std::byte> noise = random_bytes((3u << 20) + 5, 3);
    for (const NamedImpl& impl : fast_impls()) {
        if (!impl.available) continue;
        EXPECT_EQ(impl.fn(noise), rolling_sum_scalar(noise)) << impl.name;
    }
}

TEST(RollingSum, DispatchNamesAnImplementation) {
    const std::string name = rolling_sum_impl_name();
    EXPECT_TRUE(name == "avx2" || name == "ssse3" || name == "unrolled") << name;
    if (cpu_has_avx2()) {
        EXPECT_EQ(name, "avx2");
    }
}

TEST(RollingSum, RollingOneByteEqualsFreshSum) {
    const std::vector<std::byte> data = random_bytes(5000, 5);
    for (uint32_t window : {1u, 2u, 7u, 700u, 1024u}) {
        RollingSum sum = rolling_sum_scalar(Bytes{data}.first(window));
        for (size_t start = 1; start + window <= data.size(); ++start) {
            sum = roll(sum, window, data[start - 1], data[start + window - 1]);
            ASSERT_EQ(sum, rolling_sum_scalar(Bytes{data}.subspan(start, window)))
                << "window " << window << " start " << start;
        }
    }
}

TEST(RollingSum, RollingOutShrinksTheWindow) {
    const std::vector<std::byte> data = random_bytes(900, 9);
    RollingSum sum = rolling_sum_scalar(data);
    for (size_t start = 0; start < data.size(); ++start) {
        const auto window = static_cast<uint32_t>(data.size() - start);
        sum = roll_out(sum, window, data[start]);
        ASSERT_EQ(sum, rolling_sum_scalar(Bytes{data}.subspan(start + 1))) << start;
    }
    EXPECT_EQ(sum, RollingSum{});
}

}  // namespace
}  // namespace ursync::protocol
