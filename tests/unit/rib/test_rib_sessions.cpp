// Session-level behaviour: initial transfer + End-of-RIB, late joiners, route refresh, export
// limits (Azure Route Server semantics), graceful restart helper, MRAI.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

std::vector<base::Prefix> many(int n, int third_octet_base = 0) {
  std::vector<base::Prefix> v;
  for (int i = 0; i < n; ++i)
    v.push_back(base::Prefix::make(
        base::IpAddress::v4((10U << 24) | (static_cast<std::uint32_t>(third_octet_base + i) << 8)),
        24));
  return v;
}

}  // namespace

TEST_CASE("initial transfer ends with End-of-RIB; a late joiner gets a dump and End-of-RIB",
          "[rib][session]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  h.in(announce(1, many(50), attrs({65515}, "10.1.0.4")));
  h.settle();
  auto p2 = peer(2, 65002, "192.168.0.2", 2);
  p2.next_hop_unchanged = true;  // other export settings: its own update group, a fresh table walk
  h.up(p2);
  // Walk in small budgets: End-of-RIB only after the whole table went out.
  h.rib.run(10);
  for (auto& b : h.rib.take_outbound(h.now)) {
    CHECK(b.end_of_rib.empty());
    h.deliver(b);
  }
  h.settle();
  CHECK(h.views[2].routes.size() == 50);
  CHECK(h.views[2].eors == 1);
  const int sent_before = h.views[2].announcements;
  auto p3 = peer(3, 65003, "192.168.0.3", 3);
  p3.next_hop_unchanged = true;  // same settings as peer 2: joins its group
  h.up(p3);
  h.settle();
  CHECK(h.rib.group_of(3) == h.rib.group_of(2));
  CHECK(h.views[3].routes.size() == 50);
  CHECK(h.views[3].eors == 1);
  CHECK(h.views[2].announcements == sent_before);  // nothing re-sent to the old member
}

TEST_CASE("route refresh: full re-send, or End-of-RIB only for route-server peers",
          "[rib][session]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  auto normal = peer(2, 65002, "192.168.0.2", 2);
  h.up(normal);
  auto ars = peer(3, 65515, "10.1.0.5", 3);
  ars.resend_on_refresh = false;
  ars.export_limit = {1000, rib::LimitAction::Block, {}};
  h.up(ars);
  h.in(announce(1, many(20), attrs({65515, 7}, "10.1.0.4")));
  h.settle();
  const int to2 = h.views[2].announcements;
  const int to3 = h.views[3].announcements;
  CHECK(to2 == 20);
  CHECK(to3 == 20);
  h.rib.refresh_request({2, wire::kIpv4Unicast});
  h.rib.refresh_request({3, wire::kIpv4Unicast});
  h.settle();
  CHECK(h.views[2].announcements == 2 * to2);
  CHECK(h.views[2].eors == 2);
  CHECK(h.views[3].announcements == to3);  // never re-send an unchanged route
  CHECK(h.views[3].eors == 2);
  // Re-announcing an unchanged route upstream sends nothing downstream.
  h.in(announce(1, many(20), attrs({65515, 7}, "10.1.0.4")));
  h.settle();
  CHECK(h.views[3].announcements == to3);
}

TEST_CASE("export limit holds new routes back, reports once, and resumes below the limit",
          "[rib][session][limit]") {
  Harness h;
  h.up(peer(1, 65010, "10.0.0.10", 1));
  auto ars = peer(2, 65515, "10.1.0.4", 2);
  ars.export_limit = {10, rib::LimitAction::Block, {}};
  h.up(ars);
  h.in(announce(1, many(15), attrs({65010}, "10.0.0.10")));
  h.settle();
  CHECK(h.views[2].routes.size() == 10);
  CHECK(h.rib.adj_rib_out_size(2) == 10);
  CHECK(h.rib.counters(2)->advertised == 10);
  CHECK(h.events_of(rib::RibEvent::Kind::ExportLimitReached) == 1);
  CHECK(h.rib.counters(2)->export_blocked == 5);  // distinct routes held back
  // Attribute changes of routes already held still go out; still no new prefixes.
  h.in(announce(1, many(15), attrs({65010, 5}, "10.0.0.10")));
  h.settle();
  CHECK(h.views[2].routes.size() == 10);
  for (const auto& [p, a] : h.views[2].routes) CHECK(rib::AsPathData(a.as_path).length() == 3);
  CHECK(h.events_of(rib::RibEvent::Kind::ExportLimitReached) == 1);
  CHECK(h.rib.counters(2)->export_blocked == 5);  // the same five, not counted twice
  // Free two slots: two held-back routes go out.
  auto first = many(2);
  h.in(withdraw(1, first));
  h.settle();
  CHECK(h.views[2].routes.size() == 10);
  CHECK(h.events_of(rib::RibEvent::Kind::ExportLimitCleared) == 1);
  for (const auto& p : first) CHECK(h.views[2].routes.count(p) == 0);
}

