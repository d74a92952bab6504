#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;

namespace {

const SessionParams k4{true, false};
const SessionParams k2{false, false};

Update decode_update_ok(const std::vector<std::uint8_t>& bytes, const SessionParams& p = k4) {
  const auto r = decode(bytes, p);
  INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
  REQUIRE(r.ok());
  REQUIRE(r.message);
  return std::get<Update>(*r.message);
}

Update round_trip(const Update& u, const SessionParams& p = k4) {
  return decode_update_ok(encode(u, p), p);
}

}  // namespace

TEST_CASE("minimal IPv4 UPDATE: bytes and values both ways") {
  const auto bytes = update_msg("", kBaseAttrs, "18 c0a801");
  const Update u = decode_update_ok(bytes);
  CHECK(u.has_attributes);
  CHECK(u.attrs.origin == Origin::Igp);
  CHECK(u.attrs.as_path.to_string() == "65001");
  CHECK(u.attrs.next_hop == ip("10.0.0.1"));
  CHECK(u.nlri == std::vector{pfx("192.168.1.0/24")});
  CHECK(u.withdrawn.empty());
  CHECK_FALSE(u.end_of_rib());
  CHECK(encode(u, k4) == bytes);
}

TEST_CASE("UPDATE with every attribute encodes canonically and decodes to its values") {
  const std::string attrs = std::string(kOrigin) +
                            "40 02 0e 02 03 0000fde9 00011170 0000fdea"  // 65001 70000 65002
                            "40 03 04 0a000001"
                            "80 04 04 00000064"                    // MED 100
                            "40 05 04 000000c8"                    // LOCAL_PREF 200
                            "40 06 00"                             // ATOMIC_AGGREGATE
                            "c0 07 08 00011170 c0000201"           // AGGREGATOR 70000 192.0.2.1
                            "c0 08 08 fde80001 ffffff01"           // 65000:1 NO_EXPORT
                            "80 09 04 01020304"                    // ORIGINATOR_ID
                            "80 0a 08 05050505 06060606"           // CLUSTER_LIST
                            "c0 10 08 0002fde8 00000064"           // rt 65000:100
                            "c0 20 0c 00011170 00000001 00000002"  // 70000:1:2
                            "e0 63 02 abcd";                       // unknown 99, partial
  const auto bytes = update_msg("18 0a0a0a", attrs, "18 c0a801 10 ac10");
  const Update u = decode_update_ok(bytes);
  const auto& a = u.attrs;
  CHECK(u.withdrawn == std::vector{pfx("10.10.10.0/24")});
  CHECK(u.nlri == std::vector{pfx("192.168.1.0/24"), pfx("172.16.0.0/16")});
  CHECK(a.as_path.to_string() == "65001 70000 65002");
  CHECK(a.med == 100U);
  CHECK(a.local_pref == 200U);
  CHECK(a.atomic_aggregate);
  REQUIRE(a.aggregator);
  CHECK(a.aggregator->asn == 70000);
  CHECK(a.aggregator->address == ip("192.0.2.1"));
  CHECK(a.communities == std::vector{Community::of(65000, 1), kNoExport});
  CHECK(a.has_community(kNoExport));
  CHECK(a.originator_id == 0x01020304U);
  CHECK(a.cluster_list == std::vector<std::uint32_t>{0x05050505, 0x06060606});
  CHECK(a.ext_communities == std::vector{ExtCommunity{0x0002fde800000064ULL}});
  CHECK(a.large_communities == std::vector{LargeCommunity{70000, 1, 2}});
  CHECK(a.unknown == std::vector{RawAttribute{0xe0, 99, {0xab, 0xcd}}});
  CHECK(encode(u, k4) == bytes);
}

TEST_CASE("MP_REACH and MP_UNREACH for IPv6 with global and link-local next hop") {
  Update u;
  u.has_attributes = true;
  u.attrs.as_path.segments = {{SegmentType::Sequence, {65001}}};
  u.mp_reach = MpReach{kIpv6Unicast,
                       ip("2001:db8::1"),
                       ip("fe80::1"),
                       {pfx("2001:db8:1::/48"), pfx("2001:db8:2::/64"), pfx("::/0")}};
  u.mp_unreach = MpUnreach{kIpv6Unicast, {pfx("2001:db8:9::/48")}};
  const auto bytes = encode(u, k4);
  // MP_REACH_NLRI is the first attribute, with a 32-octet next hop.
  CHECK(bytes[19 + 2 + 2] == 0x80);
  CHECK(bytes[19 + 2 + 2 + 1] == attr::kMpReach);
  CHECK(bytes[19 + 2 + 2 + 3 + 3] == 32);
  CHECK(round_trip(u) == u);

  u.mp_reach->link_local_next_hop.reset();
  CHECK(round_trip(u) == u);
}

