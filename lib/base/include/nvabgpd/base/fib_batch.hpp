#pragma once
// FibBatch: the RIB's forwarding changes as the FIB consumes them. A pure value type shared by
// rib (which fills it) and fib (which applies it); neither module includes the other, both use
// base. Each delta names an index into next_hop_sets, so a full table costs one allocation per
// distinct set of next hops, not one per route. The empty set (index 0) withdraws the prefix,
// as does an index out of range.
#include <cstdint>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::base {

struct FibBatch {
  // A prefix and an index into next_hop_sets (0: remove the route).
  struct Delta {
    Prefix prefix;
    std::uint32_t next_hops = 0;
  };
  std::vector<std::vector<IpAddress>> next_hop_sets{1};  // [0] is the empty set
  std::vector<Delta> deltas;

  // The BGP next hops of a delta (sorted; empty = remove the route, also for an index out of
  // range).
  const std::vector<IpAddress>& next_hops(const Delta& d) const {
    return d.next_hops < next_hop_sets.size() ? next_hop_sets[d.next_hops] : next_hop_sets.front();
  }
  bool empty() const { return deltas.empty(); }
};

}  // namespace nvabgpd::base
