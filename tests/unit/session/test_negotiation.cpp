// OPEN validation and capability negotiation; collision resolution.
#include <catch2/catch.hpp>

#include "nvabgpd/session/negotiation.hpp"

using namespace nvabgpd;
using namespace nvabgpd::session;
using namespace std::chrono_literals;

namespace {

OpenExpectation expect(std::uint32_t local_asn, std::uint32_t peer_asn) {
  OpenExpectation e;
  e.local_asn = local_asn;
  e.local_id = 0x0a010104;
  e.peer_asn = peer_asn;
  e.hold_time = 90s;
  return e;
}

wire::Open ours(std::uint32_t asn = 65001) {
  wire::Capabilities c;
  c.multiprotocol = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  c.route_refresh = true;
  c.enhanced_route_refresh = true;
  c.extended_message = true;
  return make_open(asn, 0x0a010104, 90s, c);
}

wire::Open theirs(std::uint32_t asn, std::uint16_t hold = 180) {
  wire::Capabilities c;
  c.multiprotocol = {wire::kIpv4Unicast};
  c.route_refresh = true;
  return make_open(asn, 0x0a010105, std::chrono::seconds(hold), c);
}

std::uint8_t subcode_of(const base::Result<Negotiated, wire::Notification>& r) {
  REQUIRE(!r.ok());
  CHECK(r.error().code == 2);
  return r.error().subcode;
}

}  // namespace

TEST_CASE("make_open puts AS_TRANS in the 2-octet field for 4-octet ASNs") {
  const auto o = make_open(4200000001u, 1, 90s, {});
  CHECK(o.my_as == wire::kAsTrans);
  CHECK(o.caps.four_octet_as == 4200000001u);
  CHECK(o.asn() == 4200000001u);
  const auto p = make_open(65001, 1, 70000s, {});
  CHECK(p.my_as == 65001);
  CHECK(p.hold_time == 0xffff);
}

TEST_CASE("a good OPEN negotiates min hold, common families and shared capabilities") {
  const auto r = negotiate(ours(), theirs(65515), expect(65001, 65515));
  REQUIRE(r.ok());
  CHECK(r->peer_asn == 65515);
  CHECK(r->peer_id == 0x0a010105);
  CHECK(r->hold_time == 90s);
  CHECK(r->keepalive == 30s);
  CHECK(r->four_octet_as);
  CHECK(r->route_refresh);
  CHECK_FALSE(r->enhanced_route_refresh);
  CHECK_FALSE(r->extended_message);
  CHECK(r->families == std::vector<wire::AfiSafi>{wire::kIpv4Unicast});
  CHECK(r->params() == wire::SessionParams{true, false});
  CHECK(r->ebgp(65001));
}

TEST_CASE("a configured keepalive is used, capped by a third of a shorter peer hold time") {
  auto ex = expect(65001, 65515);
  ex.hold_time = 90s;
  ex.keepalive = 10s;
  CHECK(negotiate(ours(), theirs(65515, 90), ex)->keepalive == 10s);
  // The peer proposes 9 s: keepalives must come at least every 3 s to keep its timer up.
  CHECK(negotiate(ours(), theirs(65515, 9), ex)->keepalive == 3s);
  ex.keepalive = 40s;  // more than a third of our hold (a warning in config): still used
  CHECK(negotiate(ours(), theirs(65515, 90), ex)->keepalive == 40s);
  ex.keepalive.reset();
  CHECK(negotiate(ours(), theirs(65515, 90), ex)->keepalive == 30s);
  CHECK(negotiate(ours(), theirs(65515, 3), ex)->keepalive == 1s);
  CHECK(keepalive_interval(0s, ex) == 0s);
}

TEST_CASE("hold time: 0 is accepted, 1 and 2 are Unacceptable Hold Time") {
  auto r0 = negotiate(ours(), theirs(65515, 0), expect(65001, 65515));
  REQUIRE(r0.ok());
  CHECK(r0->hold_time == 0s);
  CHECK(r0->keepalive == 0s);
  CHECK(subcode_of(negotiate(ours(), theirs(65515, 1), expect(65001, 65515))) == 6);
  CHECK(subcode_of(negotiate(ours(), theirs(65515, 2), expect(65001, 65515))) == 6);
  CHECK(negotiate(ours(), theirs(65515, 3), expect(65001, 65515))->hold_time == 3s);
  auto strict = expect(65001, 65515);
  strict.min_hold_time = 9s;
  CHECK(subcode_of(negotiate(ours(), theirs(65515, 6), strict)) == 6);
}

TEST_CASE("Bad Peer AS for a 2-octet and a 4-octet mismatch, with the OPEN's AS as data") {
  const auto r = negotiate(ours(), theirs(65002), expect(65001, 65515));
  CHECK(subcode_of(r) == 2);
  CHECK(r.error().data == std::vector<std::uint8_t>{0xfd, 0xea});
  CHECK(subcode_of(negotiate(ours(), theirs(4200000002u), expect(65001, 4200000001u))) == 2);
  CHECK(negotiate(ours(), theirs(4200000001u), expect(65001, 4200000001u)).ok());
}

