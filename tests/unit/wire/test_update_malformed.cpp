// The RFC 7606 malformed-UPDATE suite: each hand-built bad message and the outcome it must get
// (session reset with the exact NOTIFICATION, treat-as-withdraw, or attribute discard), with
// the offending attribute named in the result.
#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;

namespace {

const SessionParams k4{true, false};
const SessionParams k2{false, false};
// An eBGP session whose local end is 10.0.0.2 (kBaseAttrs' NEXT_HOP 10.0.0.1 is the peer).
const SessionParams kE{.four_octet_as = true,
                       .extended_message = false,
                       .ebgp = true,
                       .local_address = ip("10.0.0.2")};
// An iBGP session over IPv6 whose local end is 2001:db8::2.
const SessionParams kI6{.four_octet_as = true,
                        .extended_message = false,
                        .ebgp = false,
                        .local_address = ip("2001:db8::2")};

constexpr auto kReset = ErrorAction::SessionReset;
constexpr auto kTaw = ErrorAction::TreatAsWithdraw;
constexpr auto kDiscard = ErrorAction::AttributeDiscard;

struct Case {
  const char* name;
  std::vector<std::uint8_t> message;
  ErrorAction action;
  std::uint8_t attr_type = 0;  // the attribute the error must name (0: none)
  std::uint8_t code = 0;       // NOTIFICATION, for session resets
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data = {};
  SessionParams params = k4;
};

const std::string B = kBaseAttrs;
const std::string O(kOrigin);
const std::string P(kAsPath);
const std::string N(kNextHop);
const std::string kNlri = "18 c0a801";
// A valid IPv6 MP_REACH: next hop 2001:db8::1, NLRI 2001:db8::/32.
const std::string kMpReach6 = "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8";

std::vector<std::uint8_t> with_base(const std::string& extra, const std::string& nlri = kNlri) {
  return update_msg("", B + extra, nlri);
}

Case reset(const char* name, std::vector<std::uint8_t> msg, std::uint8_t subcode,
           std::vector<std::uint8_t> data = {}, std::uint8_t attr_type = 0,
           std::uint8_t code = err::kUpdateMessageError) {
  return Case{name, std::move(msg), kReset, attr_type, code, subcode, std::move(data)};
}

Case taw(const char* name, std::vector<std::uint8_t> msg, std::uint8_t attr_type,
         SessionParams p = k4) {
  return Case{name, std::move(msg), kTaw, attr_type, 0, 0, {}, p};
}

Case discard(const char* name, std::vector<std::uint8_t> msg, std::uint8_t attr_type,
             SessionParams p = k4) {
  return Case{name, std::move(msg), kDiscard, attr_type, 0, 0, {}, p};
}

std::vector<Case> cases() {
  using namespace err;
  return {
      // --- message layout: session reset (RFC 4271 6.1, 6.3; RFC 7606 5.3) ---
      reset("UPDATE shorter than 23 octets", message(2, "00 00"), kHeaderBadMessageLength, {0, 21},
            0, kMessageHeaderError),
      reset("withdrawn length beyond the message", message(2, "0010 0000"),
            kUpdateMalformedAttributeList),
      reset("total attribute length beyond the message", message(2, "0000 0020 40010100"),
            kUpdateMalformedAttributeList),
      reset("withdrawn prefix length 33", update_msg("21 0a000000 00", "", ""),
            kUpdateInvalidNetworkField),
      reset("withdrawn prefix truncated", update_msg("18 0a00", "", ""),
            kUpdateInvalidNetworkField),
      reset("NLRI prefix length 33", update_msg("", B, "21 c0a80101 00"),
            kUpdateInvalidNetworkField),
      reset("NLRI prefix truncated", update_msg("", B, "18 c0a8"), kUpdateInvalidNetworkField),
      reset("NLRI prefix length 255", update_msg("", B, "ff"), kUpdateInvalidNetworkField),
      // --- ORIGIN ---
      taw("ORIGIN length 2", update_msg("", "40 01 02 0000" + P + N, kNlri), attr::kOrigin),
      taw("ORIGIN value 3", update_msg("", "40 01 01 03" + P + N, kNlri), attr::kOrigin),
      taw("ORIGIN flagged optional", update_msg("", "c0 01 01 00" + P + N, kNlri), attr::kOrigin),
      // --- AS_PATH ---
      taw("AS_PATH segment type 5", update_msg("", O + "40 02 06 05 01 0000fde9" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH segment type 0", update_msg("", O + "40 02 06 00 01 0000fde9" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH segment of zero ASNs", update_msg("", O + "40 02 02 02 00" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH segment overruns", update_msg("", O + "40 02 06 02 02 0000fde9" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH truncated segment header", update_msg("", O + "40 02 01 02" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH containing AS 0", update_msg("", O + "40 02 06 02 01 00000000" + N, kNlri),
          attr::kAsPath),
      taw("AS_PATH 4-octet bytes on a 2-octet session",
          update_msg("", O + "40 02 05 02 01 00fde9" + N, kNlri), attr::kAsPath, k2),
      taw("AS_PATH flagged optional", update_msg("", O + "c0 02 06 02 01 0000fde9" + N, kNlri),
          attr::kAsPath),
      // --- NEXT_HOP ---
      taw("NEXT_HOP length 5", update_msg("", O + P + "40 03 05 0a00000100", kNlri),
          attr::kNextHop),
      taw("NEXT_HOP 0.0.0.0", update_msg("", O + P + "40 03 04 00000000", kNlri), attr::kNextHop),
      taw("NEXT_HOP multicast", update_msg("", O + P + "40 03 04 e0000001", kNlri), attr::kNextHop),
      // RFC 4271 6.3 semantic checks, RFC 7606 7.3: treat-as-withdraw.
      taw("NEXT_HOP loopback", update_msg("", O + P + "40 03 04 7f000001", kNlri), attr::kNextHop),
      taw("NEXT_HOP loopback from eBGP", update_msg("", O + P + "40 03 04 7f000005", kNlri),
          attr::kNextHop, kE),
      taw("NEXT_HOP is our own address", update_msg("", O + P + "40 03 04 0a000002", kNlri),
          attr::kNextHop, kE),
      taw("NEXT_HOP 0.1.2.3", update_msg("", O + P + "40 03 04 00010203", kNlri), attr::kNextHop),
      taw("NEXT_HOP class E", update_msg("", O + P + "40 03 04 f0000001", kNlri), attr::kNextHop),
      taw("NEXT_HOP broadcast", update_msg("", O + P + "40 03 04 ffffffff", kNlri), attr::kNextHop),
      // MP_REACH with a well-formed but unusable next hop: its NLRI are withdrawn.
      taw("MP_REACH next hop ::1",
          with_base("80 0e 1a 0002 01 10 00000000000000000000000000000001 00 20 20010db8", ""),
          attr::kMpReach),
      taw("MP_REACH next hop ::",
          with_base("80 0e 1a 0002 01 10 00000000000000000000000000000000 00 20 20010db8", ""),
          attr::kMpReach),
      taw("MP_REACH next hop ff02::1",
          with_base("80 0e 1a 0002 01 10 ff020000000000000000000000000001 00 20 20010db8", ""),
          attr::kMpReach),
      taw("MP_REACH next hop is our own address",
          with_base("80 0e 1a 0002 01 10 20010db8000000000000000000000002 00 20 20010db8", ""),
          attr::kMpReach, kI6),
      taw("MP_REACH IPv4 next hop 127.0.0.1",
          with_base("80 0e 0d 0001 01 04 7f000001 00 18 0a0b0c", ""), attr::kMpReach),
      // --- confederation segments from an external peer (RFC 5065 5.3, RFC 7606 7.2) ---
      taw("AS_CONFED_SEQUENCE from eBGP",
          update_msg("", O + "40 02 0c 03 01 0000fdea 02 01 0000fde9" + N, kNlri), attr::kAsPath,
          kE),
      taw("AS_CONFED_SET from eBGP",
          update_msg("", O + "40 02 0c 02 01 0000fde9 04 01 0000fdea" + N, kNlri), attr::kAsPath,
          kE),
      // --- OTC (RFC 9234 5): length other than 4 is treat-as-withdraw ---
      taw("OTC length 3", with_base("c0 23 03 00fde9"), attr::kOtc),
      taw("OTC length 5", with_base("c0 23 05 0000fde900"), attr::kOtc),
      taw("OTC flagged non-transitive", with_base("80 23 04 0000fde9"), attr::kOtc),
      // --- MED, LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST ---
      taw("MED length 3", with_base("80 04 03 000064"), attr::kMed),
      taw("MED flagged well-known", with_base("40 04 04 00000064"), attr::kMed),
      taw("LOCAL_PREF length 2", with_base("40 05 02 0064"), attr::kLocalPref),
      taw("LOCAL_PREF flagged optional", with_base("80 05 04 00000064"), attr::kLocalPref),
      taw("ORIGINATOR_ID length 3", with_base("80 09 03 010203"), attr::kOriginatorId),
      taw("CLUSTER_LIST length 6", with_base("80 0a 06 010203040506"), attr::kClusterList),
      taw("CLUSTER_LIST length 0", with_base("80 0a 00"), attr::kClusterList),
      // From an external neighbour these are discarded, malformed or not (RFC 7606 7.5, 7.9,
      // 7.10): a bad one costs the attribute, not the routes.
      discard("LOCAL_PREF length 2 from eBGP", with_base("40 05 02 0064"), attr::kLocalPref, kE),
      discard("LOCAL_PREF length 5 from eBGP", with_base("40 05 05 0000006400"), attr::kLocalPref,
              kE),
      discard("ORIGINATOR_ID length 3 from eBGP", with_base("80 09 03 010203"), attr::kOriginatorId,
              kE),
      discard("CLUSTER_LIST length 6 from eBGP", with_base("80 0a 06 010203040506"),
              attr::kClusterList, kE),
      // --- communities ---
      taw("COMMUNITIES length 5", with_base("c0 08 05 0001000200"), attr::kCommunities),
      taw("COMMUNITIES length 0", with_base("c0 08 00"), attr::kCommunities),
      taw("COMMUNITIES flagged non-transitive", with_base("80 08 04 00010002"), attr::kCommunities),
      taw("EXTENDED_COMMUNITIES length 12", with_base("c0 10 0c 000000000000000000000000"),
          attr::kExtCommunities),
      taw("LARGE_COMMUNITY length 8", with_base("c0 20 08 0000000100000002"),
          attr::kLargeCommunities),
      // --- attribute discard (RFC 7606 7.6, 7.7; RFC 6793) ---
      discard("ATOMIC_AGGREGATE length 1", with_base("40 06 01 00"), attr::kAtomicAggregate),
      discard("AGGREGATOR length 7 on a 4-octet session", with_base("c0 07 07 0000fde9c00002"),
              attr::kAggregator),
      discard("AGGREGATOR length 8 on a 2-octet session",
              update_msg("", O + "40 02 04 02 01 fde9" + N + "c0 07 08 0000fde9c0000201", kNlri),
              attr::kAggregator, k2),
      discard("AGGREGATOR with AS 0", with_base("c0 07 08 00000000c0000201"), attr::kAggregator),
      discard("AS4_PATH on a 4-octet session", with_base("c0 11 06 02 01 00011170"),
              attr::kAs4Path),
      discard("AS4_PATH with a bad segment type",
              update_msg("", O + "40 02 04 02 01 5ba0" + N + "c0 11 06 07 01 00011170", kNlri),
              attr::kAs4Path, k2),
      discard("AS4_PATH with a confederation segment",
              update_msg("", O + "40 02 04 02 01 5ba0" + N + "c0 11 06 03 01 00011170", kNlri),
              attr::kAs4Path, k2),
      discard("AS4_AGGREGATOR length 6",
              update_msg("", O + "40 02 04 02 01 5ba0" + N + "c0 12 06 5ba0c0000201", kNlri),
              attr::kAs4Aggregator, k2),
      discard("ORIGIN repeated", with_base("40 01 01 02"), attr::kOrigin),
      discard("COMMUNITIES repeated", with_base("c0 08 04 00010002 c0 08 04 00010003"),
              attr::kCommunities),
      // --- MP_REACH / MP_UNREACH: session reset (RFC 7606 7.11, RFC 4760 7) ---
      reset("MP_REACH repeated", with_base(kMpReach6 + kMpReach6, ""),
            kUpdateMalformedAttributeList, {}, attr::kMpReach),
      reset("MP_UNREACH repeated", update_msg("", "80 0f 03 000201 80 0f 03 000201", ""),
            kUpdateMalformedAttributeList, {}, attr::kMpUnreach),
      reset("MP_REACH IPv6 next-hop length 8",
            with_base("80 0e 12 0002 01 08 20010db800000000 00 20 20010db8", ""),
            kUpdateOptionalAttributeError,
            hex("80 0e 12 0002 01 08 20010db800000000 00 20 20010db8"), attr::kMpReach),
      reset("MP_REACH IPv4 next-hop length 5",
            with_base("80 0e 0c 0001 01 05 0a00000100 00 08 0a", ""), kUpdateOptionalAttributeError,
            hex("80 0e 0c 0001 01 05 0a00000100 00 08 0a"), attr::kMpReach),
      reset("MP_REACH IPv6 prefix length 129",
            with_base("80 0e 17 0002 01 10 20010db8000000000000000000000001 00 81 20", ""),
            kUpdateOptionalAttributeError,
            hex("80 0e 17 0002 01 10 20010db8000000000000000000000001 00 81 20"), attr::kMpReach),
      reset("MP_REACH truncated header", with_base("80 0e 03 000201", ""),
            kUpdateOptionalAttributeError, hex("80 0e 03 000201"), attr::kMpReach),
      reset("MP_REACH next hop overruns the attribute",
            with_base("80 0e 08 0002 01 10 20010db8", ""), kUpdateOptionalAttributeError,
            hex("80 0e 08 0002 01 10 20010db8"), attr::kMpReach),
      reset("MP_REACH flagged transitive",
            with_base("c0 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8", ""),
            kUpdateAttributeFlagsError,
            hex("c0 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8"),
            attr::kMpReach),
      reset("MP_UNREACH length 2", update_msg("", "80 0f 02 0002", ""),
            kUpdateOptionalAttributeError, hex("80 0f 02 0002"), attr::kMpUnreach),
      reset("MP_UNREACH prefix truncated", update_msg("", "80 0f 05 0002 01 30 20", ""),
            kUpdateOptionalAttributeError, hex("80 0f 05 0002 01 30 20"), attr::kMpUnreach),
      reset("unrecognized well-known attribute", with_base("40 63 01 00"),
            kUpdateUnrecognizedWellKnown, hex("40 63 01 00"), 99),
      // --- missing well-known mandatory attributes: treat-as-withdraw (RFC 7606 3 d) ---
      taw("ORIGIN missing", update_msg("", P + N, kNlri), attr::kOrigin),
      taw("AS_PATH missing", update_msg("", O + N, kNlri), attr::kAsPath),
      taw("NEXT_HOP missing with IPv4 NLRI", update_msg("", O + P, kNlri), attr::kNextHop),
      taw("NLRI without any attribute", update_msg("", "", kNlri), attr::kOrigin),
      taw("ORIGIN missing with MP_REACH NLRI", update_msg("", kMpReach6 + P, ""), attr::kOrigin),
      // --- attribute lengths against the field (RFC 7606 4) ---
      taw("attribute length overruns the attributes field",
          update_msg("", B + "c0 08 08 00010002", kNlri), attr::kCommunities),
      taw("two stray octets after the last attribute", update_msg("", B + "40 01", kNlri), 0),
      taw("extended-length header cut short", update_msg("", B + "50 08 00", kNlri), 0),
  };
}

bool names_attribute(const DecodeResult& r, std::uint8_t type, ErrorAction action) {
  for (const auto& e : r.errors) {
    if (e.action != action || e.type != type) continue;
    if (type == 0) return true;
    if (e.reason.find(attribute_name(type)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("malformed UPDATEs get their RFC 7606 outcome") {
  const auto all = cases();
  REQUIRE(all.size() >= 40);
  for (const auto& c : all) {
    INFO(c.name << " | " << to_hex(c.message));
    const auto r = decode(c.message, c.params);
    for (const auto& e : r.errors) UNSCOPED_INFO("error: " << e.reason);
    CHECK(r.action == c.action);
    if (c.action == kReset) {
      CHECK_FALSE(r.message);
      REQUIRE(r.notification);
      CHECK(r.notification->code == c.code);
      CHECK(r.notification->subcode == c.subcode);
      CHECK(r.notification->data == c.data);
    } else {
      // Treat-as-withdraw and attribute discard keep the message: its NLRI is still known.
      CHECK(r.message);
      CHECK_FALSE(r.notification);
    }
    CHECK(names_attribute(r, c.attr_type, c.action));
  }
}

TEST_CASE("attribute discard removes only the bad attribute") {
  const auto r = decode(with_base("40 06 01 00 c0 08 04 00010002"), k4);
  REQUIRE(r.action == kDiscard);
  const auto& u = std::get<Update>(*r.message);
  CHECK_FALSE(u.attrs.atomic_aggregate);
  CHECK(u.attrs.communities == std::vector{Community::of(1, 2)});
  CHECK(u.nlri == std::vector{pfx("192.168.1.0/24")});
}

TEST_CASE("a repeated attribute keeps the first occurrence") {
  const auto r = decode(with_base("40 01 01 02"), k4);
  CHECK(std::get<Update>(*r.message).attrs.origin == Origin::Igp);
}

TEST_CASE("the strongest action wins when errors differ") {
  // Discard (ATOMIC_AGGREGATE) + treat-as-withdraw (MED) -> treat-as-withdraw, both recorded.
  const auto r = decode(with_base("40 06 01 00 80 04 03 000064"), k4);
  CHECK(r.action == kTaw);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].action == kDiscard);
  CHECK(r.errors[1].action == kTaw);
  // ... and a later session reset overrides both.
  const auto s = decode(with_base("80 04 03 000064 40 63 01 00"), k4);
  CHECK(s.action == kReset);
  CHECK(s.notification->subcode == err::kUpdateUnrecognizedWellKnown);
}

TEST_CASE("missing mandatory attributes do not matter without NLRI") {
  const auto r = decode(update_msg("18 0a0000", P, ""), k4);
  CHECK(r.ok());
  const auto u = decode(update_msg("", "80 0f 06 0002 01 10 2001", ""), k4);
  CHECK(u.ok());
}

TEST_CASE("unsupported address families in MP attributes are ignored, not fatal") {
  // AFI 25 (L2VPN) SAFI 70 (EVPN).
  const auto r = decode(update_msg("", B + "80 0e 0b 0019 46 04 0a000001 00 0000", kNlri), k4);
  CHECK(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].action == ErrorAction::None);
  CHECK_FALSE(std::get<Update>(*r.message).mp_reach);
}

TEST_CASE("treat-as-withdraw keeps MP_REACH NLRI so the caller can withdraw it") {
  const auto r = decode(update_msg("", O + kMpReach6 + "40 02 01 02", ""), k4);
  CHECK(r.action == kTaw);
  const auto& u = std::get<Update>(*r.message);
  REQUIRE(u.mp_reach);
  CHECK(u.mp_reach->nlri == std::vector{pfx("2001:db8::/32")});
}
