#pragma once
// Helpers for RIB unit tests: build prefixes, attributes, updates and drive a Rib.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/rib/rib.hpp"

namespace ribtest {

using namespace nvabgpd;
using rib::PeerId;

inline base::IpAddress ip(const char* s) { return *base::IpAddress::parse(s); }
inline base::Prefix pfx(const char* s) { return *base::Prefix::parse(s); }

inline wire::AsPath path(std::vector<std::uint32_t> asns) {
  wire::AsPath p;
  if (!asns.empty()) p.segments.push_back({wire::SegmentType::Sequence, std::move(asns)});
  return p;
}

inline wire::PathAttributes attrs(std::vector<std::uint32_t> asns, const char* nh) {
  wire::PathAttributes a;
  a.as_path = path(std::move(asns));
  a.next_hop = ip(nh);
  return a;
}

inline rib::UpdateIn announce(PeerId peer, std::vector<base::Prefix> nlri, wire::PathAttributes a) {
  rib::UpdateIn u;
  u.peer = peer;
  u.update.has_attributes = true;
  u.update.attrs = std::move(a);
  u.update.nlri = std::move(nlri);
  return u;
}

inline rib::UpdateIn withdraw(PeerId peer, std::vector<base::Prefix> w) {
  rib::UpdateIn u;
  u.peer = peer;
  u.update.withdrawn = std::move(w);
  return u;
}

inline rib::UpdateIn eor(PeerId peer) {
  rib::UpdateIn u;
  u.peer = peer;
  return u;
}

// A peer definition with sensible defaults: local AS 65001, router id 1.1.1.1.
inline rib::PeerUp peer(PeerId id, std::uint32_t remote_asn, const char* addr,
                        std::uint32_t router_id) {
  rib::PeerUp p;
  p.id = id;
  p.name = "peer" + std::to_string(id);
  p.address = ip(addr);
  p.local_address = ip("192.0.2.1");
  p.local_asn = 65001;
  p.remote_asn = remote_asn;
  p.remote_router_id = router_id;
  return p;
}

inline rib::RibConfig config() {
  rib::RibConfig c;
  c.local_asn = 65001;
  c.router_id = 0x01010101;
  return c;
}

// A fixed table of next-hop reachability; unknown addresses are reachable at cost 0. Counts
// the resolver calls, as the FIB would see them.
class StaticResolver final : public base::NextHopResolver {
 public:
  void set(const base::IpAddress& a, bool reachable, std::uint32_t igp_cost = 0) {
    table_[a] = reachable ? std::optional(base::ResolvedNextHop{a, 0, igp_cost}) : std::nullopt;
  }
  std::optional<base::ResolvedNextHop> resolve(const base::IpAddress& a) override {
    ++resolves[a];
    auto it = table_.find(a);
    return it == table_.end() ? std::optional(base::ResolvedNextHop{a, 0, 0}) : it->second;
  }
  void forget(const base::IpAddress& a) override { ++forgets[a]; }
  std::map<base::IpAddress, int> resolves;
  std::map<base::IpAddress, int> forgets;

 private:
  std::map<base::IpAddress, std::optional<base::ResolvedNextHop>> table_;
};

// Everything a peer has been sent, replayed from OutboundBatches into a per-peer table.
struct PeerView {
  std::map<base::Prefix, wire::PathAttributes> routes;
  int announcements = 0;
  int withdrawals = 0;
  int eors = 0;
};

struct Harness {
  StaticResolver resolver;
  rib::Rib rib;
  base::SteadyTime now{};
  std::map<PeerId, PeerView> views;
  struct Fib {
    base::Prefix prefix;
    std::vector<base::IpAddress> next_hops;
  };
  std::vector<Fib> fib;
  std::vector<rib::RibEvent> events;
  std::vector<rib::OutboundBatch> batches;

  explicit Harness(rib::RibConfig c = config()) : rib(c, resolver) {}

  std::map<PeerId, rib::PeerUp> configs;
  void up(const rib::PeerUp& p) {
    configs[p.id] = p;
    rib.peer_up(p, now);
  }
  // The attributes as the encoder would send them to `to` (next-hop-self filled in).
  wire::PathAttributes as_sent(const rib::AttrSet& s, PeerId to) {
    auto a = rib::AttrStore::materialize(s);
    if (a.next_hop) a.next_hop = rib::self_next_hop(*a.next_hop, configs.at(to));
    return a;
  }
  void in(const rib::UpdateIn& u) { rib.update(u, now); }
  // Runs the RIB to completion and delivers every output.
  void settle() {
    while (rib.busy()) rib.run(1000);
    auto out = rib.take_outbound(now);
    for (auto& b : out) deliver(b);
    batches.insert(batches.end(), out.begin(), out.end());
    auto f = rib.take_fib();
    for (const auto& d : f.deltas) fib.push_back({d.prefix, f.next_hops(d)});
    auto e = rib.take_events();
    events.insert(events.end(), e.begin(), e.end());
  }
  void deliver(const rib::OutboundBatch& b) {
    for (PeerId p : b.peers) {
      PeerView& v = views[p];
      for (const auto& w : b.withdraw) {
        v.routes.erase(w);
        ++v.withdrawals;
      }
      for (const auto& we : b.withdraw_except) {
        if (we.peer == p) continue;
        for (const auto& w : we.prefixes) {
          v.routes.erase(w);
          ++v.withdrawals;
        }
      }
      for (const auto& pw : b.peer_withdraw) {
        if (pw.peer != p) continue;
        for (const auto& w : pw.prefixes) {
          v.routes.erase(w);
          ++v.withdrawals;
        }
      }
      for (const auto& a : b.announce) {
        if (a.except == p) continue;
        for (const auto& pr : a.prefixes) {
          v.routes[pr] = as_sent(*a.attrs, p);
          ++v.announcements;
        }
      }
      v.eors += static_cast<int>(b.end_of_rib.size());
    }
  }
  bool has(PeerId p, const char* prefix) { return views[p].routes.count(pfx(prefix)) != 0; }
  const wire::PathAttributes& sent(PeerId p, const char* prefix) {
    return views[p].routes.at(pfx(prefix));
  }
  std::size_t events_of(rib::RibEvent::Kind k) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [k](const auto& e) { return e.kind == k; }));
  }
};

}  // namespace ribtest
