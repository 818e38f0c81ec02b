// The worker pool's lock-free queues under real concurrency: every job handed over exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "engine/done_list.h"
#include "engine/post_queue.h"

namespace ursync::engine {
namespace {

struct Job {
    uint32_t id = 0;
    uint32_t producer = 0;
    Job* pool_next = nullptr;
};

// Many consumers race for every job while the producer takes some back: each job must end up
// either consumed once or taken back, never both, never lost. A small queue keeps it full and
// wrapping, so cells are reused while consumers are still in them.
TEST(PostQueue, EveryJobIsConsumedOnceOrTakenBack) {
    constexpr uint32_t k_jobs = 200000;
    constexpr unsigned k_consumers = 4;
    PostQueue<Job, 64> queue;
    std::vector<Job> jobs(k_jobs);
    std::vector<uint32_t> cell_of(k_jobs);
    std::vector<std::atomic<uint32_t>> consumed(k_jobs);
    std::vector<uint8_t> taken_back(k_jobs, 0);
    std::atomic<bool> producing{true};
    std::vector<std::thread> consumers;
    for (unsigned c = 0; c < k_consumers; ++c) {
        consumers.emplace_back([&] {
            for (;;) {
                if (Job* j = queue.pop()) {
                    consumed[j->id].fetch_add(1, std::memory_order_relaxed);
                } else if (!producing.load()) {
                    if (!queue.pop()) return;  // one more look: the producer may have just left
                } else {
                    std::this_thread::yield();
                }
            }
        });
    }
    std::mt19937 rng(16);
    for (uint32_t i = 0; i < k_jobs; ++i) {
        jobs[i].id = i;
        while (!queue.push(&jobs[i], cell_of[i])) std::this_thread::yield();
        // Take back a recent job now and then: it may be queued, or a consumer may have it.
        if (rng() % 4 == 0) {
            uint32_t victim = i - static_cast<uint32_t>(rng() % std::min<uint32_t>(i + 1, 8));
            if (!taken_back[victim] && queue.take_back(&jobs[victim], cell_of[victim]))
                taken_back[victim] = 1;
        }
    }
    producing.store(false);
    for (auto& t : consumers) t.join();
    EXPECT_EQ(queue.pop(), nullptr);
    uint32_t backs = 0, lost = 0, twice = 0, both = 0;
    for (uint32_t i = 0; i < k_jobs; ++i) {
        uint32_t n = consumed[i].load();
        backs += taken_back[i];
        if (n > 1) ++twice;
        if (n == 1 && taken_back[i]) ++both;
        if (n == 0 && !taken_back[i]) ++lost;
    }
    EXPECT_EQ(lost, 0u);
    EXPECT_EQ(twice, 0u);
    EXPECT_EQ(both, 0u);
    EXPECT_GT(backs, 0u) << "no job was taken back: the race was not exercised";
}

TEST(PostQueue, FullQueueRefusesAndKeepsOrder) {
    PostQueue<Job, 4> queue;
    Job jobs[5];
    uint32_t cell = 0;
    for (uint32_t i = 0; i < 4; ++i) {
        jobs[i].id = i;
        ASSERT_TRUE(queue.push(&jobs[i], cell));
    }
    EXPECT_FALSE(queue.push(&jobs[4], cell));
    EXPECT_EQ(queue.size(), 4u);
    EXPECT_TRUE(queue.take_back(&jobs[1], 1));
    EXPECT_FALSE(queue.take_back(&jobs[1], 1));  // already back
    EXPECT_EQ(queue.pop(), &jobs[0]);
    EXPECT_EQ(queue.pop(), &jobs[2]);  // the emptied cell is skipped
    EXPECT_FALSE(queue.take_back(&jobs[2], 2));  // a consumer has it
    EXPECT_TRUE(queue.push(&jobs[4], cell));
    EXPECT_EQ(queue.pop(), &jobs[3]);
    EXPECT_EQ(queue.pop(), &jobs[4]);
    EXPECT_EQ(queue.pop(), nullptr);
}

// Producers push while the consumer takes batches: nothing is lost or duplicated, and each
// producer's jobs come out in the order it pushed them.
TEST(DoneList, BatchesKeepEveryJobAndEachProducersOrder) {
    constexpr unsigned k_producers = 4;
    constexpr uint32_t k_per_producer = 50000;
    DoneList<Job> list;
    std::vector<std::vector<Job>> jobs(k_producers, std::vector<Job>(k_per_producer));
    std::vector<std::thread> producers;
    for (unsigned p = 0; p < k_producers; ++p) {
        producers.emplace_back([&, p] {
            for (uint32_t i = 0; i < k_per_producer; ++i) {
                jobs[p][i] = {i, p, nullptr};
                list.push(&jobs[p][i]);
            }
        });
    }
    std::vector<int64_t> last(k_producers, -1);
    uint64_t seen = 0, out_of_order = 0;
    uint64_t batches = 0;
    while (seen < uint64_t{k_producers} * k_per_producer) {
        Job* j = list.take_all();
        if (j) ++batches;
        for (; j; j = j->pool_next) {
            if (static_cast<int64_t>(j->id) != last[j->producer] + 1) ++out_of_order;
            last[j->producer] = j->id;
            ++seen;
        }
    }
    for (auto& t : producers) t.join();
    EXPECT_EQ(list.take_all(), nullptr);
    EXPECT_EQ(out_of_order, 0u);
    for (unsigned p = 0; p < k_producers; ++p) EXPECT_EQ(last[p], int64_t{k_per_producer} - 1);
    RecordProperty("batches", static_cast<int>(batches));  // how often the consumer got in
}

}  // namespace
}  // namespace ursync::engine
