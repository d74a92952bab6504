// Enhanced Route Refresh as receiver (RFC 7313 4.2): BoRR marks a peer's routes of a family
// stale, routes re-sent before EoRR stay without a flap, EoRR (or its timer) removes the rest.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

std::vector<base::Prefix> nets(int n) {
  std::vector<base::Prefix> v;
  for (int i = 0; i < n; ++i)
    v.push_back(base::Prefix::make(
        base::IpAddress::v4((10U << 24) | (static_cast<std::uint32_t>(i) << 8)), 24));
  return v;
}

}  // namespace

TEST_CASE(
    "enhanced route refresh: EoRR removes the routes not re-sent since BoRR, the others never flap",
    "[rib][session][err]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  h.up(peer(2, 65002, "192.168.0.2", 2));
  const auto v = nets(1000);
  h.in(announce(1, v, attrs({65515}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.views[2].routes.size() == 1000);
  const auto fib_before = h.fib.size();
  const int ann_before = h.views[2].announcements;
  h.rib.refresh_marker(1, wire::kIpv4Unicast, true, h.now);  // BoRR
  h.settle();
  CHECK(h.rib.routes(v[0])[0].stale);
  CHECK(h.rib.next_deadline());
  // The peer re-sends 990 of them, unchanged: no withdraw, no re-announce, no FIB change.
  h.in(announce(1, std::vector<base::Prefix>(v.begin(), v.begin() + 990),
                attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK_FALSE(h.rib.routes(v[0])[0].stale);
  CHECK(h.rib.routes(v[995])[0].stale);
  CHECK(h.views[2].routes.size() == 1000);
  CHECK(h.views[2].withdrawals == 0);
  CHECK(h.views[2].announcements == ann_before);
  CHECK(h.fib.size() == fib_before);
  h.rib.refresh_marker(1, wire::kIpv4Unicast, false, h.now);  // EoRR
  h.settle();
  CHECK(h.views[2].routes.size() == 990);
  CHECK(h.views[2].withdrawals == 10);
  CHECK(h.views[2].announcements == ann_before);
  CHECK(h.fib.size() == fib_before + 10);  // ten removals, nothing else
  CHECK(h.rib.routes(v[995]).empty());
  CHECK(h.events_of(rib::RibEvent::Kind::StaleSwept) == 1);
  CHECK_FALSE(h.rib.next_deadline());
}

TEST_CASE("enhanced route refresh: without EoRR the stale routes go when the stale time passes",
          "[rib][session][err]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.stale_time = std::chrono::seconds(300);
  h.up(p);
  h.up(peer(2, 65002, "192.168.0.2", 2));
  const auto v = nets(100);
  h.in(announce(1, v, attrs({65515}, "10.1.0.4")));
  h.settle();
  h.rib.refresh_marker(1, wire::kIpv4Unicast, true, h.now);
  h.in(announce(1, std::vector<base::Prefix>(v.begin(), v.begin() + 60),
                attrs({65515}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.rib.next_deadline());
  CHECK(*h.rib.next_deadline() == h.now + std::chrono::seconds(300));
  h.now += std::chrono::seconds(299);
  h.rib.tick(h.now);
  h.settle();
  CHECK(h.views[2].routes.size() == 100);  // not yet
  h.now += std::chrono::seconds(1);
  h.rib.tick(h.now);
  h.settle();
  CHECK(h.views[2].routes.size() == 60);
  CHECK_FALSE(h.rib.next_deadline());
}

TEST_CASE("enhanced route refresh: BoRR/EoRR of one family leave the other family alone",
          "[rib][session][err]") {
  Harness h;
  auto p = peer(1, 65515, "10.1.0.4", 1);
  p.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  h.up(p);
  rib::UpdateIn v6;
  v6.peer = 1;
  v6.update.has_attributes = true;
  v6.update.attrs = attrs({65515}, "10.1.0.4");
  v6.update.attrs.next_hop.reset();
  v6.update.mp_reach = wire::MpReach{
      wire::kIpv6Unicast, ip("2001:db8::4"), std::nullopt, {pfx("2001:db8:100::/48")}};
  h.in(v6);
  h.in(announce(1, nets(3), attrs({65515}, "10.1.0.4")));
  h.settle();
  h.rib.refresh_marker(1, wire::kIpv4Unicast, true, h.now);
  CHECK_FALSE(h.rib.routes(pfx("2001:db8:100::/48"))[0].stale);
  h.rib.refresh_marker(1, wire::kIpv4Unicast, false, h.now);
  h.settle();
  CHECK(h.rib.routes(nets(1)[0]).empty());
  CHECK(h.rib.routes(pfx("2001:db8:100::/48")).size() == 1);
  // An EoRR without BoRR removes nothing (RFC 7313 4.2).
  h.rib.refresh_marker(1, wire::kIpv6Unicast, false, h.now);
  h.settle();
  CHECK(h.rib.routes(pfx("2001:db8:100::/48")).size() == 1);
}

TEST_CASE(
    "enhanced route refresh: a re-send is framed by BoRR/EoRR only for peers that negotiated it; "
    "never on "
    "the End-of-RIB-only answer",
    "[rib][session][err]") {
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 1));
  auto err = peer(2, 65002, "192.168.0.2", 2);
  err.enhanced_route_refresh = true;
  h.up(err);
  auto plain = peer(3, 65003, "192.168.0.3", 3);
  h.up(plain);
  auto ars = peer(4, 65515, "10.1.0.5", 4);
  ars.enhanced_route_refresh = true;
  ars.resend_on_refresh = false;
  h.up(ars);
  h.in(announce(1, nets(500), attrs({65515}, "10.1.0.4")));
  h.settle();
  // Merged: three requests, one framed re-send.
  for (int i = 0; i < 3; ++i) h.rib.refresh_request({2, wire::kIpv4Unicast});
  h.rib.refresh_request({3, wire::kIpv4Unicast});
  h.rib.refresh_request({4, wire::kIpv4Unicast});
  while (h.rib.busy()) h.rib.run(100000);
  int framed = 0, to_plain = 0, to_ars = 0;
  for (const auto& b : h.rib.take_outbound(h.now)) {
    const bool for2 = b.peers == std::vector<rib::PeerId>{2};
    if (b.peers == std::vector<rib::PeerId>{3}) {
      ++to_plain;
      CHECK(b.refresh_begin.empty());
      CHECK(b.refresh_end.empty());
    }
    if (b.peers == std::vector<rib::PeerId>{4}) {
      ++to_ars;
      CHECK(b.announce.empty());
      CHECK(b.refresh_begin.empty());  // an EoRR with nothing re-sent would purge all our routes
      CHECK(b.refresh_end.empty());
    }
    if (!for2) continue;
    ++framed;
    CHECK(b.refresh_begin == std::vector<wire::AfiSafi>{wire::kIpv4Unicast});
    CHECK(b.refresh_end == std::vector<wire::AfiSafi>{wire::kIpv4Unicast});
    std::size_t n = 0;
    for (const auto& a : b.announce) n += a.prefixes.size();
    CHECK(n == 500);
  }
  CHECK(framed == 1);
  CHECK(to_plain == 1);
  CHECK(to_ars == 1);
}
