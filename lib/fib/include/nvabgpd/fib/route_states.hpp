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
  // May move slots: pointers from find() are invalid afterwards. Not during for_each().
  RouteState& get_or_insert(const base::Prefix& p);
  // Removes p when its state is empty().
  void erase_if_empty(const base::Prefix& p);
  // Slots in use (including emptied ones waiting for the end of a walk).
  std::size_t size() const;
  std::size_t capacity() const;
  std::size_t bytes() const;
  void clear();

  template <typename F>  // F(const base::Prefix&, RouteState&)
  void for_each(F&& f) {
    ++walking_;
    for (Shard& sh : shards_) {
      for (std::size_t i = 0; i < sh.slots.size(); ++i) {
        if (sh.slots[i].key == kEmpty) continue;
        f(prefix_of(sh, sh.slots[i].key), sh.slots[i].state);
      }
    }
    if (--walking_ == 0 && deferred_ > 0) sweep();
  }

 private:
  using V6Key = std::array<std::uint8_t, 17>;
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static constexpr std::uint64_t kV6Flag = std::uint64_t{1} << 63;
  static constexpr std::size_t kMinCapacity = 16;
  struct Slot {
    std::uint64_t key = kEmpty;
    RouteState state;
  };
  // The table is split by hash into shards that grow and shrink on their own, so a rehash
  // briefly holds two copies of 1/64 of the table, not of all of it (at 1M routes a single
  // table's last growth doubled the FIB's memory for a moment: +32 MB of peak RSS).
  struct Shard {
    std::vector<Slot> slots;
    std::size_t size = 0;
    std::vector<V6Key> v6_keys;
    std::vector<std::uint32_t> free_v6;
    std::size_t last = 0;  // the slot locate() found last (a hint, checked on use)
  };
  static constexpr std::size_t kShards = 64;

  static std::uint64_t hash_of(const Shard& sh, std::uint64_t key);
  Shard& shard_for(const base::Prefix& p);
  static std::size_t locate(Shard& sh, const base::Prefix& p);  // slot or sh.slots.size()
  static base::Prefix prefix_of(const Shard& sh, std::uint64_t key);
  static void erase_at(Shard& sh, std::size_t i);
  static void rehash(Shard& sh, std::size_t capacity);
  static void clear(Shard& sh);
  void sweep();  // drops slots emptied during a walk

  std::array<Shard, kShards> shards_;
  unsigned walking_ = 0;
  std::size_t deferred_ = 0;
};

}  // namespace nvabgpd::fib
