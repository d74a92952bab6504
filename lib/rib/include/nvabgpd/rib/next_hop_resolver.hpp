#pragma once
// How the RIB learns whether a BGP next hop is reachable and at what IGP cost. The daemon
// implements this over the kernel table (non-BGP routes only, so a BGP route never resolves
// another BGP route's next hop); tests use StaticResolver.
#include <optional>
#include <unordered_map>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::rib {

struct NextHopInfo {
  bool reachable = false;
  std::uint32_t igp_cost = 0;
  // Immediate forwarding address when the next hop is resolved recursively (e.g. a subnet
  // gateway); nullopt means forward to the BGP next hop itself.
  std::optional<base::IpAddress> via;
};

class NextHopResolver {
 public:
  virtual ~NextHopResolver() = default;
  virtual NextHopInfo resolve(const base::IpAddress& next_hop) const = 0;
};

// Every next hop reachable at cost 0 (connected peers, tests).
class ReachableResolver final : public NextHopResolver {
 public:
  NextHopInfo resolve(const base::IpAddress&) const override { return {true, 0, std::nullopt}; }
};

// A fixed table; unknown addresses use the default.
class StaticResolver final : public NextHopResolver {
 public:
  explicit StaticResolver(NextHopInfo fallback = {true, 0, std::nullopt}) : fallback_(fallback) {}
  void set(const base::IpAddress& a, NextHopInfo i) { table_[a] = i; }
  NextHopInfo resolve(const base::IpAddress& a) const override {
    auto it = table_.find(a);
    return it == table_.end() ? fallback_ : it->second;
  }

 private:
  NextHopInfo fallback_;
  std::unordered_map<base::IpAddress, NextHopInfo> table_;
};

}  // namespace nvabgpd::rib
