// FibEngine throughput with a port that accepts everything: what the FIB thread spends per
// route before the kernel sees it.
#include <benchmark/benchmark.h>

#include "nvabgpd/fib/fib_engine.hpp"

namespace {

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;
using namespace nvabgpd::fib;

class NullPort final : public KernelPort {
 public:
  void apply(std::span<const KernelOp> ops, std::vector<int>& errors) override {
    benchmark::DoNotOptimize(ops.data());
    benchmark::DoNotOptimize(errors.data());
  }
};

IgpTable seed_igp() {
  IgpTable igp(254);
  igp.set_link(2, true);
  igp.upsert(IgpRoute{
      *Prefix::parse("10.1.1.0/24"), 254, 2, IgpRouteType::Unicast, 0, {{std::nullopt, 2, false}}});
  igp.upsert(IgpRoute{*Prefix::parse("0.0.0.0/0"),
                      254,
                      16,
                      IgpRouteType::Unicast,
                      100,
                      {{*IpAddress::parse("10.1.1.1"), 2, false}}});
  return igp;
}

void BM_InstallWithdraw(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const IgpTable igp = seed_igp();
  std::vector<FibDelta> add;
  std::vector<FibDelta> del;
  const std::vector<IpAddress> nhs{*IpAddress::parse("10.1.0.4"), *IpAddress::parse("10.1.0.5")};
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto p = Prefix::make(IpAddress::v4((16U << 24) + (i << 8)), 24);
    add.push_back(FibDelta::install(p, nhs));
    del.push_back(FibDelta::withdraw(p));
  }
  NullPort port;
  for (auto _ : state) {
    FibEngine engine(FibEngineConfig{}, port, igp);
    engine.apply(add);
    engine.apply(del);
    benchmark::DoNotOptimize(engine.installed_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2 * n);
}
BENCHMARK(BM_InstallWithdraw)->Arg(100000)->Unit(benchmark::kMillisecond);

// The daemon's path: FibBatches as the RIB builds them (one shared next-hop set per batch of
// 20,000 routes). Reports the engine's per-prefix table bytes per installed route.
void BM_InstallWithdrawBatches(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const IgpTable igp = seed_igp();
  constexpr std::uint32_t kBatch = 20000;
  std::vector<FibBatch> add;
  std::vector<FibBatch> del;
  const std::vector<IpAddress> nhs{*IpAddress::parse("10.1.0.4"), *IpAddress::parse("10.1.0.5")};
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i % kBatch == 0) {
      add.emplace_back().next_hop_sets.push_back(nhs);
      del.emplace_back();
    }
    const auto p = Prefix::make(IpAddress::v4((16U << 24) + (i << 8)), 24);
    add.back().deltas.push_back({p, 1});
    del.back().deltas.push_back({p, 0});
  }
  NullPort port;
  double bytes_per_route = 0;
  for (auto _ : state) {
    FibEngine engine(FibEngineConfig{}, port, igp);
    for (const auto& b : add) engine.apply(b);
    bytes_per_route = static_cast<double>(engine.state_bytes()) / n;
    for (const auto& b : del) engine.apply(b);
    benchmark::DoNotOptimize(engine.installed_count());
  }
  state.counters["state_B_per_route"] = bytes_per_route;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2 * n);
}
BENCHMARK(BM_InstallWithdrawBatches)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
