// Import side: Adj-RIB-In, best path, loops, next-hop resolution, FIB deltas, limits.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {
const rib::PathView* best_of(const std::vector<rib::PathView>& v) {
  for (const auto& p : v)
    if (p.best) return &p;
  return nullptr;
}
}  // namespace

TEST_CASE("best path, ECMP and FIB deltas", "[rib][import]") {
  auto cfg = config();
  cfg.decision.max_paths = 4;
  Harness h(cfg);
  h.up(peer(1, 65515, "10.1.0.4", 0x0A010004));
  h.up(peer(2, 65515, "10.1.0.5", 0x0A010005));
  h.in(announce(1, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.fib.size() == 1);
  CHECK(h.fib[0].next_hops == std::vector<base::IpAddress>{ip("10.1.0.4")});
  h.in(announce(2, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.5")));
  h.settle();
  REQUIRE(h.fib.size() == 2);
  CHECK(h.fib[1].next_hops == std::vector<base::IpAddress>{ip("10.1.0.4"), ip("10.1.0.5")});
  auto routes = h.rib.routes(pfx("10.1.16.0/24"));
  REQUIRE(routes.size() == 2);
  CHECK(best_of(routes)->peer == 1);
  CHECK(routes[1].ecmp);
  CHECK(routes[1].step == rib::DecisionStep::RouterId);
  // A longer path from peer 2 leaves the ECMP set.
  h.in(announce(2, {pfx("10.1.16.0/24")}, attrs({65515, 65515}, "10.1.0.5")));
  h.settle();
  REQUIRE(h.fib.size() == 3);
  CHECK(h.fib[2].next_hops == std::vector<base::IpAddress>{ip("10.1.0.4")});
  // Withdraw both: the FIB route goes, the prefix leaves the table.
  h.in(withdraw(1, {pfx("10.1.16.0/24")}));
  h.in(withdraw(2, {pfx("10.1.16.0/24")}));
  h.settle();
  REQUIRE(h.fib.size() == 4);
  CHECK(h.fib[3].next_hops.empty());
  CHECK(h.rib.prefix_count() == 0);
}

TEST_CASE("unresolvable next hop is ineligible until the resolver says otherwise",
          "[rib][import]") {
  Harness h;
  h.resolver.set(ip("10.9.9.9"), false);
  h.resolver.set(ip("10.1.0.4"), true, 10);
  h.up(peer(1, 65515, "10.1.0.4", 1));
  h.up(peer(2, 65002, "10.2.0.4", 2));
  h.in(announce(2, {pfx("1.2.3.0/24")}, attrs({65002}, "10.9.9.9")));  // shorter but unreachable
  h.in(announce(1, {pfx("1.2.3.0/24")}, attrs({65515, 12076}, "10.1.0.4")));
  h.settle();
  auto routes = h.rib.routes(pfx("1.2.3.0/24"));
  REQUIRE(best_of(routes));
  CHECK(best_of(routes)->peer == 1);
  // The FIB gets the BGP next hop (it resolves recursive next hops itself, fib.hpp).
  REQUIRE(h.fib.size() == 1);
  CHECK(h.fib[0].next_hops == std::vector<base::IpAddress>{ip("10.1.0.4")});
  auto ex = h.rib.explain(pfx("1.2.3.0/24"));
  bool saw_unreachable = false;
  for (const auto& p : ex.paths)
    if (p.peer == 2) saw_unreachable = p.ineligible == "next hop unreachable";
  CHECK(saw_unreachable);

  h.resolver.set(ip("10.9.9.9"), true);
  const std::vector<base::IpAddress> changed{ip("10.9.9.9")};
  h.rib.next_hops_changed(changed);
  h.settle();
  CHECK(best_of(h.rib.routes(pfx("1.2.3.0/24")))->peer == 2);
  CHECK(h.fib.back().next_hops == std::vector<base::IpAddress>{ip("10.9.9.9")});
}

TEST_CASE("own ASN in AS_PATH: kept but not used unless allowas-in", "[rib][import]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  h.up(p);
  h.in(announce(1, {pfx("10.2.0.0/16")}, attrs({65515, 65001, 65002}, "10.1.0.4")));
  h.settle();
  auto r = h.rib.routes(pfx("10.2.0.0/16"));
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].best);
  CHECK(r[0].ineligible.find("our ASN") != std::string::npos);
  CHECK(h.fib.empty());

  p.allowas_in = 1;
  h.up(p);  // reconfigured session
  h.in(announce(1, {pfx("10.2.0.0/16")}, attrs({65515, 65001, 65002}, "10.1.0.4")));
  h.settle();
  CHECK(h.rib.routes(pfx("10.2.0.0/16"))[0].best);
  // Twice is more than allowas-in 1.
  h.in(announce(1, {pfx("10.2.0.0/16")}, attrs({65515, 65001, 65001, 65002}, "10.1.0.4")));
  h.settle();
  CHECK_FALSE(h.rib.routes(pfx("10.2.0.0/16"))[0].best);
}

TEST_CASE("route reflection checks on receipt", "[rib][import][rr]") {
  auto cfg = config();
  cfg.cluster_id = 0x0A0A0A0A;
  Harness h(cfg);
  auto client = peer(1, 65001, "10.0.0.2", 2);
  client.rr_client = true;
  h.up(client);
  h.up(peer(2, 65001, "10.0.0.3", 3));  // a non-client iBGP peer
  auto a = attrs({}, "10.0.0.2");
  a.originator_id = cfg.router_id;
  h.in(announce(1, {pfx("10.50.0.0/24")}, a));
  h.in(announce(2, {pfx("10.52.0.0/24")}, a));
  auto b = attrs({}, "10.0.0.2");
  b.originator_id = 7;
  b.cluster_list = {0x0B0B0B0B, 0x0A0A0A0A};
  h.in(announce(1, {pfx("10.51.0.0/24")}, b));
  b.next_hop = ip("10.0.0.3");
  h.in(announce(2, {pfx("10.53.0.0/24")}, b));
  h.settle();
  CHECK(h.rib.routes(pfx("10.50.0.0/24"))[0].ineligible == "ORIGINATOR_ID is our router id");
  CHECK(h.rib.routes(pfx("10.52.0.0/24"))[0].ineligible == "ORIGINATOR_ID is our router id");
  CHECK(h.rib.routes(pfx("10.51.0.0/24"))[0].ineligible == "CLUSTER_LIST contains our cluster id");
  // From a non-client BIRD 2 does not check the CLUSTER_LIST: neither do we.
  CHECK(h.rib.routes(pfx("10.53.0.0/24"))[0].best);
  REQUIRE(h.fib.size() == 1);
  CHECK(h.fib[0].prefix == pfx("10.53.0.0/24"));
}

TEST_CASE("LOCAL_PREF from an eBGP peer is ignored", "[rib][import]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  auto a = attrs({65515}, "10.1.0.4");
  a.local_pref = 1000;
  h.in(announce(1, {pfx("10.1.0.0/20")}, a));
  h.settle();
  CHECK_FALSE(h.rib.routes(pfx("10.1.0.0/20"))[0].attrs->local_pref());
}

TEST_CASE("import filter: rejected routes cost nothing, modified ones are interned",
          "[rib][import]") {
  struct NoLong final : rib::RouteFilter {
    std::string name() const override { return "NO_LONG"; }
    rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      if (p.len() >= 30) return {false, std::nullopt, "prefix length >= 30"};
      auto m = a;
      m.local_pref = 250;
      return {true, m, {}};
    }
  };
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.import_filter = std::make_shared<NoLong>();
  p.soft_reconfig_in = true;
  h.up(p);
  h.in(announce(1, {pfx("10.1.1.0/30"), pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.rib.routes(pfx("10.1.1.0/30")).empty());
  CHECK(h.rib.routes(pfx("10.1.16.0/24"))[0].attrs->local_pref() == 250U);
  auto ex = h.rib.explain(pfx("10.1.1.0/30"));
  REQUIRE(ex.filtered.size() == 1);
  CHECK(ex.filtered[0].second == "rejected by import filter NO_LONG: prefix length >= 30");
  CHECK(h.rib.counters(1)->filtered == 1);
  CHECK(h.rib.counters(1)->accepted == 1);

  // Policy change with a pre-policy copy: re-import without asking the peer.
  h.rib.reimport(1, rib::accept_all());
  h.settle();
  CHECK(h.rib.routes(pfx("10.1.1.0/30")).size() == 1);
  CHECK(h.rib.routes(pfx("10.1.16.0/24"))[0].attrs->local_pref() == 100U);  // eBGP default
  CHECK(h.events_of(rib::RibEvent::Kind::SendRouteRefresh) == 0);
}

TEST_CASE("import filter: a next hop of the other family keeps the received one, as in BIRD",
          "[rib][import]") {
  // BIRD resolves the gateway before the import filter; an IPv6 bgp_next_hop set on an IPv4
  // route leaves it, and the route is still used and announced with the received next hop.
  struct V6NextHop final : rib::RouteFilter {
    std::string name() const override { return "V6_NH"; }
    rib::FilterResult run(const base::Prefix&, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      auto m = a;
      m.next_hop = ip("2001:db8::1");
      m.med = 7;
      return {true, m, {}};
    }
  };
  Harness h;
  h.resolver.set(ip("2001:db8::1"), false);
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.import_filter = std::make_shared<V6NextHop>();
  h.up(p);
  h.in(announce(1, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  auto routes = h.rib.routes(pfx("10.1.16.0/24"));
  const rib::PathView* best = best_of(routes);
  REQUIRE(best != nullptr);
  const rib::AttrSet* a = best->attrs.get();
  REQUIRE(a != nullptr);
  REQUIRE(a->next_hop() != nullptr);
  CHECK(a->next_hop()->address() == ip("10.1.0.4"));
  CHECK(a->med() == 7U);
}

TEST_CASE("reimport without a pre-policy copy asks for a route refresh", "[rib][import]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  h.rib.reimport(1, rib::reject_all());
  h.settle();
  CHECK(h.events_of(rib::RibEvent::Kind::SendRouteRefresh) == 1);
}

TEST_CASE("import limit: warn, block, restart", "[rib][import][limit]") {
  for (auto action : {rib::LimitAction::Warn, rib::LimitAction::Block, rib::LimitAction::Restart}) {
    Harness h;
    auto p = peer(1, 65515, "10.1.0.4", 1);
    p.import_limit = {2, action, std::chrono::seconds(30)};
    h.up(p);
    h.in(announce(1, {pfx("10.0.1.0/24"), pfx("10.0.2.0/24"), pfx("10.0.3.0/24")},
                  attrs({65515}, "10.1.0.4")));
    // Updating a route already held is not a new route.
    h.in(announce(1, {pfx("10.0.1.0/24")}, attrs({65515, 1}, "10.1.0.4")));
    h.settle();
    if (action == rib::LimitAction::Warn) {
      CHECK(h.rib.prefix_count() == 3);
      CHECK(h.events_of(rib::RibEvent::Kind::ImportLimitReached) == 1);
    } else if (action == rib::LimitAction::Block) {
      CHECK(h.rib.prefix_count() == 2);
      CHECK(h.rib.counters(1)->limit_blocked == 1);
      CHECK(h.rib.routes(pfx("10.0.1.0/24"))[0].attrs->as_path().length() == 2);
    } else {
      REQUIRE(h.events_of(rib::RibEvent::Kind::ImportLimitRestart) == 1);
      CHECK(h.events[0].after == std::chrono::seconds(30));
    }
  }
}

TEST_CASE("MP_REACH / MP_UNREACH IPv6 routes", "[rib][import]") {
  auto cfg = config();
  Harness h(cfg);
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  h.up(p);
  rib::UpdateIn u;
  u.peer = 1;
  u.update.has_attributes = true;
  u.update.attrs = attrs({65515}, "10.1.0.4");
  u.update.attrs.next_hop.reset();
  u.update.mp_reach = wire::MpReach{
      wire::kIpv6Unicast, ip("2001:db8::4"), std::nullopt, {pfx("2001:db8:100::/48")}};
  h.in(u);
  h.settle();
  auto r = h.rib.routes(pfx("2001:db8:100::/48"));
  REQUIRE(r.size() == 1);
  CHECK(r[0].best);
  CHECK(r[0].attrs->next_hop()->address() == ip("2001:db8::4"));
  rib::UpdateIn w;
  w.peer = 1;
  w.update.mp_unreach = wire::MpUnreach{wire::kIpv6Unicast, {pfx("2001:db8:100::/48")}};
  h.in(w);
  h.settle();
  CHECK(h.rib.routes(pfx("2001:db8:100::/48")).empty());
}
