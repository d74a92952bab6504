#pragma once
// The kernel's view of one of our routes, and the seam (KernelPort) through which the FIB
// engine programs it. NetlinkFib implements KernelPort with rtnetlink; unit tests use a fake.
#include <cstdint>
#include <span>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::fib {

struct KernelNextHop {
  base::IpAddress gateway;
  int ifindex = 0;
  constexpr auto operator<=>(const KernelNextHop&) const = default;
  constexpr bool operator==(const KernelNextHop&) const = default;
};

// A route with our protocol id in our table. nexthops are sorted (canonical form).
struct KernelRoute {
  base::Prefix prefix;
  std::uint32_t metric = 0;
  std::vector<KernelNextHop> nexthops;
  bool operator==(const KernelRoute&) const = default;
};

struct KernelOp {
  enum class Kind : std::uint8_t { Replace, Delete };  // Replace = create or replace
  Kind kind = Kind::Replace;
  KernelRoute route;  // Delete uses prefix and metric only (plus our table and protocol)
};

class KernelPort {
 public:
  virtual ~KernelPort() = default;
  // Applies ops in order; errors[i] is 0 or the positive errno of ops[i]. Table and protocol
  // id are the port's configuration.
  virtual void apply(std::span<const KernelOp> ops, std::vector<int>& errors) = 0;
};

}  // namespace nvabgpd::fib