TEST_CASE("a speaker without the 4-octet capability is its 2-octet AS; AS_TRANS alone is bad") {
  wire::Open old = theirs(65515);
  old.caps.four_octet_as.reset();
  auto r = negotiate(ours(), old, expect(65001, 65515));
  REQUIRE(r.ok());
  CHECK_FALSE(r->four_octet_as);
  CHECK(r->params().four_octet_as == false);
  old.my_as = wire::kAsTrans;
  CHECK(subcode_of(negotiate(ours(), old, expect(65001, 4200000001u))) == 2);
}

TEST_CASE("bad BGP identifier: zero, or our own from an internal peer") {
  wire::Open o = theirs(65001);
  o.bgp_id = 0;
  CHECK(subcode_of(negotiate(ours(), o, expect(65001, 65001))) == 3);
  o.bgp_id = 0x0a010104;
  CHECK(subcode_of(negotiate(ours(), o, expect(65001, 65001))) == 3);
  // RFC 6286: an external peer may share our identifier.
  wire::Open e = theirs(65515);
  e.bgp_id = 0x0a010104;
  CHECK(negotiate(ours(), e, expect(65001, 65515)).ok());
}

TEST_CASE("unsupported version answers with the version we speak") {
  wire::Open o = theirs(65515);
  o.version = 3;
  const auto r = negotiate(ours(), o, expect(65001, 65515));
  CHECK(subcode_of(r) == 1);
  CHECK(r.error().data == std::vector<std::uint8_t>{0, 4});
}

TEST_CASE("no common address family: Unsupported Capability naming ours") {
  wire::Open v6only = theirs(65515);
  v6only.caps.multiprotocol = {wire::kIpv6Unicast};
  wire::Open mine = ours();
  mine.caps.multiprotocol = {wire::kIpv4Unicast};
  const auto r = negotiate(mine, v6only, expect(65001, 65515));
  CHECK(subcode_of(r) == 7);
  CHECK(r.error().data == std::vector<std::uint8_t>{1, 4, 0, 1, 0, 1});
}

TEST_CASE("no multiprotocol capability means IPv4 unicast (RFC 4760 section 7)") {
  wire::Open o = theirs(65515);
  o.caps.multiprotocol.clear();
  const auto r = negotiate(ours(), o, expect(65001, 65515));
  REQUIRE(r.ok());
  CHECK(r->families == std::vector<wire::AfiSafi>{wire::kIpv4Unicast});
}

TEST_CASE("both-sided capabilities: extended message, enhanced RR, graceful restart, unknown") {
  wire::Open o = theirs(65515);
  o.caps.multiprotocol = {wire::kIpv6Unicast, wire::kIpv4Unicast};
  o.caps.extended_message = true;
  o.caps.enhanced_route_refresh = true;
  o.caps.graceful_restart = wire::GracefulRestartCap{false, false, 120, {}};
  o.caps.unknown = {wire::RawCapability{200, {1, 2}}};
  const auto r = negotiate(ours(), o, expect(65001, 65515));
  REQUIRE(r.ok());
  CHECK(r->extended_message);
  CHECK(r->params().max_message_size() == wire::kMaxExtendedMessageSize);
  CHECK(r->enhanced_route_refresh);
  CHECK(r->peer_graceful_restart->restart_time == 120);
  CHECK_FALSE(r->graceful_restart);  // we did not announce it
  CHECK(r->unknown.size() == 1);
  CHECK(r->families == std::vector<wire::AfiSafi>{wire::kIpv4Unicast, wire::kIpv6Unicast});
}

TEST_CASE("collision resolution (RFC 4271 6.8, RFC 6286 2.3)") {
  CHECK(resolve_collision(1, 2, 65001, 65002) == Survivor::RemotelyInitiated);
  CHECK(resolve_collision(2, 1, 65001, 65002) == Survivor::LocallyInitiated);
  // Compared as integers in host order: 10.0.0.2 > 9.255.255.255.
  CHECK(resolve_collision(0x0a000002, 0x09ffffff, 1, 2) == Survivor::LocallyInitiated);
  CHECK(resolve_collision(7, 7, 65002, 65001) == Survivor::LocallyInitiated);
  CHECK(resolve_collision(7, 7, 65001, 65002) == Survivor::RemotelyInitiated);
  // Both ends reach the same verdict about the same connection.
  for (auto [a, b] : {std::pair{1u, 2u}, std::pair{5u, 3u}}) {
    const bool a_keeps_own = resolve_collision(a, b, 1, 2) == Survivor::LocallyInitiated;
    const bool b_keeps_a = resolve_collision(b, a, 2, 1) == Survivor::RemotelyInitiated;
    CHECK(a_keeps_own == b_keeps_a);
  }
}