TEST_CASE("MP_REACH for IPv4 with IPv4 and RFC 8950 IPv6 next hops") {
  Update u;
  u.has_attributes = true;
  u.mp_reach = MpReach{kIpv4Unicast, ip("192.0.2.1"), std::nullopt, {pfx("10.1.0.0/16")}};
  CHECK(round_trip(u) == u);
  u.mp_reach->next_hop = ip("2001:db8::1");
  CHECK(round_trip(u) == u);
}

TEST_CASE("End-of-RIB markers") {
  const Update eor4 = decode_update_ok(update_msg("", "", ""));
  CHECK(eor4.end_of_rib() == kIpv4Unicast);
  CHECK(encode(Update{}, k4) == update_msg("", "", ""));

  const Update eor6 = decode_update_ok(update_msg("", "80 0f 03 0002 01", ""));
  CHECK_FALSE(eor6.has_attributes);
  CHECK(eor6.end_of_rib() == kIpv6Unicast);
  Update make6;
  make6.mp_unreach = MpUnreach{kIpv6Unicast, {}};
  CHECK(encode(make6, k4) == update_msg("", "80 0f 03 0002 01", ""));

  // A withdrawal is not End-of-RIB.
  CHECK_FALSE(decode_update_ok(update_msg("18 0a0000", "", "")).end_of_rib());
  CHECK_FALSE(decode_update_ok(update_msg("", "80 0f 06 0002 01 10 2001", "")).end_of_rib());
}

TEST_CASE("unknown attributes: optional transitive carried with Partial, non-transitive dropped") {
  const std::string attrs = kBaseAttrs + "c0 63 02 abcd" + "80 64 01 ff";
  const Update u = decode_update_ok(update_msg("", attrs, "18 c0a801"));
  REQUIRE(u.attrs.unknown.size() == 1);
  CHECK(u.attrs.unknown[0] == RawAttribute{0xc0, 99, {0xab, 0xcd}});
  // Re-advertised with the Partial bit set; the non-transitive one is gone.
  CHECK(encode(u, k4) == update_msg("", kBaseAttrs + "e0 63 02 abcd", "18 c0a801"));
}

TEST_CASE("encoder sorts community lists and omits empty ones") {
  Update u;
  u.has_attributes = true;
  u.attrs.next_hop = ip("10.0.0.1");
  u.attrs.communities = {Community{3}, Community{1}, Community{2}};
  u.attrs.large_communities = {{2, 0, 0}, {1, 5, 5}};
  u.nlri = {pfx("10.0.0.0/8")};
  const auto back = round_trip(u);
  CHECK(back.attrs.communities == std::vector{Community{1}, Community{2}, Community{3}});
  CHECK(back.attrs.large_communities == std::vector{LargeCommunity{1, 5, 5}, {2, 0, 0}});
  CHECK(back.attrs.ext_communities.empty());
  // ORIGIN, AS_PATH (empty), NEXT_HOP, COMMUNITIES, LARGE_COMMUNITY and no EXTENDED_COMMUNITIES.
  CHECK(encode(u, k4) ==
        update_msg("",
                   "40 01 01 00  40 02 00  40 03 04 0a000001"
                   "c0 08 0c 00000001 00000002 00000003"
                   "c0 20 18 00000001 00000005 00000005 00000002 00000000 00000000",
                   "08 0a"));
}

TEST_CASE("attributes longer than 255 octets use the extended length bit") {
  Update u;
  u.has_attributes = true;
  u.attrs.next_hop = ip("10.0.0.1");
  for (std::uint32_t i = 0; i < 100; ++i) u.attrs.communities.push_back(Community{i});
  u.nlri = {pfx("10.0.0.0/8")};
  const auto bytes = encode(u, k4);
  const auto needle = hex("d0 08 0190");  // flags with extended length, type, 400
  CHECK(std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end());
  CHECK(round_trip(u) == u);
}

TEST_CASE("AS_PATH longer than 255 ASNs is split into segments") {
  Update u;
  u.has_attributes = true;
  u.attrs.next_hop = ip("10.0.0.1");
  // prepend() already keeps segments at 255 ASNs, new ones in front (RFC 4271 5.1.2 b).
  u.attrs.as_path.prepend(65001, 300);
  REQUIRE(u.attrs.as_path.segments.size() == 2);
  CHECK(u.attrs.as_path.segments[0].asns.size() == 45);
  CHECK(round_trip(u) == u);
  // A longer segment built some other way (an AS4_PATH merge) is split by the encoder.
  u.attrs.as_path.segments = {{SegmentType::Sequence, std::vector<std::uint32_t>(300, 65001)}};
  const auto back = round_trip(u);
  REQUIRE(back.attrs.as_path.segments.size() == 2);
  CHECK(back.attrs.as_path.segments[0].asns.size() == 255);
  CHECK(back.attrs.as_path.segments[1].asns.size() == 45);
  CHECK(back.attrs.as_path.length() == 300);
}

