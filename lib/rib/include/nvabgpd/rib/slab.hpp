#pragma once
// Fixed-size object storage for the intern pools: objects are carved from slabs of 1024 slots
// and recycled through a free list; each slot has a dense 32-bit index, so a pool's hash
// index can hold 4-byte indexes instead of 8-byte pointers. Why not plain new/delete: the
// interned values (attribute sets, AS paths, community lists) are small (64-72 bytes) and
// long-lived, and a full table holds hundreds of thousands of them. glibc malloc adds an
// 8-byte header and rounds each to 16 (10-25 % on these sizes), and interleaving them with the
// decoder's and encoder's short-lived buffers leaves freed holes between live values that the
// heap cannot give back. Freed slots are reused by the same pool; slabs are returned when the
// pool empties (a full withdrawal) or goes. Single-threaded, like the pools.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <vector>

namespace nvabgpd::rib {

template <typename T>
class SlabAllocator {
 public:
  using Index = std::uint32_t;
  static constexpr Index kMaxSlots = ~Index{0} - 1;  // the pools keep index + 1 (0: empty)

  SlabAllocator() = default;
  SlabAllocator(const SlabAllocator&) = delete;
  SlabAllocator& operator=(const SlabAllocator&) = delete;
  ~SlabAllocator() {
    for (void* s : slabs_) ::operator delete (s, std::align_val_t{kAlign});
  }

  // Index of uninitialised storage for one T (see at()).
  Index allocate() {
    if (free_ != kNone) {
      const Index i = free_;
      free_ = std::launder(static_cast<FreeSlot*>(at(i)))->next;
      return i;
    }
    if (next_ == kMaxSlots) throw std::length_error("intern pool full");
    if (next_ % kPerSlab == 0)
      slabs_.push_back(::operator new (kSlotSize* kPerSlab, std::align_val_t{kAlign}));
    return next_++;
  }
  // Storage of a destroyed T, from allocate().
  void deallocate(Index i) {
    ::new (at(i)) FreeSlot{free_};
    free_ = i;
  }
  // Every slot is free (its T destroyed): the slabs go back to the heap.
  void release_all() {
    for (void* s : slabs_) ::operator delete (s, std::align_val_t{kAlign});
    std::vector<void*>().swap(slabs_);
    next_ = 0;
    free_ = kNone;
  }
  void* at(Index i) const {
    return static_cast<std::byte*>(slabs_[i / kPerSlab]) + kSlotSize * (i % kPerSlab);
  }

 private:
  struct FreeSlot {
    Index next;
  };
  static constexpr Index kNone = ~Index{0};
  static constexpr std::size_t kAlign = std::max(alignof(T), alignof(FreeSlot));
  static constexpr std::size_t kSlotSize =
      (std::max(sizeof(T), sizeof(FreeSlot)) + kAlign - 1) / kAlign * kAlign;
  static constexpr Index kPerSlab = 1024;

  std::vector<void*> slabs_;
  Index next_ = 0;      // slots ever handed out
  Index free_ = kNone;  // head of the free list
};

}  // namespace nvabgpd::rib
