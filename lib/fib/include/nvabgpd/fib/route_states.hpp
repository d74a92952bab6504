#pragma once
// RouteStates: the FIB engine's per-prefix state in one flat open-addressing table (linear
// probing, backward-shift deletion, no node per route). A slot is 16 bytes: the prefix as a
// 64-bit key (IPv4 inline: address << 8 | length; IPv6 through a side array of 17-byte keys)
// and two 32-bit ids, into the engine's interned next-hop sets (what the RIB wants) and
// interned kernel routes (what the kernel holds). The table grows at 80 % load and shrinks
// at 20 %, down to nothing once every route is gone, so a full withdrawal gives the memory
// back.
//
// Erasing while a for_each() walk is running only empties the slot's state; the slot itself
// goes when the outermost walk ends (so callbacks may erase, but must not insert).
#include <array>
#include <cstdint>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::fib {

struct RouteState {
  std::uint32_t wanted = 0;          // interned BGP next-hop set (0: the RIB wants nothing)
  std::uint32_t installed : 30 = 0;  // interned kernel route (0: nothing of ours installed)
  std::uint32_t stale : 1 = 0;       // adopted at start, not yet confirmed by the RIB
  std::uint32_t in_batch : 1 = 0;    // an op for this prefix waits in the pending batch
  bool empty() const { return wanted == 0 && installed == 0 && stale == 0 && in_batch == 0; }
};

class RouteStates {
 public:
  RouteStates() = default;
  RouteStates(const RouteStates&) = delete;
  RouteStates& operator=(const RouteStates&) = delete;

  RouteState* find(const base::Prefix& p);
  const RouteState* find(const base::Prefix& p) const {
    return const_cast<RouteStates*>(this)->find(p);
  }
  // May move every slot: pointers from find() are invalid afterwards. Not during for_each().
  RouteState& get_or_insert(const base::Prefix& p);
  // Removes p when its state is empty().
  void erase_if_empty(const base::Prefix& p);
  // Slots in use (including emptied ones waiting for the end of a walk).
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }
  std::size_t bytes() const {
    return slots_.capacity() * sizeof(Slot) + v6_keys_.capacity() * sizeof(V6Key);
  }
  void clear();

  template <typename F>  // F(const base::Prefix&, RouteState&)
  void for_each(F&& f) {
    ++walking_;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].key == kEmpty) continue;
      f(prefix_of(slots_[i].key), slots_[i].state);
    }
    if (--walking_ == 0 && deferred_ > 0) sweep();
  }

 private:
  using V6Key = std::array<std::uint8_t, 17>;
  struct Slot {
    std::uint64_t key = kEmpty;
    RouteState state;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static constexpr std::uint64_t kV6Flag = std::uint64_t{1} << 63;
  static constexpr std::size_t kMinCapacity = 64;

  std::size_t home(std::uint64_t hash) const;
  std::uint64_t hash_of(std::uint64_t key) const;
  std::size_t locate(const base::Prefix& p) const;  // slot index or slots_.size()
  base::Prefix prefix_of(std::uint64_t key) const;
  void erase_at(std::size_t i);
  void rehash(std::size_t capacity);
  void sweep();  // drops slots emptied during a walk

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::vector<V6Key> v6_keys_;
  std::vector<std::uint32_t> free_v6_;
  mutable std::size_t last_ = 0;  // the slot locate() found last (a hint, checked on use)
  unsigned walking_ = 0;
  std::size_t deferred_ = 0;
};

}  // namespace nvabgpd::fib
