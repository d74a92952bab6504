// RFC 7606 2 "treat-as-withdraw" as an operation of the UPDATE itself: every prefix the message
// announces or withdraws ends up withdrawn, whichever fields carried it, and a message with
// nothing to withdraw is reported as such instead of turning into an End-of-RIB.
#include <catch2/catch.hpp>

#include "hex.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;

namespace {

const SessionParams kIbgp = session_at_10_0_0_2(false);

MpReach reach(AfiSafi af, const char* nh, std::vector<nvabgpd::base::Prefix> nlri) {
  return MpReach{af, ip(nh), std::nullopt, std::move(nlri)};
}

Update announcing() {
  Update u;
  u.has_attributes = true;
  u.attrs.as_path.segments = {{SegmentType::Sequence, {65001}}};
  u.attrs.next_hop = ip("10.0.0.1");
  return u;
}

}  // namespace

TEST_CASE("treat-as-withdraw: IPv4 NLRI and IPv6 MP_REACH become withdrawals") {
  Update u = announcing();
  u.withdrawn = {pfx("10.9.0.0/16")};
  u.nlri = {pfx("10.1.0.0/16"), pfx("10.2.0.0/16")};
  u.mp_reach = reach(kIpv6Unicast, "2001:db8::1", {pfx("2001:db8:1::/48")});
  REQUIRE(u.treat_as_withdraw());
  CHECK(u.withdrawn == std::vector{pfx("10.9.0.0/16"), pfx("10.1.0.0/16"), pfx("10.2.0.0/16")});
  CHECK(u.nlri.empty());
  CHECK_FALSE(u.mp_reach);
  REQUIRE(u.mp_unreach);
  CHECK(u.mp_unreach->af == kIpv6Unicast);
  CHECK(u.mp_unreach->withdrawn == std::vector{pfx("2001:db8:1::/48")});
  CHECK_FALSE(u.has_attributes);
  CHECK(u.attrs == PathAttributes{});
  CHECK_FALSE(u.end_of_rib());
}

TEST_CASE("treat-as-withdraw: MP_REACH and MP_UNREACH of different families lose nothing") {
  // The daemon's former rewrite dropped the MP_REACH NLRI here (one MP_UNREACH slot, already
  // taken by the other family): the routes stayed in the RIB.
  Update u = announcing();
  u.mp_reach = reach(kIpv6Unicast, "2001:db8::1", {pfx("2001:db8:1::/48"), pfx("2001:db8:2::/48")});
  u.mp_unreach = MpUnreach{kIpv4Unicast, {pfx("10.7.0.0/16")}};
  REQUIRE(u.treat_as_withdraw());
  CHECK(u.withdrawn == std::vector{pfx("10.7.0.0/16")});
  REQUIRE(u.mp_unreach);
  CHECK(u.mp_unreach->af == kIpv6Unicast);
  CHECK(u.mp_unreach->withdrawn == std::vector{pfx("2001:db8:1::/48"), pfx("2001:db8:2::/48")});

  Update v = announcing();
  v.mp_reach = reach(kIpv4Unicast, "10.0.0.1", {pfx("10.3.0.0/16")});
  v.mp_unreach = MpUnreach{kIpv6Unicast, {pfx("2001:db8:9::/48")}};
  REQUIRE(v.treat_as_withdraw());
  CHECK(v.withdrawn == std::vector{pfx("10.3.0.0/16")});
  REQUIRE(v.mp_unreach);
  CHECK(v.mp_unreach->withdrawn == std::vector{pfx("2001:db8:9::/48")});
}

TEST_CASE("treat-as-withdraw: MP_REACH joins an MP_UNREACH of its own family") {
  Update u = announcing();
  u.mp_reach = reach(kIpv6Unicast, "2001:db8::1", {pfx("2001:db8:1::/48")});
  u.mp_unreach = MpUnreach{kIpv6Unicast, {pfx("2001:db8:9::/48")}};
  REQUIRE(u.treat_as_withdraw());
  CHECK(u.withdrawn.empty());
  REQUIRE(u.mp_unreach);
  CHECK(u.mp_unreach->withdrawn == std::vector{pfx("2001:db8:9::/48"), pfx("2001:db8:1::/48")});
}

TEST_CASE("treat-as-withdraw: attributes without NLRI withdraw nothing and are no End-of-RIB") {
  // The daemon's former rewrite turned this into an empty UPDATE, which reads as an IPv4
  // End-of-RIB (graceful restart would sweep the peer's stale routes).
  Update u = announcing();
  CHECK_FALSE(u.treat_as_withdraw());
}

TEST_CASE("treat-as-withdraw: a decoded malformed UPDATE withdraws its NLRI") {
  // LOCAL_PREF of length 2 from an iBGP peer: treat-as-withdraw (RFC 7606 7.5).
  const auto r = decode(update_msg("", kBaseAttrs + "40 05 02 0064", "18 c0a801 10 0a01"), kIbgp);
  REQUIRE(r.action == ErrorAction::TreatAsWithdraw);
  Update u = std::get<Update>(*r.message);
  REQUIRE(u.treat_as_withdraw());
  CHECK(u.withdrawn == std::vector{pfx("192.168.1.0/24"), pfx("10.1.0.0/16")});
  CHECK(u.nlri.empty());
  CHECK_FALSE(u.has_attributes);
}
