// ROUTE-REFRESH answers are bounded (issue 18): repeated requests merge into one pending
// re-send per peer, a peer whose write queue is full gets no further dump until it drains, and
// a re-send covers only the families asked for.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kIn = 1, kOut = 2;

// n distinct /32s from 20.0.0.0 up.
std::vector<base::Prefix> hosts(std::uint32_t n) {
  std::vector<base::Prefix> v;
  for (std::uint32_t i = 0; i < n; ++i)
    v.push_back(base::Prefix::make(base::IpAddress::v4(0x14000000U + i), 32));
  return v;
}

struct Taken {
  std::size_t batches = 0;    // batches addressed to kOut
  std::size_t announced = 0;  // prefixes announced to kOut
  std::size_t eors = 0;
};

// One take_outbound() with kOut congested or not; counts what it would be sent (not replayed
// into a PeerView: before the fix this is millions of prefixes).
Taken take(Harness& h, bool out_congested) {
  while (h.rib.busy()) h.rib.run(100000);
  auto out = h.rib.take_outbound(h.now, [&](PeerId p) { return out_congested && p == kOut; });
  Taken t;
  for (const auto& b : out) {
    if (std::find(b.peers.begin(), b.peers.end(), kOut) == b.peers.end()) continue;
    ++t.batches;
    for (const auto& a : b.announce)
      if (a.except != kOut) t.announced += a.prefixes.size();
    t.eors += b.end_of_rib.size();
  }
  return t;
}

void two_peers_with_routes(Harness& h, std::uint32_t n) {
  h.up(peer(kIn, 65515, "10.1.0.4", 1));
  h.up(peer(kOut, 65002, "192.168.0.2", 2));
  h.in(announce(kIn, hosts(n), attrs({65515}, "10.1.0.4")));
  const auto initial = take(h, false);
  REQUIRE(initial.announced == n);
}

}  // namespace

TEST_CASE("1,000 ROUTE-REFRESH requests make one re-send", "[rib][refresh]") {
  Harness h;
  const std::uint32_t n = 10000;
  two_peers_with_routes(h, n);
  for (int i = 0; i < 1000; ++i) h.rib.refresh_request({kOut, wire::kIpv4Unicast});
  const auto t = take(h, false);
  CHECK(t.batches == 1);
  CHECK(t.announced == n);
  CHECK(t.eors == 1);
  CHECK(h.rib.counters(kOut)->refresh_requests == 1000);
  CHECK(h.rib.counters(kOut)->refresh_dumps == 1);
  // Nothing is left pending.
  CHECK(take(h, false).batches == 0);
}

TEST_CASE("a refresh for a congested peer waits, once, until it drains", "[rib][refresh][flow]") {
  Harness h;
  const std::uint32_t n = 10000;
  two_peers_with_routes(h, n);
  // The peer asks while its write queue is full, and keeps asking: no dump is queued behind
  // the full queue, however many takes run meanwhile.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 20; ++i) h.rib.refresh_request({kOut, wire::kIpv4Unicast});
    const auto t = take(h, true);
    CHECK(t.batches == 0);
  }
  CHECK(h.rib.counters(kOut)->refresh_dumps == 0);
  // Drained: the one pending request is served.
  const auto t = take(h, false);
  CHECK(t.batches == 1);
  CHECK(t.announced == n);
  CHECK(t.eors == 1);
  CHECK(take(h, false).batches == 0);
  CHECK(h.rib.counters(kOut)->refresh_dumps == 1);
}

TEST_CASE("a pending refresh waits for its peer only, not for the group's changes",
          "[rib][refresh][flow]") {
  Harness h;
  two_peers_with_routes(h, 100);
  h.rib.refresh_request({kOut, wire::kIpv4Unicast});
  CHECK(take(h, true).batches == 0);
  // kIn shares the update group and is not congested: group changes still go out to both
  // (a slow member never stalls the group), only the re-send waits.
  h.in(announce(kIn, {pfx("30.0.0.0/24")}, attrs({65515}, "10.1.0.4")));
  auto t = take(h, true);
  CHECK(t.announced == 1);
  CHECK(t.eors == 0);
  // Drained: the re-send of all 101 routes and End-of-RIB.
  t = take(h, false);
  CHECK(t.announced == 101);
  CHECK(t.eors == 1);
  CHECK(h.rib.counters(kOut)->refresh_dumps == 1);
}

TEST_CASE("a refresh re-sends the families asked for; others are ignored", "[rib][refresh]") {
  Harness h;
  auto in = peer(kIn, 65515, "10.1.0.4", 1);
  in.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  auto out = peer(kOut, 65002, "192.168.0.2", 2);
  out.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  h.up(in);
  h.up(out);
  h.in(announce(kIn, hosts(30), attrs({65515}, "10.1.0.4")));
  rib::UpdateIn v6;
  v6.peer = kIn;
  v6.update.has_attributes = true;
  v6.update.attrs = attrs({65515}, "10.1.0.4");
  v6.update.mp_reach = wire::MpReach{wire::kIpv6Unicast,
                                     ip("2001:db8::4"),
                                     std::nullopt,
                                     {pfx("2001:db8:1::/48"), pfx("2001:db8:2::/48")}};
  h.in(v6);
  REQUIRE(take(h, false).announced == 32);

  for (int i = 0; i < 5; ++i) h.rib.refresh_request({kOut, wire::kIpv6Unicast});
  auto t = take(h, false);
  CHECK(t.batches == 1);
  CHECK(t.announced == 2);
  CHECK(t.eors == 1);

  h.rib.refresh_request({kOut, wire::kIpv6Unicast});
  h.rib.refresh_request({kOut, wire::kIpv4Unicast});
  t = take(h, false);
  CHECK(t.batches == 1);
  CHECK(t.announced == 32);
  CHECK(t.eors == 2);

  // A family the session did not negotiate: ignored (RFC 2918 3).
  Harness v4only;
  two_peers_with_routes(v4only, 10);
  v4only.rib.refresh_request({kOut, wire::kIpv6Unicast});
  CHECK(take(v4only, false).batches == 0);
}
