// DoneList: finished jobs handed from many workers back to one consumer (the engine thread).
#pragma once

#include <atomic>

namespace ursync::engine {

// An intrusive lock-free stack: workers push with a compare-and-swap, the consumer takes the
// whole stack with one exchange and reverses it, so it sees jobs in the order they finished
// (per worker). No ABA problem: nothing but take_all() ever removes a node. T provides
// `T* pool_next`, which belongs to the list from push() until take_all() returns it.
template <class T>
class DoneList {
public:
    void push(T* item) {
        T* head = head_.load(std::memory_order_relaxed);
        do {
            item->pool_next = head;
        } while (!head_.compare_exchange_weak(head, item, std::memory_order_seq_cst,
                                              std::memory_order_relaxed));
    }

    // Consumer: everything pushed so far, oldest first, linked through pool_next.
    T* take_all() {
        T* item = head_.exchange(nullptr, std::memory_order_seq_cst);
        T* fifo = nullptr;
        while (item) {
            T* next = item->pool_next;
            item->pool_next = fifo;
            fifo = item;
            item = next;
        }
        return fifo;
    }

    bool empty() const { return head_.load(std::memory_order_seq_cst) == nullptr; }

private:
    std::atomic<T*> head_{nullptr};
};

}  // namespace ursync::engine
