#pragma once
// The one next-hop resolver interface: how the RIB learns whether a BGP next hop is reachable
// and at what IGP cost. lib/fib implements it over the kernel's non-BGP routes
// (fib::NetlinkFib: a BGP route never resolves another BGP route's next hop); the daemon hands
// that object to the RIB as is. It lives in base because rib and fib may not include each
// other.
#include <cstdint>
#include <optional>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::base {

// A BGP next hop resolved through the IGP (non-BGP) routes.
struct ResolvedNextHop {
  IpAddress gateway;  // the next hop itself when it is on a connected subnet
  int ifindex = 0;
  std::uint32_t igp_metric = 0;  // metric of the route used (the best-path IGP cost)
  constexpr bool operator==(const ResolvedNextHop&) const = default;
};

class NextHopResolver {
 public:
  virtual ~NextHopResolver() = default;
  // Value in, value out: nullopt means unreachable (a path via it is not eligible for best
  // path). The address is remembered and watched: an implementation that reports changes
  // (NetlinkFib's change callback) reports later changes of it.
  virtual std::optional<ResolvedNextHop> resolve(const IpAddress& next_hop) = 0;
  // Stop watching a next hop no path uses any more.
  virtual void forget(const IpAddress& next_hop) = 0;
};

// Every next hop reachable at cost 0, through itself (no kernel FIB: directly connected
// peers; benchmarks).
class ReachableResolver final : public NextHopResolver {
 public:
  std::optional<ResolvedNextHop> resolve(const IpAddress& a) override {
    return ResolvedNextHop{a, 0, 0};
  }
  void forget(const IpAddress&) override {}
};

}  // namespace nvabgpd::base
