// RIB at full-table scale, in process (the real-socket comparison with BIRD comes with the
// daemon). Input: 1,000,000 IPv4 prefixes (mostly /24, ~5% /30-/32) in ~100,000 distinct
// attribute sets (AS paths of 2-10 ASNs, 0-6 communities), pre-built as decoded UPDATEs of
// the prefixes sharing a set. Measured: wall time from the first UpdateIn until every
// downstream peer's batches are taken, and the heap the RIB holds afterwards (every
// allocation counted), reported per route. The Withdraw cases then withdraw every prefix
// (the same UPDATEs as withdrawn routes) and measure only that phase, the heap left after it
// and what was handed back to the OS.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <unordered_set>

#include "nvabgpd/rib/rib.hpp"

// ---- allocation accounting (this binary only) ----
namespace {
std::size_t g_live = 0;
std::size_t g_peak = 0;
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  g_live += malloc_usable_size(p);
  if (g_live > g_peak) g_peak = g_live;
  return p;
}
// The replacement pair is malloc/free underneath; GCC cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  if (!p) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
#pragma GCC diagnostic pop

namespace {

using namespace nvabgpd;

// Accepts everything, with no declared fingerprint: each object is its own update group.
struct OwnGroupAll final : rib::RouteFilter {
  Kind kind() const override { return Kind::AcceptAll; }
  std::string name() const override { return "all (own group)"; }
  rib::FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                        const rib::FilterContext&) const override {
    return {true, std::nullopt, {}};
  }
};

constexpr std::size_t kPrefixes = 1'000'000;
constexpr std::size_t kAttrSets = 100'000;

std::size_t rss_kb(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  std::size_t v = 0;
  const std::size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, field, n) == 0) v = std::strtoull(line + n + 1, nullptr, 10);
  std::fclose(f);
  return v;
}

const std::vector<rib::UpdateIn>& input() {
  static const std::vector<rib::UpdateIn> updates = [] {
    std::mt19937_64 rng(42);  // fixed seed: the same table every run
    std::vector<wire::PathAttributes> sets(kAttrSets);
    for (auto& a : sets) {
      std::vector<std::uint32_t> asns{65100};  // the injector's AS first
      const unsigned len = 2 + static_cast<unsigned>(rng() % 9);
      while (asns.size() < len) asns.push_back(static_cast<std::uint32_t>(1000 + rng() % 60000));
      a.as_path.segments.push_back({wire::SegmentType::Sequence, asns});
      const unsigned nc = static_cast<unsigned>(rng() % 7);
      for (unsigned i = 0; i < nc; ++i)
        a.communities.push_back(
            wire::Community::of(static_cast<std::uint16_t>(asns[1 % asns.size()]),
                                static_cast<std::uint16_t>(rng() % 500)));
      a.origin = static_cast<wire::Origin>(rng() % 3);
      if (rng() % 4 == 0) a.med = static_cast<std::uint32_t>(rng() % 1000);
      a.next_hop = base::IpAddress::v4(0x0A000002);
    }
    std::vector<std::vector<base::Prefix>> by_set(kAttrSets);
    std::unordered_set<std::uint64_t> seen;
    std::size_t made = 0;
    while (made < kPrefixes) {
      const bool longer = rng() % 20 == 0;
      const unsigned len = longer ? 30 + static_cast<unsigned>(rng() % 3) : 24;
      const std::uint32_t addr = static_cast<std::uint32_t>(rng()) & (0xFFFFFFFFU << (32 - len));
      if ((addr >> 24) == 0 || (addr >> 24) >= 224) continue;
      if (!seen.insert((std::uint64_t{addr} << 8) | len).second) continue;
      by_set[rng() % kAttrSets].push_back(base::Prefix::make(base::IpAddress::v4(addr), len));
      ++made;
    }
    std::vector<rib::UpdateIn> out;
    for (std::size_t s = 0; s < kAttrSets; ++s) {
      // An UPDATE carries at most ~900 /24s in 4096 bytes; these groups are far smaller.
      rib::UpdateIn u;
      u.peer = 1;
      u.update.has_attributes = true;
      u.update.attrs = sets[s];
      u.update.nlri = std::move(by_set[s]);
      if (!u.update.nlri.empty()) out.push_back(std::move(u));
    }
    return out;
  }();
  return updates;
}

rib::PeerUp make_peer(rib::PeerId id, std::uint32_t asn, std::uint32_t local_addr) {
  rib::PeerUp p;
  p.id = id;
  p.name = "p" + std::to_string(id);
  p.address = base::IpAddress::v4(0x0A000000 + id);
  p.local_address = base::IpAddress::v4(local_addr);
  p.local_asn = 65001;
  p.remote_asn = asn;
  p.remote_router_id = id;
  return p;
}

