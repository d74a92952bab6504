// BMP encoders against vectors written by hand from the RFC 7854 section 4 layouts.
#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/bmp/messages.hpp"

using namespace nvabgpd;
using wiretest::hex;

namespace {

bmp::PeerHeader peer_v4(bool post) {
  bmp::PeerHeader p;
  p.post_policy = post;
  p.address = *base::IpAddress::parse("192.0.2.1");
  p.asn = 65001;
  p.bgp_id = 0x01020304;
  p.seconds = 0x5f000000;
  p.microseconds = 7;
  return p;
}

// type 0, flags, distinguisher 0, address 12 zero + c0000201, AS 65001, id 1.2.3.4, time.
std::string peer_v4_hex(const char* flags) {
  return std::string("00 ") + flags +
         " 0000000000000000"
         " 000000000000000000000000 c0000201"
         " 0000fde9 01020304 5f000000 00000007";
}

}  // namespace

TEST_CASE("BMP Initiation carries sysDescr and sysName TLVs", "[bmp]") {
  const auto got = bmp::initiation("nva1", "nvabgpd 0.1");
  // version 3, length 6+4+11+4+4 = 29, type 4; TLV 1 (11 "nvabgpd 0.1"); TLV 2 (4 "nva1").
  CHECK(got == hex("03 0000001d 04"
                   " 0001 000b 6e76616267706420302e31"
                   " 0002 0004 6e766131"));
}

TEST_CASE("BMP Termination carries the string and the reason code", "[bmp]") {
  const auto got = bmp::termination(bmp::TerminationReason::AdministrativelyClosed, "bye");
  CHECK(got == hex("03 00000013 05 0000 0003 627965 0001 0002 0000"));
}

TEST_CASE("BMP Route Monitoring: per-peer header, L flag for post-policy, the UPDATE", "[bmp]") {
  const auto update = wiretest::update_msg("", "", "");  // End-of-RIB, 23 bytes
  const auto pre = bmp::route_monitoring(peer_v4(false), update);
  const auto expect_pre = hex("03 00000047 00" + peer_v4_hex("00"));
  REQUIRE(pre.size() == 6 + 42 + 23);
  CHECK(std::vector<std::uint8_t>(pre.begin(), pre.begin() + 48) == expect_pre);
  CHECK(std::vector<std::uint8_t>(pre.begin() + 48, pre.end()) == update);
  CHECK(pre[2] == 0x00);
  CHECK(pre[4] == 0x47);  // 71 bytes
  const auto post = bmp::route_monitoring(peer_v4(true), update);
  CHECK(post[7] == 0x40);  // L flag
}

TEST_CASE("BMP per-peer header of an IPv6 peer sets V and writes 16 octets", "[bmp]") {
  bmp::PeerHeader p;
  p.address = *base::IpAddress::parse("2001:db8::1");
  p.asn = 4200000000U;
  p.bgp_id = 1;
  const auto got = bmp::peer_down(p, bmp::PeerDownReason::RemoteNoNotification, {});
  CHECK(got == hex("03 00000031 02"
                   " 00 80 0000000000000000 20010db8000000000000000000000001"
                   " fa56ea00 00000001 00000000 00000000"
                   " 04"));
}

TEST_CASE("BMP Peer Up: local address and ports, then both OPENs", "[bmp]") {
  const auto sent = wiretest::message(1, "04 fde9 00b4 0a000001 00");
  const auto received = wiretest::message(1, "04 fdea 005a 0a000002 00");
  const auto got = bmp::peer_up(peer_v4(false), *base::IpAddress::parse("192.0.2.2"), 179, 40000,
                                sent, received);
  auto expect =
      hex("03 0000007e 03" + peer_v4_hex("00") + " 000000000000000000000000 c0000202 00b3 9c40");
  expect.insert(expect.end(), sent.begin(), sent.end());
  expect.insert(expect.end(), received.begin(), received.end());
  CHECK(got.size() == 126);
  CHECK(got == expect);
}

TEST_CASE("BMP Peer Down with the NOTIFICATION we sent", "[bmp]") {
  const auto n = wiretest::message(3, "06 02");
  const auto got = bmp::peer_down(peer_v4(false), bmp::PeerDownReason::LocalNotification, n);
  auto expect = hex("03 00000046 02" + peer_v4_hex("00") + " 01");
  expect.insert(expect.end(), n.begin(), n.end());
  CHECK(got == expect);
}

TEST_CASE("BMP Statistics Report: 32-bit counters and 64-bit gauges", "[bmp]") {
  const bmp::Stat stats[] = {{bmp::stat::kRejectedByPolicy, 5, false},
                             {bmp::stat::kAdjRibIn, 0x100000002ULL, true}};
  const auto got = bmp::statistics(peer_v4(true), stats);
  CHECK(got == hex("03 00000048 01" + peer_v4_hex("40") +
                   " 00000002 0000 0004 00000005 0007 0008 0000000100000002"));
}
