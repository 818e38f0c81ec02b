// PostQueue: the lock-free hand-off of jobs from one producer (the engine thread) to many workers.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace ursync::engine {

// A bounded ring of cells, each with a sequence number telling whose turn it is (Vyukov's
// bounded queue, specialised to a single producer). The item pointer of a cell is itself atomic
// so that the producer can take a queued item back (cancellation) while consumers race for it:
// whoever swaps the pointer out first owns the item; a consumer that finds the cell emptied
// moves on to the next one.
template <class T, size_t Capacity>
class PostQueue {
    static_assert(std::has_single_bit(Capacity), "the capacity must be a power of two");
    static constexpr uint64_t k_mask = Capacity - 1;

public:
    PostQueue() {
        for (uint64_t i = 0; i < Capacity; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
    }
    PostQueue(const PostQueue&) = delete;
    PostQueue& operator=(const PostQueue&) = delete;

    // Producer only. False when the queue is full. `cell` names the item for take_back().
    bool push(T* item, uint32_t& cell) {
        Cell& c = cells_[tail_ & k_mask];
        if (c.seq.load(std::memory_order_acquire) != tail_) return false;  // not consumed yet
        c.item.store(item, std::memory_order_relaxed);
        c.seq.store(tail_ + 1, std::memory_order_release);  // publishes the item
        cell = static_cast<uint32_t>(tail_ & k_mask);
        ++tail_;
        return true;
    }

    // Producer only: takes `item`, pushed into `cell`, back out of the queue. False when a
    // consumer has already taken it.
    bool take_back(T* item, uint32_t cell) {
        T* expected = item;
        return cells_[cell].item.compare_exchange_strong(expected, nullptr,
                                                         std::memory_order_acq_rel);
    }

    // Any thread: the oldest item not taken back, or nullptr when there is none.
    T* pop() {
        uint64_t pos = head_.load(std::memory_order_relaxed);
        for (;;) {
            Cell& c = cells_[pos & k_mask];
            uint64_t seq = c.seq.load(std::memory_order_acquire);
            auto diff = static_cast<int64_t>(seq - (pos + 1));
            if (diff < 0) return nullptr;  // the producer has not filled this cell: empty
            if (diff > 0) {                // another consumer took this cell: catch up
                pos = head_.load(std::memory_order_relaxed);
                continue;
            }
            if (!head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) continue;
            T* item = c.item.exchange(nullptr, std::memory_order_acq_rel);
            c.seq.store(pos + Capacity, std::memory_order_release);  // the producer may reuse it
            if (item) return item;
            pos = head_.load(std::memory_order_relaxed);  // taken back: try the next cell
        }
    }

    // Producer only: cells pushed and not yet consumed (taken-back items still count).
    size_t size() const {
        return static_cast<size_t>(tail_ - head_.load(std::memory_order_acquire));
    }

private:
    struct Cell {
        std::atomic<uint64_t> seq{0};
        std::atomic<T*> item{nullptr};
    };
    alignas(64) std::atomic<uint64_t> head_{0};  // next cell a consumer takes
    alignas(64) uint64_t tail_ = 0;              // next cell the producer fills
    alignas(64) Cell cells_[Capacity];
};

}  // namespace ursync::engine
