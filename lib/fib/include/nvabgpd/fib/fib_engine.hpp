#pragma once
// FibEngine: the pure decision logic of the installer. It keeps what the RIB wants (prefix ->
// BGP next hops) and what it installed (prefix -> KernelRoute), and turns deltas, next-hop
// changes, convergence and shutdown into batches of KernelOps for a KernelPort.
// Owned by one thread (the FIB worker); no locking, no I/O other than through the port.
//
// Memory: one 16-byte slot per prefix (RouteStates) naming an interned next-hop set and an
// interned kernel route (SetPool), so a route costs ~20-32 bytes however many next hops it
// has; the resolution of a next-hop set is computed once per set and IGP state, not per route.
// Everything is given back when the last route leaves.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/fib/fib.hpp"
#include "nvabgpd/fib/igp_table.hpp"
#include "nvabgpd/fib/kernel_route.hpp"
#include "nvabgpd/fib/route_states.hpp"
#include "nvabgpd/fib/set_pool.hpp"

namespace nvabgpd::fib {

struct FibEngineConfig {
  std::uint32_t table = 254;    // RT_TABLE_MAIN
  std::uint8_t protocol = 186;  // "bgp" in /etc/iproute2/rt_protos
  std::uint32_t metric = 20;
  unsigned max_paths = 8;         // ECMP width; 1 disables multipath
  std::size_t batch_size = 2048;  // ops per KernelPort::apply call
  // Withdrawals from the RIB wait for flush_withdrawals() and then go to the kernel in
  // descending prefix order (see there). Off: each is applied at once.
  bool defer_withdrawals = false;
};

struct FibStats {
  std::uint64_t replaced = 0;           // create-or-replace ops that succeeded
  std::uint64_t deleted = 0;            // delete ops that succeeded (or found nothing)
  std::uint64_t kernel_errors = 0;      // ops the kernel refused
  std::uint64_t unresolved = 0;         // evaluations with no resolvable next hop
  std::uint64_t refused_protected = 0;  // captures that no pin could prevent
  std::uint64_t pins_installed = 0;     // host routes pinning a protected address
  std::uint64_t pins_removed = 0;
  std::uint64_t refused_foreign = 0;  // same key as another protocol's route
  std::uint64_t adopted = 0;
  std::uint64_t stale_removed = 0;
  std::uint64_t kept_adopted = 0;  // adopted routes found identical: no kernel op
  std::uint64_t resyncs = 0;
};

class FibEngine {
 public:
  FibEngine(FibEngineConfig cfg, KernelPort& port, const IgpTable& igp);

  // Routes with our protocol id found in the kernel at start. They stay until reconciled.
  void adopt(std::vector<KernelRoute> existing);
  void apply(std::span<const FibDelta> deltas);
  void apply(const FibBatch& batch);
  // Removes the routes withdrawn since the last call (defer_withdrawals), highest prefix
  // first. The kernel's IPv4 route trie pays dearly for deletions in ascending address order,
  // the order in which a peer's withdrawals usually arrive: deleting 200,000 /24s takes
  // 12.3 s ascending and 2.2 s descending (ip -batch, kernel 6.18).
  void flush_withdrawals();
  // After an IGP change: re-evaluates every wanted route whose next hops include one of these
  // addresses, routes refused earlier, and (when the IGP cover of a protected address
  // changed) routes containing a protected address.
  void reresolve(std::span<const base::IpAddress> changed);
  // Re-evaluates every wanted route (after protected addresses or the IGP changed wholesale).
  void reevaluate_all();
  // After a full resync: what the kernel really holds of ours. Our view is replaced by it
  // (routes that vanished, e.g. flushed with their link, are reinstalled) and every wanted
  // route is re-evaluated.
  void resync(std::vector<KernelRoute> kernel_now);
  // Initial convergence: adopted routes nobody re-announced are removed.
  void converge();
  // Clean shutdown: removes everything we installed unless persist.
  void shutdown(bool persist);

  // Protected addresses (see fib.hpp, "Capture protection"): those the daemon passes (BGP
  // peers) plus the tunnel endpoints NetlinkFib discovers from the kernel's links. The union
  // is what is protected; routes containing an address that was added or dropped are
  // re-evaluated at once.
  void set_protected(std::vector<base::IpAddress> addrs);
  void set_tunnel_endpoints(std::vector<base::IpAddress> addrs);

  // The pin (host route via the IGP resolution) currently held for a protected address.
  const KernelRoute* pin(const base::IpAddress& a) const;
  std::size_t pin_count() const { return pins_.size(); }

  // The BGP next hops currently used by wanted routes (for watching).
  std::vector<base::IpAddress> wanted_next_hops() const;
  std::optional<KernelRoute> installed(const base::Prefix& p) const;
  std::size_t installed_count() const { return installed_count_; }
  std::size_t wanted_count() const { return wanted_count_; }
  // Heap bytes of the per-prefix table (for tests and benchmarks).
  std::size_t state_bytes() const { return states_.bytes(); }
  bool converged() const { return converged_; }
  const FibStats& stats() const { return stats_; }

