#pragma once
// nvabgpd::fib — the kernel FIB installer and the next-hop resolver.
//
// What the rest of the daemon sees (value types only; no RIB or wire types):
//   FibBatch         prefixes to install (add or replace) or withdraw, with shared sets of BGP
//                    next hops (base::FibBatch, what the RIB produces); FibDelta is the
//                    one-route form
//   FibSink          consumes batches; never blocks its caller on the kernel
//   NextHopResolver  resolves a BGP next hop through the kernel's non-BGP routes (BIRD's
//                    "gateway recursive" with an "igp table") and reports changes
//
// The netlink implementation (NetlinkFib, netlink_fib.hpp) implements both.
//
// Threads and ownership:
//   * The caller (the BGP io_context thread) owns the NetlinkFib object and calls submit(),
//     initial_convergence_done(), resolve() and set_protected_addresses(). These only take a
//     short mutex (queue or resolver table) and never wait for netlink.
//   * One FIB worker thread, started by NetlinkFib::start(), owns both netlink sockets (a
//     request socket for programming and dumps, a monitor socket subscribed to link, address
//     and route groups), the FibEngine (wanted + installed routes) and writes the resolver's
//     IGP table. It wakes on an eventfd (work queued) or on the monitor socket.
//   * The next-hop change callback runs on the FIB worker thread: post its argument to your
//     own loop (e.g. asio::post) and return; do not call back into NetlinkFib from it except
//     resolve().
// Capture protection (issue 6 and 8: a route must not pull a BGP session or a tunnel's
// underlay onto another path):
//   * Protected addresses: those passed to set_protected_addresses() (the BGP peers) plus the
//     tunnel endpoints NetlinkFib discovers from the kernel's links (unicast remotes of vxlan,
//     gre/gretap/erspan, ip6gre/ip6gretap/ip6erspan, ipip, sit, ip6tnl, geneve, vti/vti6),
//     kept up to date as tunnels are created, changed and deleted.
//   * A route captures a protected address only when it covers it, is more specific than the
//     non-BGP route that carries it now, and forwards differently (resolved gateway + device)
//     from that address's IGP resolution. A covering route forwarding the same way (10.1.0.0/20
//     via 10.1.1.1 covering the Route Server 10.1.0.4, itself reached via 10.1.1.1) is
//     installed as is.
//   * A capturing route is not refused: the address is first pinned with a host route (/32 or
//     /128) via its IGP resolution, with our protocol id in our table, then the route goes in
//     (a warning names the pin once). Pins follow the IGP resolution of their address, leave
//     after the last route needing them (or when the address stops being protected), are
//     removed on clean shutdown unless persist, and are adopted on restart like our routes.
//     Pins carry our protocol id, so they are never used for resolution, and they are never
//     installed over another protocol's route (a non-BGP host route makes a pin unnecessary).
//   * Refused with a warning instead: a capturing route when the address has no IGP
//     resolution (nothing to pin to), or when a BGP route owns the address's host prefix.
//
//   Why a worker thread rather than a non-blocking socket on the BGP loop: programming 100k
//   routes is ~100k kernel acks; on a thread it is batched into large sendmsg() calls and the
//   BGP loop keeps running keepalives while the kernel works.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "nvabgpd/base/fib_batch.hpp"
#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/base/next_hop_resolver.hpp"

namespace nvabgpd::fib {

// One change for the kernel. Install means "make the kernel route for prefix use these next
// hops" whether or not the prefix is installed already (add and replace are the same operation:
// the sink knows what it installed). Withdraw removes it. next_hops are BGP next hops (they may
// be recursive); the sink resolves them, drops unresolvable ones, de-duplicates by resolved
// gateway and device and keeps at most max_paths (ECMP).
struct FibDelta {
  enum class Kind : std::uint8_t { Install, Withdraw };
  Kind kind = Kind::Install;
  base::Prefix prefix;
  std::vector<base::IpAddress> next_hops;

  static FibDelta install(const base::Prefix& p, std::vector<base::IpAddress> nhs) {
    return FibDelta{Kind::Install, p, std::move(nhs)};
  }
  static FibDelta withdraw(const base::Prefix& p) { return FibDelta{Kind::Withdraw, p, {}}; }
};

// The same changes with shared next-hop sets: the RIB's own output type (base/fib_batch.hpp),
// submitted as is.
using FibBatch = base::FibBatch;

class FibSink {
 public:
  virtual ~FibSink() = default;
  // Queue a batch (applied in order, after earlier batches). Never block on the kernel; the
  // FibBatch form costs the caller no allocation per route.
  virtual void submit(FibBatch batch) = 0;
  virtual void submit(std::vector<FibDelta> batch) = 0;
  // The RIB reached initial convergence: routes adopted from a previous run that are not
  // wanted any more are removed now (before this, they are kept so traffic keeps flowing).
  virtual void initial_convergence_done() = 0;
  // Addresses that a route must never capture (BGP peers; tunnel endpoints are discovered on
  // their own): see "Capture protection" above.
  virtual void set_protected_addresses(std::vector<base::IpAddress> addrs) = 0;
};

// A BGP next hop resolved through the IGP (non-BGP) routes of the kernel, and the resolver
// interface: the one shared with the RIB (base/next_hop_resolver.hpp).
using base::NextHopResolver;
using base::ResolvedNextHop;

// Called with the BGP next hops whose resolution changed (became reachable, unreachable or
// moved to another gateway/device). Runs on the FIB thread; see the notes above.
using NextHopChangeFn = std::function<void(std::vector<base::IpAddress> changed)>;

}  // namespace nvabgpd::fib