TEST_CASE("2-octet peers get AS_TRANS plus AS4_PATH and AS4_AGGREGATOR") {
  Update u;
  u.has_attributes = true;
  u.attrs.next_hop = ip("10.0.0.1");
  u.attrs.as_path.segments = {{SegmentType::ConfedSequence, {65100}},
                              {SegmentType::Sequence, {65001, 70000}},
                              {SegmentType::Set, {70001, 65002}}};
  u.attrs.aggregator = Aggregator{70000, ip("192.0.2.1")};
  u.nlri = {pfx("10.0.0.0/8")};
  const auto bytes = encode(u, k2);
  CHECK(bytes == update_msg("",
                            "40 01 01 00"
                            "40 02 10 03 01 fe4c 02 02 fde9 5ba0 01 02 5ba0 fdea"
                            "40 03 04 0a000001"
                            "c0 07 06 5ba0 c0000201"
                            // AS4_PATH leaves the confederation segment out.
                            "c0 11 14 02 02 0000fde9 00011170 01 02 00011171 0000fdea"
                            "c0 12 08 00011170 c0000201",
                            "08 0a"));
  // The 2-octet peer's view merges back to the real path and aggregator.
  CHECK(decode_update_ok(bytes, k2) == u);
  // A path that fits in 2 octets gets no AS4_PATH.
  u.attrs.as_path.segments = {{SegmentType::Sequence, {65001}}};
  u.attrs.aggregator.reset();
  CHECK(encode(u, k2) ==
        update_msg("", "40 01 01 00 40 02 04 02 01 fde9 40 03 04 0a000001", "08 0a"));
}

TEST_CASE("RFC 6793 4.2.3 merge of AS_PATH and AS4_PATH") {
  const std::string nh = std::string(kOrigin) + std::string(kNextHop);
  SECTION("leading AS_PATH ASNs are kept, the rest comes from AS4_PATH") {
    // AS_PATH 65001 23456 23456 65002 (4), AS4_PATH 70000 70001 65002 (3).
    const auto u = decode_update_ok(update_msg("",
                                               nh + "40 02 0a 02 04 fde9 5ba0 5ba0 fdea" +
                                                   "c0 11 0e 02 03 00011170 00011171 0000fdea",
                                               "08 0a"),
                                    k2);
    CHECK(u.attrs.as_path.to_string() == "65001 70000 70001 65002");
    CHECK(u.attrs.as_path.segments.size() == 1);
  }
  SECTION("an AS4_PATH longer than AS_PATH is ignored") {
    const auto u = decode_update_ok(
        update_msg("", nh + "40 02 04 02 01 5ba0" + "c0 11 0a 02 02 00011170 00011171", "08 0a"),
        k2);
    CHECK(u.attrs.as_path.to_string() == "23456");
  }
  SECTION("an AGGREGATOR other than AS_TRANS makes AS4_PATH and AS4_AGGREGATOR stale") {
    const auto u =
        decode_update_ok(update_msg("",
                                    nh + "40 02 04 02 01 5ba0" + "c0 07 06 fde9 c0000201" +
                                        "c0 11 06 02 01 00011170" + "c0 12 08 00011170 c0000202",
                                    "08 0a"),
                         k2);
    CHECK(u.attrs.as_path.to_string() == "23456");
    CHECK(u.attrs.aggregator->asn == 65001);
  }
  SECTION("AS_SET counts as one") {
    const auto u = decode_update_ok(
        update_msg("",
                   nh + "40 02 0a 02 01 fde9 01 02 5ba0 fdea" + "c0 11 0a 01 02 00011170 0000fdea",
                   "08 0a"),
        k2);
    CHECK(u.attrs.as_path.to_string() == "65001 {70000 65002}");
  }
}

TEST_CASE("IPv4 prefixes of every length round-trip with host bits masked") {
  Update u;
  for (unsigned len = 0; len <= 32; ++len)
    u.withdrawn.push_back(nvabgpd::base::Prefix::make(ip("203.0.113.255"), len));
  CHECK(round_trip(u) == u);
  // Host bits beyond the length on the wire are dropped when decoding.
  const auto d = decode_update_ok(update_msg("17 0a0001", "", ""));
  CHECK(d.withdrawn == std::vector{pfx("10.0.0.0/23")});
}
