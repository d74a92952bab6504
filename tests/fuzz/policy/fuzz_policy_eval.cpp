// The evaluator under random routes: input is FILTER TEXT, then a line "%%", then bytes that
// describe up to 8 routes (prefix, AS path with sets, the three community kinds, med,
// local_pref, origin, next hop, originator/cluster ids). Every loaded filter runs over every
// route. Besides "no crash, hang or sanitizer report" it checks: run() never changes the
// caller's attributes (copy-on-write), only accepted routes carry modified attributes, and a
// second run of the same route gives the same outcome (no state left behind between runs).
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/policy/filter.hpp"

using namespace nvabgpd;

namespace {

constexpr std::string_view kSplit = "\n%%\n";

std::uint32_t asn(FuzzedDataProvider& in) {
  // Mostly ASNs that filters name (the seed's, private, AS_TRANS), sometimes anything.
  static constexpr std::uint32_t kUsual[] = {0,     1,     2,     23456,  64512, 65001,
                                             65002, 65515, 12076, 133937, 65535, 4200000000U};
  if (in.ConsumeBool()) return in.ConsumeIntegral<std::uint32_t>();
  return in.PickValueInArray(kUsual);
}

std::uint32_t small_or_any(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint32_t>(0, 300)
                          : in.ConsumeIntegral<std::uint32_t>();
}

struct Route {
  base::Prefix net;
  wire::PathAttributes attrs;
  base::IpAddress from;
  std::string proto;
};

Route make_route(FuzzedDataProvider& in) {
  Route r;
  const bool v6 = in.ConsumeBool();
  if (v6) {
    std::array<std::uint8_t, 16> b{};
    b[0] = 0x20;
    b[1] = 0x01;
    for (std::size_t i = 2; i < 8; ++i) b[i] = in.ConsumeIntegral<std::uint8_t>();
    r.net = base::Prefix::make(base::IpAddress::v6(b), in.ConsumeIntegralInRange<unsigned>(0, 128));
    r.from = base::IpAddress::v6(b);
  } else {
    const std::uint32_t a = in.ConsumeIntegral<std::uint32_t>();
    r.net = base::Prefix::make(base::IpAddress::v4(a), in.ConsumeIntegralInRange<unsigned>(0, 32));
    r.from = base::IpAddress::v4(0x0A010304);
  }
  auto& at = r.attrs;
  at.origin = static_cast<wire::Origin>(in.ConsumeIntegralInRange<int>(0, 2));
  const int segs = in.ConsumeIntegralInRange<int>(0, 4);
  for (int s = 0; s < segs; ++s) {
    wire::AsSegment seg;
    seg.type = in.ConsumeIntegralInRange<int>(0, 3) == 0 ? wire::SegmentType::Set
                                                         : wire::SegmentType::Sequence;
    const int n = in.ConsumeIntegralInRange<int>(1, 6);
    for (int k = 0; k < n; ++k) seg.asns.push_back(asn(in));
    at.as_path.segments.push_back(std::move(seg));
  }
  if (in.ConsumeBool()) at.med = small_or_any(in);
  if (in.ConsumeBool()) at.local_pref = small_or_any(in);
  if (in.ConsumeBool())
    at.next_hop = v6 ? r.from : base::IpAddress::v4(in.ConsumeIntegral<std::uint32_t>());
  at.atomic_aggregate = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  for (int n = in.ConsumeIntegralInRange<int>(0, 5); n > 0; --n) {
    at.communities.push_back(
        in.ConsumeBool()
            ? wire::Community::of(65535, 65281 + in.ConsumeIntegralInRange<std::uint16_t>(0, 3))
            : wire::Community{in.ConsumeIntegral<std::uint32_t>()});
  }
  for (int n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) {
    at.ext_communities.push_back(wire::ExtCommunity{in.ConsumeIntegral<std::uint64_t>()});
  }
  for (int n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) {
    at.large_communities.push_back({asn(in), small_or_any(in), small_or_any(in)});
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
    at.originator_id = in.ConsumeIntegral<std::uint32_t>();
  for (int n = in.ConsumeIntegralInRange<int>(0, 2); n > 0; --n)
    at.cluster_list.push_back(in.ConsumeIntegral<std::uint32_t>());
  r.proto = in.ConsumeBool() ? "rs1" : in.ConsumeRandomLengthString(8);
  return r;
}

bool same(const policy::Outcome& a, const policy::Outcome& b) {
  return a.why == b.why && a.modified == b.modified && a.preference == b.preference &&
         a.error == b.error && a.where.to_string() == b.where.to_string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t split = all.find(kSplit);
  const std::string_view text = all.substr(0, split);
  const std::string_view rest =
      split == std::string_view::npos ? std::string_view{} : all.substr(split + kSplit.size());

  std::vector<policy::SourceFile> files{{"fuzz.conf", std::string(text)}};
  auto prog = policy::load(files);
  if (!prog) return 0;

  FuzzedDataProvider in(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size());
  std::vector<Route> routes;
  do {
    routes.push_back(make_route(in));
  } while (in.remaining_bytes() > 0 && routes.size() < 8);

  policy::PrintSink sink = [](std::string_view, bool) {};
  for (const auto& name : prog->filter_names()) {
    const policy::Filter* f = prog->find_filter(name);
    for (const Route& r : routes) {
      const wire::PathAttributes before = r.attrs;
      policy::RouteView v;
      v.net = r.net;
      v.attrs = &r.attrs;
      v.from = r.from;
      v.gw = r.from;
      v.proto = r.proto;
      v.ifname = "eth0";
      const policy::Outcome o = prog->run(*f, v, &sink);
      if (!(r.attrs == before)) std::abort();         // the caller's attributes are read-only
      if (!o.accepted() && o.modified) std::abort();  // only accepted routes carry changes
      if (!same(o, prog->run(*f, v, nullptr))) std::abort();  // deterministic, no state kept
    }
  }
  return 0;
}
