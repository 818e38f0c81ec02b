// Throughput of the rolling weak checksum (each implementation) and the strong sums, in GB/s.
//
// usage: checksum_bench [seconds_per_case]   (default 0.3). Build Release to measure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "protocol/rolling.h"
#include "protocol/strong_sum.h"

using namespace ursync::protocol;

namespace {

volatile uint32_t g_sink = 0;  // keeps results alive

// Runs `pass` (which processes `bytes_per_pass` bytes) until `seconds` elapsed; returns GB/s.
template <class Pass>
double measure(double seconds, size_t bytes_per_pass, Pass pass) {
    using Clock = std::chrono::steady_clock;
    pass();  // warm-up
    size_t passes = 0;
    const auto start = Clock::now();
    std::chrono::duration<double> elapsed{};
    do {
        pass();
        ++passes;
        elapsed = Clock::now() - start;
    } while (elapsed.count() < seconds);
    return static_cast<double>(passes * bytes_per_pass) / elapsed.count() / 1e9;
}

struct RollingImpl {
    const char* name;
    RollingSum (*fn)(Bytes);
    bool available;
};

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
    constexpr size_t k_buffer_len = size_t{1} << 20;
    std::vector<std::byte> buffer(k_buffer_len);
    std::mt19937 rng(1);
    for (auto& b : buffer) b = static_cast<std::byte>(rng() & 0xFF);
    const Bytes all{buffer};

    std::printf("rolling checksum (dispatch uses %s), GB/s\n", rolling_sum_impl_name());
    const RollingImpl impls[] = {
        {"scalar", rolling_sum_scalar, true},
        {"unrolled", rolling_sum_unrolled, true},
        {"ssse3", rolling_sum_ssse3, cpu_has_ssse3()},
        {"avx2", rolling_sum_avx2, cpu_has_avx2()},
    };
    const size_t block_lens[] = {700, 2048, 8192, 131072, k_buffer_len};
    std::printf("%-10s", "block");
    for (size_t len : block_lens) std::printf(" %10zu", len);
    std::printf("\n");
    for (const RollingImpl& impl : impls) {
        if (!impl.available) continue;
        std::printf("%-10s", impl.name);
        for (size_t len : block_lens) {
            const size_t blocks = k_buffer_len / len;
            const double gbps = measure(seconds, blocks * len, [&] {
                uint32_t acc = 0;
                for (size_t i = 0; i < blocks; ++i)
                    acc += impl.fn(all.subspan(i * len, len)).value();
                g_sink = g_sink + acc;
            });
            std::printf(" %10.2f", gbps);
        }
        std::printf("\n");
    }

    // Rolling one byte at a time (the sender's match loop without the hash lookup).
    {
        const uint32_t window = 700;
        const double gbps = measure(seconds, k_buffer_len - window, [&] {
            RollingSum sum = rolling_sum(all.first(window));
            for (size_t i = window; i < k_buffer_len; ++i) {
                sum = roll(sum, window, all[i - window], all[i]);
            }
            g_sink = g_sink + sum.value();
        });
        std::printf("%-10s roll by one byte, window 700: %.2f GB/s\n", "roll", gbps);
    }

    std::printf("\nstrong sums, GB/s (block sums seeded; file = incremental whole-file hash)\n");
    std::printf("%-8s %10s %10s %10s\n", "algo", "block 700", "block 8K", "file 1MiB");
    for (ChecksumAlgo algo : k_checksum_algos) {
        if (algo == ChecksumAlgo::none) continue;
        std::printf("%-8s", std::string(checksum_algo_name(algo)).c_str());
        for (size_t len : {size_t{700}, size_t{8192}}) {
            const size_t blocks = k_buffer_len / len;
            const double gbps = measure(seconds, blocks * len, [&] {
                uint32_t acc = 0;
                for (size_t i = 0; i < blocks; ++i) {
                    acc += static_cast<uint32_t>(
                        block_sum(algo, 0x6b1319f7, all.subspan(i * len, len)).bytes[0]);
                }
                g_sink = g_sink + acc;
            });
            std::printf(" %10.2f", gbps);
        }
        FileHasher hasher(algo);
        const double gbps = measure(seconds, k_buffer_len, [&] {
            hasher.reset();
            hasher.update(all);
            g_sink = g_sink + static_cast<uint32_t>(hasher.finish().bytes[0]);
        });
        std::printf(" %10.2f\n", gbps);
    }
    return 0;
}
