#pragma once
// The kernel routes the resolver may use (everything except our own protocol's) and the
// state of the links they go through; longest-prefix-match resolution of BGP next hops.
// Pure data structure: NetlinkFib feeds it from dumps and monitor messages, tests by hand.
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/fib/fib.hpp"

namespace nvabgpd::fib {

struct IgpNextHop {
  std::optional<base::IpAddress> gateway;  // nullopt: directly connected (device route)
  int ifindex = 0;
  bool dead = false;  // RTNH_F_DEAD or RTNH_F_LINKDOWN reported by the kernel
  bool operator==(const IgpNextHop&) const = default;
};

// Kernel route types that matter for resolution.
enum class IgpRouteType : std::uint8_t { Unicast, Blackhole, Other };

struct IgpRoute {
  base::Prefix prefix;
  std::uint32_t table = 254;
  std::uint8_t protocol = 0;
  IgpRouteType type = IgpRouteType::Unicast;
  std::uint32_t metric = 0;
  std::vector<IgpNextHop> nexthops;
  bool operator==(const IgpRoute&) const = default;
};

// The most specific usable route covering an address (for capture protection).
struct Cover {
  unsigned len = 0;
  std::uint32_t metric = 0;
  bool operator==(const Cover&) const = default;
};

class IgpTable {
 public:
  // table: the routing table resolution uses (BIRD's igp table).
  explicit IgpTable(std::uint32_t table) : table_(table) {}

  // Kernel semantics: (table, prefix, metric) identifies a route; upsert replaces it.
  void upsert(IgpRoute r);
  void remove(const base::Prefix& p, std::uint32_t table, std::uint32_t metric);
  void clear_routes();
  // A link is usable when administratively up and running (carrier).
  void set_link(int ifindex, bool usable);
  void remove_link(int ifindex);
  void clear_links();
  // nullopt when unknown.
  std::optional<bool> link_usable(int ifindex) const;

  // Longest-prefix match over usable routes of the igp table; among routes for the same
  // prefix the lowest metric wins. A blackhole/unreachable winner means unreachable, and so
  // does an IPv6 link-local address (it needs an interface the address alone cannot give).
  std::optional<ResolvedNextHop> resolve(const base::IpAddress& a) const;
  std::optional<Cover> cover(const base::IpAddress& a) const;
  // Is there a route of another protocol with this exact key (we would replace it)?
  bool has_route(const base::Prefix& p, std::uint32_t table, std::uint32_t metric) const;

  std::size_t size() const { return count_; }
  // Changes on every mutation and differs between tables: a result computed from resolve()
  // stays valid while generation() is the same.
  std::uint64_t generation() const { return generation_; }

 private:
  const IgpRoute* best_at(const base::Prefix& p) const;
  const IgpRoute* lookup(const base::IpAddress& a) const;
  bool usable(const IgpNextHop& nh) const;

  std::uint32_t table_;
  std::unordered_map<base::Prefix, std::vector<IgpRoute>> routes_;
  std::array<std::uint32_t, 129> v4_lens_{};  // routes per prefix length in the igp table
  std::array<std::uint32_t, 129> v6_lens_{};
  std::unordered_map<int, bool> links_;
  std::size_t count_ = 0;
  std::uint64_t generation_ = next_generation();
  static std::uint64_t next_generation();
  void changed() { generation_ = next_generation(); }
};

}  // namespace nvabgpd::fib
