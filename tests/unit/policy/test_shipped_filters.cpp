// Every shipped filter file loads and behaves as the seed story needs.
#include <filesystem>

#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {
Program load_shipped(const char* name) {
  std::vector<std::string> paths{std::string(NVABGPD_POLICY_FILTERS_DIR) + "/" + name};
  auto r = load_paths(paths);
  if (!r) {
    for (const auto& d : r.error()) UNSCOPED_INFO(d.to_string());
    FAIL("shipped filter did not load");
  }
  return std::move(r).value();
}
Outcome run(const Program& p, const char* filter, const char* net, const wire::PathAttributes& a) {
  RouteView r;
  r.net = pfx(net);
  r.attrs = &a;
  const Filter* f = p.find_filter(filter);
  REQUIRE(f != nullptr);
  return p.run(*f, r);
}
}  // namespace

TEST_CASE("every shipped filter file loads") {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(NVABGPD_POLICY_FILTERS_DIR)) {
    if (e.path().extension() != ".conf") continue;
    std::vector<std::string> paths{e.path().string()};
    auto r = load_paths(paths);
    INFO(e.path().string());
    if (!r) UNSCOPED_INFO(r.error().front().to_string());
    CHECK(r);
    ++n;
  }
  CHECK(n >= 3);
}

TEST_CASE("NVA1 TO_RS: 10.1.0.0/16 gets NO_ADVERTISE, /30s rejected, rest accepted untouched") {
  auto p = load_shipped("nva1_to_rs.conf");
  wire::PathAttributes a;
  a.as_path = seq({65001});
  auto o = run(p, "TO_RS", "10.1.0.0/16", a);
  REQUIRE(o.accepted());
  REQUIRE(o.modified.has_value());
  CHECK(o.modified->communities == std::vector<wire::Community>{wire::kNoAdvertise});
  CHECK(o.where.line == 10);
  auto lng = run(p, "TO_RS", "169.254.1.88/30", a);
  CHECK(lng.why == Outcome::Why::Reject);
  CHECK(lng.where.line == 6);
  auto other = run(p, "TO_RS", "10.2.0.0/16", a);
  CHECK(other.accepted());
  CHECK_FALSE(other.modified.has_value());
  CHECK(run(p, "TO_RS", "10.1.0.0/20", a).accepted());
}

TEST_CASE("NVA2 TO_RS: 1.2.3.0/24 leaves without 65515, others keep their path") {
  auto p = load_shipped("nva2_to_rs.conf");
  wire::PathAttributes a;
  a.as_path = seq({65001, 65515, 12076, 133937});
  auto o = run(p, "TO_RS", "1.2.3.0/24", a);
  REQUIRE(o.accepted());
  REQUIRE(o.modified.has_value());
  CHECK(o.modified->as_path == seq({65001, 12076, 133937}));
  auto other = run(p, "TO_RS", "10.1.0.0/16", a);
  CHECK(other.accepted());
  CHECK_FALSE(other.modified.has_value());
  CHECK(run(p, "TO_RS", "169.254.1.92/30", a).why == Outcome::Why::Reject);
}

TEST_CASE("ARS-safe export filter") {
  auto p = load_shipped("ars_safe_export.conf");
  wire::PathAttributes a;
  a.as_path = seq({65001, 65515, 12076, 133937});
  a.med = 50;
  auto o = run(p, "ARS_SAFE_EXPORT", "1.2.3.0/24", a);
  REQUIRE(o.accepted());
  CHECK(o.modified->as_path == seq({65001, 12076, 133937}));
  CHECK_FALSE(o.modified->med.has_value());
  CHECK(run(p, "ARS_SAFE_EXPORT", "10.1.3.0/30", a).why == Outcome::Why::Reject);
  CHECK(run(p, "ARS_SAFE_EXPORT", "2001:db8::1/128", a).why == Outcome::Why::Reject);
  CHECK(run(p, "ARS_SAFE_EXPORT", "0.0.0.0/0", a).why == Outcome::Why::Reject);
  CHECK(run(p, "ARS_SAFE_EXPORT", "169.254.0.0/24", a).why == Outcome::Why::Reject);
  wire::PathAttributes d = a;
  d.communities = {wire::Community::of(65000, 0)};
  CHECK(run(p, "ARS_SAFE_EXPORT", "0.0.0.0/0", d).accepted());
  wire::PathAttributes clean;
  clean.as_path = seq({65001, 65002});
  auto c = run(p, "ARS_SAFE_EXPORT", "10.2.0.0/16", clean);
  CHECK(c.accepted());
}