// peers: downstream peers, each on its own local address (next-hop-self is filled in per
// peer, so they still share one update group); distinct_groups: each peer also has its own
// export policy, so each is its own update group (the worst case).
void run_shape(benchmark::State& state, int peers, bool distinct_groups, bool withdraw = false) {
  const auto& updates = input();
  // In address order (as a peer walking its own table sends them), so not in the order the
  // prefixes arrived: every lookup lands somewhere else in the tables.
  static const std::vector<rib::UpdateIn> withdrawals = [&] {
    std::vector<base::Prefix> all;
    for (const auto& u : updates) all.insert(all.end(), u.update.nlri.begin(), u.update.nlri.end());
    std::sort(all.begin(), all.end());
    std::vector<rib::UpdateIn> out;
    for (std::size_t i = 0; i < all.size(); i += 1000) {
      rib::UpdateIn w;
      w.peer = 1;
      w.update.withdrawn.assign(
          all.begin() + static_cast<std::ptrdiff_t>(i),
          all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + 1000)));
      out.push_back(std::move(w));
    }
    return out;
  }();
  std::size_t withdrawn = 0;
  std::size_t left_bytes = 0;
  std::size_t rss_full_kb = 0;
  std::size_t rss_after_kb = 0;
  base::ReachableResolver resolver;
  std::size_t bytes_per_route = 0;
  std::size_t announced = 0;
  std::size_t attr_sets = 0;
  std::size_t table_bytes = 0;
  for (auto _ : state) {
    const std::size_t base_live = g_live;
    announced = 0;
    withdrawn = 0;
    if (withdraw) state.PauseTiming();  // only the withdrawal is timed
    {
      rib::RibConfig cfg;
      cfg.local_asn = 65001;
      cfg.router_id = 0x01010101;
      auto rp = std::make_unique<rib::Rib>(cfg, resolver);
      rib::Rib& r = *rp;
      base::SteadyTime now{};
      r.peer_up(make_peer(1, 65100, 0x0A000001), now);
      for (int i = 0; i < peers; ++i) {
        auto p = make_peer(static_cast<rib::PeerId>(100 + i), static_cast<std::uint32_t>(65200 + i),
                           0xC0000200U + static_cast<std::uint32_t>(i));
        if (distinct_groups) p.export_filter = std::make_shared<const OwnGroupAll>();
        r.peer_up(p, now);
      }
      auto drain = [&] {
        for (auto& b : r.take_outbound(now)) {
          for (auto& a : b.announce) {
            const bool src_member =
                std::find(b.peers.begin(), b.peers.end(), a.except) != b.peers.end();
            announced += a.prefixes.size() * (b.peers.size() - (src_member ? 1 : 0));
          }
          withdrawn += b.withdraw.size() * b.peers.size();
          for (auto& w : b.withdraw_except) {
            const bool src_member =
                std::find(b.peers.begin(), b.peers.end(), w.peer) != b.peers.end();
            withdrawn += w.prefixes.size() * (b.peers.size() - (src_member ? 1 : 0));
          }
          for (auto& w : b.peer_withdraw) withdrawn += w.prefixes.size();
        }
        r.take_fib();
      };
      drain();
      std::size_t n = 0;
      for (const auto& u : updates) {
        r.update(u, now);
        if (++n % 1024 == 0) {
          while (r.busy()) r.run(65536);
          drain();
        }
      }
      while (r.busy()) r.run(65536);
      drain();
      if (withdraw) {
        malloc_trim(0);
        rss_full_kb = rss_kb("VmRSS:");
        state.ResumeTiming();
        n = 0;
        for (const auto& u : withdrawals) {
          r.update(u, now);
          if (++n % 1024 == 0) {
            while (r.busy()) r.run(65536);
            drain();
          }
        }
        while (r.busy()) r.run(65536);
        drain();
        state.PauseTiming();
        left_bytes = g_live - base_live;
        malloc_trim(0);  // as the daemon does after a large withdrawal
        rss_after_kb = rss_kb("VmRSS:");
        state.ResumeTiming();
      }
      state.PauseTiming();
      bytes_per_route = (g_live - base_live) / kPrefixes;
      attr_sets = r.store().attr_sets();
      table_bytes = (r.table().entry_bytes() + r.table().index_bytes()) / kPrefixes;
      rp.reset();  // teardown is not part of convergence
      state.ResumeTiming();
    }
  }
  state.counters["prefixes"] = static_cast<double>(kPrefixes);
  state.counters["announced_to_peers"] = static_cast<double>(announced);
  state.counters["heap_bytes_per_route"] = static_cast<double>(bytes_per_route);
  state.counters["attr_sets"] = static_cast<double>(attr_sets);
  state.counters["table_bytes_per_route"] = static_cast<double>(table_bytes);
  state.counters["peak_heap_MB"] = static_cast<double>(g_peak) / 1e6;
  state.counters["VmHWM_MB"] = static_cast<double>(rss_kb("VmHWM:")) / 1024.0;
  if (withdraw) {
    state.counters["withdrawn_to_peers"] = static_cast<double>(withdrawn);
    state.counters["heap_left_MB"] = static_cast<double>(left_bytes) / 1e6;
    state.counters["RSS_full_MB"] = static_cast<double>(rss_full_kb) / 1024.0;
    state.counters["RSS_after_withdraw_MB"] = static_cast<double>(rss_after_kb) / 1024.0;
  }
}

void BM_Ingest1M_Export1(benchmark::State& s) { run_shape(s, 1, false); }
void BM_Ingest1M_Export20_OneGroup(benchmark::State& s) { run_shape(s, 20, false); }
void BM_Ingest1M_Export20_TwentyGroups(benchmark::State& s) { run_shape(s, 20, true); }
void BM_Ingest1M_NoExport(benchmark::State& s) { run_shape(s, 0, false); }
// Time of the withdrawal of all 1M prefixes only (the announcement is not timed).
void BM_Withdraw1M_Export1(benchmark::State& s) { run_shape(s, 1, false, true); }
void BM_Withdraw1M_Export20_OneGroup(benchmark::State& s) { run_shape(s, 20, false, true); }

}  // namespace

BENCHMARK(BM_Ingest1M_NoExport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Ingest1M_Export1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Ingest1M_Export20_OneGroup)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_Ingest1M_Export20_TwentyGroups)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_Withdraw1M_Export1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Withdraw1M_Export20_OneGroup)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
