// Load, print and diff cost for configs with many peers (a reload re-does all three).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/print.hpp"

using namespace nvabgpd::config;

namespace {

std::string make_config(int peers) {
  std::string s =
      "router-id: 10.0.0.1\nasn: 65001\nfilters: [f.conf]\n"
      "originate: [ { prefix: 10.1.0.0/16, communities: [no-advertise] } ]\n"
      "templates:\n  - { name: ebgp, hold-time: 30, import: all, export: OUT, "
      "import-limit: { max: 10000, action: restart } }\n"
      "  - { name: ibgp, asn: 65001, route-reflector-client: true }\n"
      "peers:\n"
      "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, export: OUT "
      "}\n"
      "  - { name: rs1, template: azure-route-server, address: 10.1.0.5, import: all, export: OUT "
      "}\n";
  for (int i = 0; i < peers; ++i)
    s += fmt::format(
        "  - {{ name: p{}, template: {}, address: 10.{}.{}.{}, asn: {}, "
        "description: \"peer {}\" }}\n",
        i, i % 4 == 0 ? "ibgp" : "ebgp", 2 + i / 65536, (i / 256) % 256, i % 256,
        i % 4 == 0 ? 65001 : 64512 + i % 1000, i);
  return s;
}

LoadResult load(const std::string& text) {
  return parse_config(text, "bench.yaml", "/etc/nvabgpd", LoadOptions{false});
}

void BM_Load(benchmark::State& st) {
  const std::string text = make_config(static_cast<int>(st.range(0)));
  for (auto _ : st) {
    auto r = load(text);
    if (!r.ok()) st.SkipWithError("config did not load");
    benchmark::DoNotOptimize(r);
  }
  st.counters["peers/s"] = benchmark::Counter(static_cast<double>(st.range(0) * st.iterations()),
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Load)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Print(benchmark::State& st) {
  const Config cfg = *load(make_config(static_cast<int>(st.range(0)))).config;
  for (auto _ : st) benchmark::DoNotOptimize(to_yaml(cfg));
}
BENCHMARK(BM_Print)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Diff(benchmark::State& st) {
  const Config a = *load(make_config(static_cast<int>(st.range(0)))).config;
  Config b = a;
  for (std::size_t i = 0; i < b.peers.size(); i += 10) b.peers[i].description = "changed";
  for (auto _ : st) benchmark::DoNotOptimize(diff_configs(a, b, {"OUT"}));
}
BENCHMARK(BM_Diff)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
