// Filter evaluation speed: the seed's TO_RS (target >= 5M evaluations/s on one core) and a
// ~200-line filter with prefix sets of 10,000 prefixes.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "nvabgpd/policy/filter.hpp"

using namespace nvabgpd;

namespace {

policy::Program load_text(const std::string& name, const std::string& text) {
  std::vector<policy::SourceFile> files{{name, text}};
  auto r = policy::load(files);
  if (!r) throw std::runtime_error(r.error().front().to_string());
  return std::move(r).value();
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Route {
  base::Prefix net;
  wire::PathAttributes attrs;
};

wire::AsPath seq(std::vector<std::uint32_t> v) {
  wire::AsPath p;
  p.segments.push_back({wire::SegmentType::Sequence, std::move(v)});
  return p;
}

std::uint32_t rng(std::uint32_t& x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

// The seed's route mix as NVA1 exports it.
std::vector<Route> seed_routes() {
  std::vector<Route> rs;
  auto add = [&](const char* p, std::vector<std::uint32_t> path) {
    Route r;
    r.net = *base::Prefix::parse(p);
    r.attrs.as_path = seq(std::move(path));
    r.attrs.next_hop = base::IpAddress::parse("10.1.1.4");
    rs.push_back(std::move(r));
  };
  add("10.1.0.0/20", {12076, 12076});
  add("10.1.16.0/24", {12076, 12076});
  add("10.1.17.0/24", {12076, 12076});
  add("169.254.1.88/30", {12076, 133937});
  add("169.254.1.92/30", {12076, 133937});
  add("10.2.0.0/16", {65001, 65002});
  add("1.2.3.0/24", {12076, 133937});
  add("10.1.0.0/16", {65001});
  return rs;
}

void run_all(benchmark::State& state, const policy::Program& prog, const policy::Filter& f,
             const std::vector<Route>& routes) {
  std::size_t i = 0;
  std::size_t accepted = 0;
  for (auto _ : state) {
    const Route& r = routes[i];
    policy::RouteView v;
    v.net = r.net;
    v.attrs = &r.attrs;
    auto o = prog.run(f, v);
    accepted += o.accepted();
    benchmark::DoNotOptimize(o);
    if (++i == routes.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["accepted"] =
      benchmark::Counter(static_cast<double>(accepted) / static_cast<double>(state.iterations()));
}

void BM_SeedToRs_Mix(benchmark::State& state) {
  auto prog = load_text("nva1_to_rs.conf",
                        read(std::string(NVABGPD_POLICY_FILTERS_DIR) + "/nva1_to_rs.conf"));
  run_all(state, prog, *prog.find_filter("TO_RS"), seed_routes());
}
BENCHMARK(BM_SeedToRs_Mix);

// Only routes that pass untouched (no allocation) / are rejected / are modified.
void BM_SeedToRs_Kind(benchmark::State& state) {
  auto prog = load_text("nva1_to_rs.conf",
                        read(std::string(NVABGPD_POLICY_FILTERS_DIR) + "/nva1_to_rs.conf"));
  auto all = seed_routes();
  std::vector<Route> pick;
  for (auto& r : all) {
    bool lng = r.net.len() >= 30;
    bool mod = r.net.to_string() == "10.1.0.0/16";
    int kind = lng ? 1 : mod ? 2 : 0;
    if (kind == state.range(0)) pick.push_back(r);
  }
  run_all(state, prog, *prog.find_filter("TO_RS"), pick);
  state.SetLabel(state.range(0) == 0   ? "accept untouched"
                 : state.range(0) == 1 ? "reject /30"
                                       : "accept + add community");
}
BENCHMARK(BM_SeedToRs_Kind)->Arg(0)->Arg(1)->Arg(2);

void BM_SeedToRs_Nva2(benchmark::State& state) {
  auto prog = load_text("nva2_to_rs.conf",
                        read(std::string(NVABGPD_POLICY_FILTERS_DIR) + "/nva2_to_rs.conf"));
  auto routes = seed_routes();
  routes[6].attrs.as_path = seq({65001, 65515, 12076, 133937});
  run_all(state, prog, *prog.find_filter("TO_RS"), routes);
}
BENCHMARK(BM_SeedToRs_Nva2);

// A generated ~200-line filter: three prefix sets totalling 10,000 patterns, community and
// ASN sets, path masks, a function and a case statement.
std::string big_filter(std::vector<base::Prefix>& samples) {
  std::uint32_t x = 2463534242U;
  std::string out;
  const char* names[] = {"CUSTOMERS", "PEERS", "BOGONS"};
  for (int s = 0; s < 3; ++s) {
    out += fmt::format("define {} = [\n", names[s]);
    int n = s == 0 ? 6000 : s == 1 ? 3000 : 1000;
    for (int i = 0; i < n; ++i) {
      unsigned len = 12 + rng(x) % 13;
      auto p = base::Prefix::make(base::IpAddress::v4(rng(x)), len);
      if (i % 7 == 0) samples.push_back(p);
      const char* suffix = i % 3 == 0 ? "+" : i % 3 == 1 ? "" : "{24,28}";
      // 100 patterns per line keeps the whole filter near 200 lines.
      out += fmt::format("{}{}{}{}", i % 100 == 0 ? "  " : " ", p.to_string(), suffix,
                         i + 1 < n ? (i % 100 == 99 ? ",\n" : ",") : "\n");
    }
    out += "];\n";
  }
  out += R"(
define TRANSIT = [ 174, 701, 1299, 2914, 3257, 3356, 3491, 5511, 6453, 6461, 6762, 7018, 12956 ];
define PRIVATE_ASNS = [ 64512..65534, 4200000000..4294967294 ];
define MY_AS = 65010;
define BLACKHOLE = (65535, 666);
define NO_EXPORT_SET = [ (65535, 65281), (65535, 65282), (65010, 0..99) ];

function is_long() -> bool {
  return net.len > 24;
}

function classify(int head) -> int {
  case head {
    174, 701, 1299: return 1;
    2914 .. 3491: return 2;
    64512 .. 65534: return 3;
    else: return 4;
  }
}

filter BIG {
  # Sanity
  if net ~ BOGONS then reject;
  if is_long() then reject;
  if net.len < 8 then reject;
  if bgp_path.len > 64 then reject;
  if bgp_path ~ PRIVATE_ASNS && !(bgp_path ~ [= * 65001 * =]) then reject;
  if bgp_path ~ [= * 65535 * =] then reject;
  if BLACKHOLE ~ bgp_community then {
    if net.len < 24 then reject;
    bgp_local_pref = 10;
    accept;
  }
  # Customers
  if net ~ CUSTOMERS then {
    if bgp_community ~ NO_EXPORT_SET then reject;
    case classify(bgp_path.first) {
      1: bgp_local_pref = 90;
      2: bgp_local_pref = 95;
      3: bgp_local_pref = 200;
      else: bgp_local_pref = 150;
    }
    if bgp_med > 1000 then bgp_med = 1000;
    accept;
  }
  # Peers
  if net ~ PEERS then {
    if bgp_path.first ~ TRANSIT then reject;
    if bgp_path.len > 8 then reject;
    if (65010, 100) ~ bgp_community then reject;
    accept;
  }
  if bgp_path ~ [= 174 * =] || bgp_path ~ [= 3356 * =] then {
    if bgp_path.len > 6 then reject;
    accept;
  }
  if bgp_next_hop ~ 10.0.0.0/8 then accept;
  if bgp_origin = ORIGIN_INCOMPLETE then reject;
  if defined(bgp_local_pref) && bgp_local_pref < 50 then reject;
  reject;
}
)";
  return out;
}

void BM_BigFilter(benchmark::State& state) {
  std::vector<base::Prefix> samples;
  std::string text = big_filter(samples);
  auto prog = load_text("big.conf", text);
  std::uint32_t x = 88172645U;
  std::vector<Route> routes;
  static const std::uint32_t kFirst[] = {174, 3356, 65001, 2914, 6939, 64600, 1299};
  for (int i = 0; i < 4096; ++i) {
    Route r;
    // Half from the sets (hit), half random (mostly miss): every branch gets traffic.
    if (i % 2 == 0) {
      const auto& p = samples[rng(x) % samples.size()];
      r.net = base::Prefix::make(p.addr(), std::min(32U, p.len() + rng(x) % 4));
    } else {
      r.net = base::Prefix::make(base::IpAddress::v4(rng(x)), 8 + rng(x) % 20);
    }
    std::vector<std::uint32_t> path{kFirst[rng(x) % 7]};
    for (unsigned k = 0; k < rng(x) % 6; ++k) path.push_back(rng(x) % 70000);
    r.attrs.as_path = seq(path);
    if (rng(x) % 4 == 0)
      r.attrs.communities.push_back(
          wire::Community::of(65010, static_cast<std::uint16_t>(rng(x) % 200)));
    if (rng(x) % 3 == 0) r.attrs.med = rng(x) % 3000;
    r.attrs.next_hop = base::IpAddress::v4(rng(x));
    routes.push_back(std::move(r));
  }
  state.counters["lines"] = static_cast<double>(std::count(text.begin(), text.end(), '\n'));
  run_all(state, prog, *prog.find_filter("BIG"), routes);
}
BENCHMARK(BM_BigFilter);

void BM_LoadBigFilter(benchmark::State& state) {
  std::vector<base::Prefix> samples;
  std::string text = big_filter(samples);
  for (auto _ : state) {
    auto p = load_text("big.conf", text);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_LoadBigFilter)->Unit(benchmark::kMillisecond);

}  // namespace
