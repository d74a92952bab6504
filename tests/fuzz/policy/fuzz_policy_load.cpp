// Feeds arbitrary text to the filter loader; whatever loads is run over a few fixed routes.
// Loading must never crash, hang or leak; evaluation neither.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nvabgpd/policy/filter.hpp"

using namespace nvabgpd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  std::vector<policy::SourceFile> files{
      {"fuzz.conf", std::string(reinterpret_cast<const char*>(data), size)}};
  auto prog = policy::load(files);
  if (!prog) return 0;
  static const char* const kNets[] = {"10.1.0.0/16", "169.254.1.88/30", "2001:db8::/48",
                                      "0.0.0.0/0"};
  wire::PathAttributes a;
  a.as_path.segments.push_back({wire::SegmentType::Sequence, {65001, 65515, 12076}});
  a.as_path.segments.push_back({wire::SegmentType::Set, {1, 2}});
  a.communities = {wire::Community::of(65535, 65282), wire::Community::of(1, 1)};
  a.large_communities = {{1, 2, 3}};
  a.med = 0;
  policy::PrintSink sink = [](std::string_view, bool) {};
  for (const auto& name : prog->filter_names()) {
    const policy::Filter* f = prog->find_filter(name);
    for (const char* n : kNets) {
      policy::RouteView v;
      v.net = *base::Prefix::parse(n);
      v.attrs = &a;
      auto o = prog->run(*f, v, &sink);
      (void)o;
    }
  }
  return 0;
}
