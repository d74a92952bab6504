// libFuzzer target: any bytes as a config file. The loader must never crash, hang or throw;
// every accepted config must print, load again to an equal model, and diff to an empty plan.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/print.hpp"

using namespace nvabgpd::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadOptions opts;
  opts.check_filter_files = false;
  LoadResult r = parse_config(text, "fuzz.yaml", "/nonexistent", opts);
  if (!r.ok()) {
    if (r.errors.empty()) std::abort();  // rejected without saying why
    return 0;
  }
  Config cfg = *r.config;
  for (auto& p : cfg.peers) p.template_name = p.azure_route_server ? "azure-route-server" : "";
  const std::string printed = to_yaml(cfg, PrintOptions{true});
  LoadResult again = parse_config(printed, "printed.yaml", "/nonexistent", opts);
  if (!again.ok() || !(*again.config == cfg)) std::abort();
  if (!diff_configs(cfg, *again.config).empty()) std::abort();
  (void)check_filter_names(cfg, r.sources, [](std::string_view n) { return n.size() % 2 == 0; });
  return 0;
}
