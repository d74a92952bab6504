// MRT encoders against vectors written by hand from the RFC 6396 layouts.
#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/mrt/records.hpp"

using namespace nvabgpd;
using wiretest::hex;

namespace {
base::IpAddress ip(const char* s) { return *base::IpAddress::parse(s); }
}  // namespace

TEST_CASE("MRT common header and the _ET microseconds", "[mrt]") {
  const std::uint8_t body[] = {0xaa, 0xbb};
  CHECK(mrt::record({0x5f000000, 9}, mrt::Type::Bgp4mp, 4, body) ==
        hex("5f000000 0010 0004 00000002 aabb"));
  CHECK(mrt::record({0x5f000000, 9}, mrt::Type::Bgp4mpEt, 4, body, true) ==
        hex("5f000000 0011 0004 00000006 00000009 aabb"));
}

TEST_CASE("TABLE_DUMP_V2 PEER_INDEX_TABLE with an IPv4 and an IPv6 peer", "[mrt]") {
  const mrt::IndexedPeer peers[] = {{0x0a000001, ip("192.0.2.1"), 65001},
                                    {0x0a000002, ip("2001:db8::2"), 4200000000U}};
  const auto got = mrt::peer_index_table({1, 0}, 0x01020304, "nv", peers);
  const auto body =
      hex("01020304 0002 6e76 0002"
          " 02 0a000001 c0000201 0000fde9"
          " 03 0a000002 20010db8000000000000000000000002 fa56ea00");
  auto expect = hex("00000001 000d 0001");
  expect.push_back(0);
  expect.push_back(0);
  expect.push_back(0);
  expect.push_back(static_cast<std::uint8_t>(body.size()));
  expect.insert(expect.end(), body.begin(), body.end());
  CHECK(got == expect);
}

TEST_CASE("TABLE_DUMP_V2 RIB_IPV4_UNICAST entry with 4-octet AS_PATH attributes", "[mrt]") {
  wire::PathAttributes a;
  a.origin = wire::Origin::Igp;
  a.as_path.prepend(65002);
  a.as_path.prepend(65001);
  a.next_hop = ip("192.0.2.1");
  const auto attrs = mrt::rib_attributes(a);
  // ORIGIN IGP; AS_PATH AS_SEQUENCE of 2 four-octet ASNs; NEXT_HOP.
  CHECK(attrs == hex("40 01 01 00"
                     " 40 02 0a 02 02 0000fde9 0000fdea"
                     " 40 03 04 c0000201"));
  const mrt::RibEntry e[] = {{1, 0x5e000000, attrs}};
  const auto got = mrt::rib({2, 0}, 7, *base::Prefix::parse("10.1.0.0/16"), e);
  auto expect =
      hex("00000002 000d 0002 00000029"
          " 00000007 10 0a01 0001"
          " 0001 5e000000 0018");
  expect.insert(expect.end(), attrs.begin(), attrs.end());
  CHECK(got == expect);
}

TEST_CASE("TABLE_DUMP_V2 RIB_IPV6_UNICAST: abbreviated MP_REACH_NLRI next hop", "[mrt]") {
  wire::PathAttributes a;
  a.as_path.prepend(65001);
  a.next_hop = ip("2001:db8::1");
  const auto attrs = mrt::rib_attributes(a);
  CHECK(attrs == hex("40 01 01 00"
                     " 40 02 06 02 01 0000fde9"
                     " 80 0e 11 10 20010db8000000000000000000000001"));
  const mrt::RibEntry e[] = {{0, 0, attrs}};
  const auto got = mrt::rib({0, 0}, 0, *base::Prefix::parse("2001:db8:1::/48"), e);
  CHECK(got[7] == 4);  // subtype RIB_IPV6_UNICAST
  CHECK(std::vector<std::uint8_t>(got.begin() + 12, got.begin() + 25) ==
        hex("00000000 30 20010db80001 0001"));
}

TEST_CASE("BGP4MP_ET MESSAGE_AS4 and STATE_CHANGE_AS4", "[mrt]") {
  const mrt::Bgp4mpPeer p{65001, 65000, 0, ip("192.0.2.1"), ip("192.0.2.2")};
  const auto ka = wiretest::message(4, "");
  const auto msg = mrt::bgp4mp_message({3, 500}, p, ka, true);
  auto expect =
      hex("00000003 0011 0004 0000002b 000001f4"
          " 0000fde9 0000fde8 0000 0001 c0000201 c0000202");
  expect.insert(expect.end(), ka.begin(), ka.end());
  CHECK(msg == expect);
  const auto sc = mrt::bgp4mp_state_change({3, 0}, p, mrt::BgpState::OpenConfirm,
                                           mrt::BgpState::Established, false);
  CHECK(sc == hex("00000003 0010 0005 00000018"
                  " 0000fde9 0000fde8 0000 0001 c0000201 c0000202 0005 0006"));
}
