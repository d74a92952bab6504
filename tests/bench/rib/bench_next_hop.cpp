// One next hop changes under a full table. 1,000,000 IPv4 prefixes are learned from two eBGP
// peers: peer 1 (shorter AS_PATH, preferred) spreads them over 4 next hops (250,000 each),
// peer 2 carries all of them via one next hop. One downstream peer is exported to. Then the
// next hop of a quarter of peer 1's routes becomes unreachable (its prefixes move to peer 2)
// and reachable again (they move back), reported by address as the FIB does.
//
// Measured, with the daemon's slice budget (kBudget decisions per run() call, as
// daemon.cpp's kRibBudget): the longest single Rib call on the BGP thread
// (next_hops_changed() and each run(budget) slice; take_outbound/take_fib are the daemon's
// drain between slices and are reported apart), and the wall time until every changed
// prefix is re-decided and drained.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "nvabgpd/rib/rib.hpp"

namespace {

using namespace nvabgpd;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kPrefixes = 1'000'000;
constexpr std::size_t kPerUpdate = 500;
constexpr std::size_t kBudget = 20000;  // the daemon's kRibBudget
constexpr std::uint32_t kNextHops = 4;

base::IpAddress nh1(std::uint32_t i) { return base::IpAddress::v4(0x0A010000U + 1 + i); }
const base::IpAddress kNh2 = base::IpAddress::v4(0x0A020001U);

// Reachability by address, flipped by the benchmark (the FIB's part).
class FlipResolver final : public base::NextHopResolver {
 public:
  std::optional<base::ResolvedNextHop> resolve(const base::IpAddress& a) override {
    if (down_.count(a)) return std::nullopt;
    return base::ResolvedNextHop{a, 1, 10};
  }
  void forget(const base::IpAddress&) override {}
  void set_down(const base::IpAddress& a, bool down) {
    if (down)
      down_[a] = true;
    else
      down_.erase(a);
  }

 private:
  std::unordered_map<base::IpAddress, bool> down_;
};

rib::PeerUp make_peer(rib::PeerId id, std::uint32_t asn) {
  rib::PeerUp p;
  p.id = id;
  p.name = "p" + std::to_string(id);
  p.address = base::IpAddress::v4(0x0A000000 + id);
  p.local_address = base::IpAddress::v4(0xC0000201U);
  p.local_asn = 65001;
  p.remote_asn = asn;
  p.remote_router_id = id;
  return p;
}

base::Prefix prefix_of(std::size_t i) {
  return base::Prefix::make(base::IpAddress::v4(0x14000000U + (static_cast<std::uint32_t>(i) << 8)),
                            24);
}

void announce_all(rib::Rib& r, rib::PeerId peer, std::vector<std::uint32_t> asns, bool spread) {
  for (std::size_t first = 0; first < kPrefixes; first += kPerUpdate) {
    rib::UpdateIn u;
    u.peer = peer;
    u.update.has_attributes = true;
    u.update.attrs.as_path.segments.push_back({wire::SegmentType::Sequence, asns});
    // Consecutive blocks of kPerUpdate prefixes take the next hops in turn.
    u.update.attrs.next_hop =
        spread ? nh1(static_cast<std::uint32_t>(first / kPerUpdate) % kNextHops) : kNh2;
    for (std::size_t i = first; i < first + kPerUpdate && i < kPrefixes; ++i)
      u.update.nlri.push_back(prefix_of(i));
    r.update(u, base::SteadyTime{});
  }
}

struct Figures {
  double max_call_us = 0;
  double changed_call_us = 0;
  double max_drain_us = 0;
  double total_ms = 0;
  std::size_t slices = 0;
  std::size_t fib_deltas = 0;
};

// The daemon's loop after the FIB reports `changed`: one next_hops_changed() call, then
// run(budget) slices with a drain after each, until the RIB is idle.
Figures change(rib::Rib& r, FlipResolver& res, const base::IpAddress& a, bool down) {
  res.set_down(a, down);
  Figures f;
  const auto start = Clock::now();
  auto t = Clock::now();
  const std::vector<base::IpAddress> changed{a};
  r.next_hops_changed(changed);
  f.changed_call_us = std::chrono::duration<double, std::micro>(Clock::now() - t).count();
  f.max_call_us = f.changed_call_us;
  auto drain = [&] {
    const auto d = Clock::now();
    r.take_outbound(base::SteadyTime{});
    f.fib_deltas += r.take_fib().deltas.size();
    f.max_drain_us = std::max(f.max_drain_us,
                              std::chrono::duration<double, std::micro>(Clock::now() - d).count());
  };
  while (r.busy()) {
    t = Clock::now();
    r.run(kBudget);
    f.max_call_us = std::max(f.max_call_us,
                             std::chrono::duration<double, std::micro>(Clock::now() - t).count());
    ++f.slices;
    drain();
  }
  drain();
  f.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return f;
}

void BM_OneNextHopChange1M(benchmark::State& state) {
  FlipResolver res;
  rib::RibConfig cfg;
  cfg.local_asn = 65001;
  cfg.router_id = 0x01010101;
  auto rp = std::make_unique<rib::Rib>(cfg, res);
  rib::Rib& r = *rp;
  r.peer_up(make_peer(1, 65100), base::SteadyTime{});
  r.peer_up(make_peer(2, 65200), base::SteadyTime{});
  r.peer_up(make_peer(3, 65300), base::SteadyTime{});
  announce_all(r, 1, {65100}, true);
  announce_all(r, 2, {65200, 65201}, false);
  while (r.busy()) r.run(65536);
  r.take_outbound(base::SteadyTime{});
  r.take_fib();

  Figures down, up;
  for (auto _ : state) {
    down = change(r, res, nh1(0), true);
    up = change(r, res, nh1(0), false);
  }
  state.counters["budget"] = static_cast<double>(kBudget);
  state.counters["down_max_call_us"] = down.max_call_us;
  state.counters["down_changed_call_us"] = down.changed_call_us;
  state.counters["down_max_drain_us"] = down.max_drain_us;
  state.counters["down_total_ms"] = down.total_ms;
  state.counters["down_slices"] = static_cast<double>(down.slices);
  state.counters["down_fib_deltas"] = static_cast<double>(down.fib_deltas);
  state.counters["up_max_call_us"] = up.max_call_us;
  state.counters["up_total_ms"] = up.total_ms;
  state.counters["up_fib_deltas"] = static_cast<double>(up.fib_deltas);
}

}  // namespace

BENCHMARK(BM_OneNextHopChange1M)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
