// UPDATE decoding that depends on the session (SessionParams::ebgp, local_address): the
// RFC 7606 outcomes for attributes that only mean something inside the AS, next-hop semantic
// checks, and the OTC attribute (RFC 9234) in both directions.
#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;

namespace {

const SessionParams kIbgp = session_at_10_0_0_2(false);
const SessionParams kEbgp = session_at_10_0_0_2(true);
const std::string kNlri = "18 c0a801";

std::vector<std::uint8_t> with_base(const std::string& extra, const std::string& nlri = kNlri) {
  return update_msg("", kBaseAttrs + extra, nlri);
}

const Update& update_of(const DecodeResult& r) { return std::get<Update>(*r.message); }

}  // namespace

TEST_CASE("LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are used from iBGP only") {
  const auto msg = with_base("40 05 04 000000c8 80 09 04 0a000009 80 0a 04 01010101");
  const auto i = decode(msg, kIbgp);
  REQUIRE(i.ok());
  CHECK(update_of(i).attrs.local_pref == 200U);
  CHECK(update_of(i).attrs.originator_id == 0x0a000009U);
  CHECK(update_of(i).attrs.cluster_list == std::vector<std::uint32_t>{0x01010101});
  // From eBGP, well formed: silently not taken (RFC 7606 7.5, 7.9, 7.10), no error.
  const auto e = decode(msg, kEbgp);
  REQUIRE(e.ok());
  CHECK(e.errors.empty());
  CHECK_FALSE(update_of(e).attrs.local_pref);
  CHECK_FALSE(update_of(e).attrs.originator_id);
  CHECK(update_of(e).attrs.cluster_list.empty());
  CHECK(update_of(e).nlri == std::vector{pfx("192.168.1.0/24")});
}

TEST_CASE("a malformed LOCAL_PREF from eBGP keeps the routes, from iBGP withdraws them") {
  const auto msg = with_base("40 05 02 0064 c0 08 04 00010002");
  const auto e = decode(msg, kEbgp);
  CHECK(e.action == ErrorAction::AttributeDiscard);
  REQUIRE(e.message);
  CHECK(update_of(e).nlri == std::vector{pfx("192.168.1.0/24")});
  CHECK(update_of(e).attrs.communities == std::vector{Community::of(1, 2)});
  CHECK(decode(msg, kIbgp).action == ErrorAction::TreatAsWithdraw);
}

TEST_CASE("confederation segments are refused from eBGP only") {
  const auto msg = update_msg(
      "", std::string(kOrigin) + "40 02 0c 03 01 0000fdea 02 01 0000fde9" + std::string(kNextHop),
      kNlri);
  const auto i = decode(msg, kIbgp);
  REQUIRE(i.ok());
  CHECK(update_of(i).attrs.as_path.segments.size() == 2);
  const auto e = decode(msg, kEbgp);
  CHECK(e.action == ErrorAction::TreatAsWithdraw);
  REQUIRE(e.errors.size() == 1);
  CHECK(e.errors[0].reason.find("confederation") != std::string::npos);
}

TEST_CASE("next hop checks: our own address, loopback; a loopback session may use loopback") {
  const auto to_own =
      update_msg("", std::string(kOrigin) + std::string(kAsPath) + "40 03 04 0a000002", kNlri);
  CHECK(decode(to_own, kEbgp).action == ErrorAction::TreatAsWithdraw);
  CHECK(decode(to_own, SessionParams{}).ok());  // local address unknown: cannot tell
  const auto to_lo =
      update_msg("", std::string(kOrigin) + std::string(kAsPath) + "40 03 04 7f000001", kNlri);
  const auto r = decode(to_lo, kEbgp);
  CHECK(r.action == ErrorAction::TreatAsWithdraw);
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors[0].reason == "NEXT_HOP: a loopback address");
  // Both speakers on this host (127.0.0.1 <-> 127.0.0.1): the peer's loopback next hop is real.
  const SessionParams on_lo{.four_octet_as = true,
                            .extended_message = false,
                            .ebgp = true,
                            .local_address = ip("127.0.0.1")};
  CHECK(decode(to_lo, on_lo).ok());
}

TEST_CASE("an unusable MP_REACH next hop keeps the NLRI so they can be withdrawn") {
  const auto r =
      decode(update_msg("",
                        std::string(kOrigin) + std::string(kAsPath) +
                            "80 0e 1a 0002 01 10 00000000000000000000000000000001 00 20 20010db8",
                        ""),
             kEbgp);
  CHECK(r.action == ErrorAction::TreatAsWithdraw);
  REQUIRE(update_of(r).mp_reach);
  CHECK(update_of(r).mp_reach->nlri == std::vector{pfx("2001:db8::/32")});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].reason == "MP_REACH_NLRI: next hop ::1 is a loopback address");
}

TEST_CASE("OTC is a known attribute carried unchanged (RFC 9234)") {
  // Received: OTC 65001 between LARGE_COMMUNITY and an unknown attribute 40.
  const auto msg = with_base("c0 20 0c 0000fde9 00000001 00000002 c0 23 04 0000fde9 c0 28 01 07");
  const auto r = decode(msg, kEbgp);
  REQUIRE(r.ok());
  const auto& u = update_of(r);
  const std::vector<RawAttribute> raw = {{0xc0, attr::kOtc, {0x00, 0x00, 0xfd, 0xe9}},
                                         {0xc0, 40, {0x07}}};
  CHECK(u.attrs.unknown == raw);
  CHECK(attribute_name(attr::kOtc) == "OTC");
  // Sent on: OTC without the Partial bit (we recognise it); the unknown one gets Partial.
  const auto out = encode(Message{u}, kEbgp);
  const auto expect = update_msg(
      "", kBaseAttrs + "c0 20 0c 0000fde9 00000001 00000002 c0 23 04 0000fde9 e0 28 01 07", kNlri);
  CHECK(to_hex(out) == to_hex(expect));
  // A Partial bit set upstream stays.
  const auto partial = decode(with_base("e0 23 04 0000fde9"), kEbgp);
  REQUIRE(partial.ok());
  REQUIRE(update_of(partial).attrs.unknown.size() == 1);
  CHECK(update_of(partial).attrs.unknown[0].flags == 0xe0);
  CHECK(to_hex(encode(Message{update_of(partial)}, kEbgp)) ==
        to_hex(with_base("e0 23 04 0000fde9")));
}
