// What the import filter sees (issue 12): the loop checks run on the path as received, before
// the filter, and a route gets its default LOCAL_PREF before the filter, as in BIRD 2.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

// Records what it saw; prepends our ASN (65001) and copies LOCAL_PREF into MED, like
// `bgp_path.prepend(65001); bgp_med = bgp_local_pref; accept;` (void LOCAL_PREF rejects).
struct PrependOwn final : rib::RouteFilter {
  mutable std::vector<std::pair<base::Prefix, std::optional<std::uint32_t>>> seen;
  std::string name() const override { return "PREPEND_OWN"; }
  rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                        const rib::FilterContext&) const override {
    seen.emplace_back(p, a.local_pref);
    if (!a.local_pref) return {false, std::nullopt, "runtime error: bgp_local_pref is void"};
    auto m = a;
    std::vector<std::uint32_t> asns{65001};  // the tests' paths are one AS_SEQUENCE
    for (const auto& seg : a.as_path.segments)
      asns.insert(asns.end(), seg.asns.begin(), seg.asns.end());
    m.as_path = path(std::move(asns));
    m.med = *a.local_pref;
    return {true, m, {}};
  }
};

}  // namespace

TEST_CASE("an import filter that prepends our own ASN does not make the route a loop",
          "[rib][import][issue12]") {
  Harness h;
  auto f = std::make_shared<PrependOwn>();
  auto up = peer(1, 65515, "10.1.0.4", 1);
  up.import_filter = f;
  h.up(up);
  h.up(peer(2, 65002, "10.2.0.4", 2));  // downstream eBGP
  std::vector<base::Prefix> nlri;
  for (int i = 0; i < 200; ++i)
    nlri.push_back(pfx(("10.100." + std::to_string(i) + ".0/24").c_str()));
  h.in(announce(1, nlri, attrs({65515, 65010}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.views[2].routes.size() == 200);
  const auto& sent = h.sent(2, "10.100.7.0/24");
  CHECK(sent.as_path == path({65001, 65001, 65515, 65010}));
  auto r = h.rib.routes(pfx("10.100.7.0/24"));
  REQUIRE(r.size() == 1);
  CHECK(r[0].best);
  CHECK(r[0].ineligible.empty());
  CHECK(h.rib.counters(1)->loops == 0);
  CHECK(h.fib.size() == 200);
}

TEST_CASE("a received path with our ASN is a loop before the import filter runs",
          "[rib][import][issue12]") {
  Harness h;
  auto f = std::make_shared<PrependOwn>();
  auto up = peer(1, 65515, "10.1.0.4", 1);
  up.import_filter = f;
  h.up(up);
  h.up(peer(2, 65002, "10.2.0.4", 2));
  h.in(announce(1, {pfx("10.7.0.0/24")}, attrs({65515, 65001}, "10.1.0.4")));
  h.in(announce(1, {pfx("10.8.0.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  // The looping route never reached the filter; it is kept as received, ineligible.
  REQUIRE(f->seen.size() == 1);
  CHECK(f->seen[0].first == pfx("10.8.0.0/24"));
  auto r = h.rib.routes(pfx("10.7.0.0/24"));
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].best);
  CHECK(r[0].ineligible == "AS_PATH contains our ASN (more often than allowas-in)");
  CHECK(r[0].attrs->as_path().length() == 2);
  CHECK_FALSE(h.has(2, "10.7.0.0/24"));
  CHECK(h.has(2, "10.8.0.0/24"));
  CHECK(h.rib.counters(1)->loops == 1);
}

TEST_CASE("LOCAL_PREF before the import filter: eBGP default, per-peer default, iBGP",
          "[rib][import][issue12]") {
  Harness h;
  auto f = std::make_shared<PrependOwn>();
  auto e = peer(1, 65515, "10.1.0.4", 1);
  e.import_filter = f;
  h.up(e);
  auto e2 = peer(3, 65516, "10.1.0.6", 3);
  e2.default_local_pref = 200;
  h.up(e2);
  auto i = peer(4, 65001, "10.0.0.4", 4);  // iBGP
  h.up(i);
  h.up(peer(2, 65002, "10.2.0.4", 2));  // downstream eBGP
  auto ibgp_down = peer(5, 65001, "10.0.0.5", 5);
  ibgp_down.rr_client = true;  // so that iBGP-learned routes are reflected to it too
  h.up(ibgp_down);

  h.in(announce(1, {pfx("10.11.0.0/24")}, attrs({65515}, "10.1.0.4")));
  auto sent_lp = attrs({65515}, "10.1.0.4");
  sent_lp.local_pref = 300;  // not taken from eBGP, and then no default (as BIRD)
  h.in(announce(1, {pfx("10.12.0.0/24")}, sent_lp));
  h.in(announce(3, {pfx("10.13.0.0/24")}, attrs({65516}, "10.1.0.6")));
  h.in(announce(4, {pfx("10.14.0.0/24")}, attrs({}, "10.0.0.4")));
  auto ilp = attrs({}, "10.0.0.4");
  ilp.local_pref = 50;
  h.in(announce(4, {pfx("10.15.0.0/24")}, ilp));
  h.settle();

  // The filter saw LOCAL_PREF 100 and could copy it into MED; the route that carried a
  // LOCAL_PREF over eBGP has none, so the filter's assignment rejected it.
  REQUIRE(f->seen.size() == 2);
  CHECK(f->seen[0].second == 100U);
  CHECK_FALSE(f->seen[1].second);
  CHECK(h.rib.routes(pfx("10.12.0.0/24")).empty());
  auto lp = [&](const char* p) { return h.rib.routes(pfx(p))[0].attrs->local_pref(); };
  CHECK(lp("10.11.0.0/24") == 100U);
  CHECK(h.rib.routes(pfx("10.11.0.0/24"))[0].attrs->med() == 100U);
  CHECK(lp("10.13.0.0/24") == 200U);
  CHECK(lp("10.14.0.0/24") == 100U);
  CHECK(lp("10.15.0.0/24") == 50U);
  // iBGP peers receive it; eBGP peers never do.
  CHECK(h.sent(5, "10.11.0.0/24").local_pref == 100U);
  CHECK(h.sent(5, "10.11.0.0/24").med == 100U);
  CHECK(h.sent(5, "10.13.0.0/24").local_pref == 200U);
  CHECK(h.sent(5, "10.15.0.0/24").local_pref == 50U);
  CHECK_FALSE(h.sent(2, "10.11.0.0/24").local_pref);
  // The decision process: 200 beats 100 for the same prefix.
  h.in(announce(1, {pfx("10.13.0.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  auto r = h.rib.routes(pfx("10.13.0.0/24"));
  REQUIRE(r.size() == 2);
  CHECK(r[0].peer == 3);
  CHECK(r[1].step == rib::DecisionStep::LocalPref);
}

TEST_CASE("an export filter toward an eBGP peer sees the default LOCAL_PREF",
          "[rib][export][issue12]") {
  struct MedFromLp final : rib::RouteFilter {
    std::string name() const override { return "MED_FROM_LP"; }
    rib::FilterResult run(const base::Prefix&, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      if (!a.local_pref) return {false, std::nullopt, "runtime error: bgp_local_pref is void"};
      auto m = a;
      m.med = *a.local_pref;
      return {true, m, {}};
    }
  };
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  auto down = peer(2, 65002, "10.2.0.4", 2);
  down.export_filter = std::make_shared<MedFromLp>();
  h.up(down);
  h.in(announce(1, {pfx("10.21.0.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.has(2, "10.21.0.0/24"));
  CHECK(h.sent(2, "10.21.0.0/24").med == 100U);  // set by our export filter: sent
  CHECK_FALSE(h.sent(2, "10.21.0.0/24").local_pref);
}

TEST_CASE("prepare_import is the preprocessing the filter test of the daemon runs",
          "[rib][import][issue12]") {
  Harness h;
  auto e = peer(1, 65515, "10.1.0.4", 1);
  wire::PathAttributes a = attrs({65515}, "10.1.0.4");
  a.originator_id = 9;
  a.cluster_list = {9};
  CHECK(h.rib.prepare_import(e, a) == 0);
  CHECK(a.local_pref == 100U);
  CHECK_FALSE(a.originator_id);
  CHECK(a.cluster_list.empty());
  wire::PathAttributes loop = attrs({65515, 65001}, "10.1.0.4");
  const auto flags = h.rib.prepare_import(e, loop);
  CHECK(rib::Rib::loop_reason(flags) == "AS_PATH contains our ASN (more often than allowas-in)");
  e.allowas_in = 1;
  wire::PathAttributes again = attrs({65515, 65001}, "10.1.0.4");
  CHECK(h.rib.prepare_import(e, again) == 0);
}