TEST_CASE("graceful restart helper: stale routes kept until End-of-RIB", "[rib][session][gr]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.graceful_restart = true;
  p.restart_time = std::chrono::seconds(120);
  h.up(p);
  h.up(peer(2, 65002, "192.168.0.2", 2));
  h.in(announce(1, many(5), attrs({65515}, "10.1.0.4")));
  h.settle();
  const auto fib_before = h.fib.size();
  h.rib.peer_down({1, true}, h.now);
  h.settle();
  CHECK(h.views[2].routes.size() == 5);  // nothing withdrawn downstream
  CHECK(h.fib.size() == fib_before);     // nor from the kernel
  CHECK(h.rib.routes(many(1)[0])[0].stale);
  REQUIRE(h.rib.next_deadline());
  h.now += std::chrono::seconds(10);
  h.up(p);
  // The restarted peer re-sends three of the five, then End-of-RIB: the other two go.
  auto v = many(5);
  h.in(announce(1, {v[0], v[1], v[2]}, attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.views[2].routes.size() == 5);
  CHECK_FALSE(h.rib.routes(v[0])[0].stale);
  h.in(eor(1));
  h.settle();
  CHECK(h.views[2].routes.size() == 3);
  CHECK(h.events_of(rib::RibEvent::Kind::StaleSwept) == 1);
  CHECK_FALSE(h.rib.next_deadline());
}

TEST_CASE("graceful restart helper: End-of-RIB of one family sweeps only that family",
          "[rib][session][gr]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  p.graceful_restart = true;
  h.up(p);
  rib::UpdateIn v6;
  v6.peer = 1;
  v6.update.has_attributes = true;
  v6.update.attrs = attrs({65515}, "10.1.0.4");
  v6.update.attrs.next_hop.reset();
  v6.update.mp_reach = wire::MpReach{
      wire::kIpv6Unicast, ip("2001:db8::4"), std::nullopt, {pfx("2001:db8:100::/48")}};
  h.in(v6);
  h.in(announce(1, many(2), attrs({65515}, "10.1.0.4")));
  h.settle();
  h.rib.peer_down({1, true}, h.now);
  h.settle();
  h.up(p);
  // The peer re-sends its IPv4 routes and their End-of-RIB first: its IPv6 route, still stale
  // and not re-sent yet, must stay until the IPv6 End-of-RIB.
  h.in(announce(1, many(2), attrs({65515}, "10.1.0.4")));
  h.in(eor(1));
  h.settle();
  REQUIRE(h.rib.routes(pfx("2001:db8:100::/48")).size() == 1);
  CHECK(h.rib.routes(pfx("2001:db8:100::/48"))[0].stale);
  CHECK(h.rib.next_deadline());  // the IPv6 stale route still has its timer
  rib::UpdateIn eor6;
  eor6.peer = 1;
  eor6.update.mp_unreach = wire::MpUnreach{wire::kIpv6Unicast, {}};
  h.in(eor6);
  h.settle();
  CHECK(h.rib.routes(pfx("2001:db8:100::/48")).empty());
  CHECK(h.rib.prefix_count() == 2);
  CHECK_FALSE(h.rib.next_deadline());
}

TEST_CASE("graceful restart helper: restart timer sweeps when the peer does not return",
          "[rib][session][gr]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.graceful_restart = true;
  p.restart_time = std::chrono::seconds(60);
  h.up(p);
  h.in(announce(1, many(3), attrs({65515}, "10.1.0.4")));
  h.settle();
  h.rib.peer_down({1, true}, h.now);
  h.now += std::chrono::seconds(59);
  h.rib.tick(h.now);
  h.settle();
  CHECK(h.rib.prefix_count() == 3);
  h.now += std::chrono::seconds(1);
  h.rib.tick(h.now);
  h.settle();
  CHECK(h.rib.prefix_count() == 0);
  CHECK(h.fib.back().next_hops.empty());
}

TEST_CASE("non-graceful peer down withdraws everything", "[rib][session]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.graceful_restart = true;
  h.up(p);
  h.up(peer(2, 65002, "192.168.0.2", 2));
  h.in(announce(1, many(4), attrs({65515}, "10.1.0.4")));
  h.settle();
  h.rib.peer_down({1, true}, h.now);  // restarts: routes kept as stale
  h.up(p);
  h.settle();
  REQUIRE(h.rib.next_deadline());
  h.rib.peer_down({1, false}, h.now);  // e.g. NOTIFICATION sent: no helper mode
  h.settle();
  CHECK_FALSE(h.rib.next_deadline());
  CHECK(h.views[2].routes.empty());
  CHECK(h.rib.prefix_count() == 0);
  CHECK(h.rib.counters(1)->accepted == 0);
}

TEST_CASE("MRAI coalesces changes until the interval has passed", "[rib][session]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  auto slow = peer(2, 65002, "192.168.0.2", 2);
  slow.mrai = std::chrono::milliseconds(5000);
  h.up(slow);
  h.settle();  // initial End-of-RIB goes out and starts the interval
  h.in(announce(1, many(1), attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.views[2].routes.empty());
  h.in(announce(1, many(1), attrs({65515, 9}, "10.1.0.4")));
  h.settle();
  h.now += std::chrono::milliseconds(5000);
  h.settle();
  REQUIRE(h.views[2].routes.size() == 1);
  CHECK(h.views[2].announcements == 1);  // only the latest state
  CHECK(h.views[2].routes.begin()->second.as_path == path({65001, 65515, 9}));
}

TEST_CASE("a peer joining a group whose only member was the routes' source gets them all",
          "[rib][session]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  h.in(announce(1, many(30), attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.views[1].routes.empty());
  CHECK(h.rib.adj_rib_out_size(1) == 0);   // nothing stored for a group of the source alone
  h.up(peer(2, 65002, "192.168.0.2", 2));  // same export settings: same group
  REQUIRE(h.rib.group_of(1) == h.rib.group_of(2));
  h.settle();
  CHECK(h.views[2].routes.size() == 30);
  CHECK(h.views[2].eors == 1);
  CHECK(h.views[1].routes.empty());
  CHECK(h.views[1].withdrawals == 0);
}