 private:
  // A kernel route without its prefix: what RouteState::installed names.
  struct Body {
    std::uint32_t metric = 0;
    std::vector<KernelNextHop> nexthops;
    bool operator==(const Body&) const = default;
  };
  struct BodyHash {
    std::size_t operator()(const Body& b) const noexcept;
  };
  struct NhSetHash {
    std::size_t operator()(const std::vector<base::IpAddress>& v) const noexcept;
  };
  using NhSet = std::vector<base::IpAddress>;
  // The resolution of one wanted next-hop set, per family, valid for one IGP generation.
  struct Resolved {
    std::array<std::uint64_t, 2> generation{};  // 0: not computed
    std::array<std::vector<KernelNextHop>, 2> nexthops;
  };
  // A host route holding a protected address on its IGP path while routes that would capture
  // it are installed. users: the wanted routes that need it.
  struct Pin {
    KernelRoute route;
    bool installed = false;  // the kernel holds route
    std::unordered_set<base::Prefix> users;
  };
  struct PinNeed {
    base::IpAddress addr;
    KernelNextHop via;
  };
  // What the IGP says about a protected address (a change re-evaluates routes covering it).
  struct Guard {
    std::optional<Cover> cover;
    std::optional<ResolvedNextHop> resolution;
    bool operator==(const Guard&) const = default;
  };
  std::optional<KernelRoute> desired(const base::Prefix& p, std::uint32_t nh_set,
                                     std::vector<PinNeed>& pins);
  const std::vector<KernelNextHop>& resolve_set(std::uint32_t nh_set, base::Family f);
  // Classifies the protected addresses inside p for a route forwarding via nhs: fills pins
  // with those that need a pin; returns the address that makes p impossible to install.
  std::optional<base::IpAddress> capture_check(const base::Prefix& p,
                                               const std::vector<KernelNextHop>& nhs,
                                               std::vector<PinNeed>& pins) const;
  void ensure_pin(const PinNeed& need, const base::Prefix& user);
  void release_pins(const std::vector<base::IpAddress>& addrs);
  Pin* pin_for(const base::Prefix& p);
  void update_protected(std::vector<base::IpAddress> peers, std::vector<base::IpAddress> tunnels);
  std::vector<Guard> guards() const;
  // Records what the RIB wants for p (nh_set 0: nothing; otherwise a reference the call takes
  // over) and evaluates it.
  void set_wanted(const base::Prefix& p, std::uint32_t nh_set);
  std::uint32_t acquire_set(const NhSet& nhs);
  void release_set(std::uint32_t id);
  KernelRoute route_of(const base::Prefix& p, const RouteState& s) const;
  // Forgets what is installed at s (and the stale mark); erase_if_empty() afterwards.
  void drop_installed(RouteState& s);
  bool in_batch(const base::Prefix& p) const;
  void evaluate(const base::Prefix& p);
  void program(const base::Prefix& p, std::optional<KernelRoute> want);
  // queue() may flush, and flush() edits states_ and pins_: states_ may be walked meanwhile
  // (RouteStates defers erasure), pins_ may not.
  void queue(KernelOp op);
  void queue_deletes(std::vector<KernelRoute> routes);
  void flush();
  void add_refs(const NhSet& nhs, int delta);

  FibEngineConfig cfg_;
  KernelPort& port_;
  const IgpTable& igp_;
  RouteStates states_;
  SetPool<NhSet, NhSetHash> nh_sets_;
  SetPool<Body, BodyHash> bodies_;
  std::vector<Resolved> resolved_;  // by nh_sets_ id
  std::size_t wanted_count_ = 0;
  std::size_t installed_count_ = 0;
  std::unordered_map<base::IpAddress, std::uint32_t> nh_refs_;  // BGP next hop -> sets using it
  std::unordered_set<base::Prefix> retry_;   // refused (kernel, protection, collision):
                                             // evaluated again on every IGP change
  std::vector<base::Prefix> batch_others_;   // prefixes with an op in pending_ and no state
  std::unordered_set<base::Prefix> warned_;  // refusal already logged
  std::vector<base::IpAddress> peers_;       // protected, from the daemon
  std::vector<base::IpAddress> tunnels_;     // protected, discovered tunnel endpoints
  std::vector<base::IpAddress> protected_;   // the union, sorted
  std::vector<Guard> guards_;                // per protected_ entry, last seen
  std::unordered_map<base::IpAddress, Pin> pins_;
  std::unordered_map<base::Prefix, std::vector<base::IpAddress>> pin_uses_;  // route -> pins
  std::unordered_set<base::IpAddress> pin_warned_;  // pinned (logged once per address)
  std::vector<KernelOp> pending_;
  std::vector<base::Prefix> withdrawn_;  // deferred withdrawals (defer_withdrawals)
  std::vector<int> errors_;
  bool converged_ = false;
  FibStats stats_;
};

}  // namespace nvabgpd::fib
