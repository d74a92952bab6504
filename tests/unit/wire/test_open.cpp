#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using wiretest::hex;
using wiretest::is_reset;
using wiretest::message;

namespace {

const SessionParams kParams{};

// Every capability the codec knows, in encoder order, plus one unknown (131).
constexpr std::string_view kOpenBody =
    "04 5ba0 00b4 0a000001 36 02 34"
    "01 04 0001 00 01"           // multiprotocol IPv4 unicast
    "01 04 0002 00 01"           // multiprotocol IPv6 unicast
    "02 00"                      // route refresh
    "46 00"                      // enhanced route refresh
    "06 00"                      // extended message
    "40 06 8078 0001 01 80"      // graceful restart: R, 120 s, IPv4 unicast forwarding preserved
    "41 04 00010000"             // 4-octet AS 65536
    "45 04 0001 01 03"           // add-path IPv4 unicast send+receive
    "49 08 04 6e766131 02 6c61"  // fqdn nva1 / la
    "83 02 abcd";                // unknown capability 131

Open expected_open() {
  Open o;
  o.my_as = kAsTrans;
  o.hold_time = 180;
  o.bgp_id = 0x0a000001;
  o.caps.multiprotocol = {kIpv4Unicast, kIpv6Unicast};
  o.caps.route_refresh = true;
  o.caps.enhanced_route_refresh = true;
  o.caps.extended_message = true;
  o.caps.graceful_restart = GracefulRestartCap{true, false, 120, {{kIpv4Unicast, true}}};
  o.caps.four_octet_as = 65536;
  o.caps.add_path = {AddPathCap{kIpv4Unicast, 3}};
  o.caps.fqdn = FqdnCap{"nva1", "la"};
  o.caps.unknown = {RawCapability{131, {0xab, 0xcd}}};
  return o;
}

DecodeResult decode_open_body(std::string_view body_hex) {
  return decode(message(1, body_hex), kParams);
}

}  // namespace

TEST_CASE("OPEN with every capability decodes to its values and encodes to the same bytes") {
  const auto bytes = message(1, kOpenBody);
  const auto r = decode(bytes, kParams);
  REQUIRE(r.ok());
  REQUIRE(r.message);
  const auto& o = std::get<Open>(*r.message);
  CHECK(o == expected_open());
  CHECK(o.asn() == 65536);
  CHECK(encode(expected_open(), kParams) == bytes);
}

TEST_CASE("OPEN without capabilities") {
  const auto bytes = message(1, "04 fde8 005a c0a80001 00");
  const auto r = decode(bytes, kParams);
  REQUIRE(r.ok());
  const auto& o = std::get<Open>(*r.message);
  CHECK(o.my_as == 65000);
  CHECK(o.asn() == 65000);
  CHECK(o.hold_time == 90);
  CHECK(o.caps == Capabilities{});
  CHECK(encode(o, kParams) == bytes);
}

TEST_CASE("OPEN with each capability in its own optional parameter") {
  const auto r = decode_open_body("04 fde8 005a c0a80001 0c 02 06 0104 00010001 02 02 0200");
  REQUIRE(r.ok());
  const auto& o = std::get<Open>(*r.message);
  CHECK(o.caps.multiprotocol == std::vector<AfiSafi>{kIpv4Unicast});
  CHECK(o.caps.route_refresh);
}

TEST_CASE("OPEN with capabilities beyond 255 octets uses RFC 9072 extended parameters") {
  Open o;
  o.my_as = 65001;
  o.hold_time = 90;
  o.bgp_id = 1;
  for (std::uint8_t c = 0; c < 100; ++c)
    o.caps.unknown.push_back(RawCapability{static_cast<std::uint8_t>(200 + c % 50), {c, c, c}});
  const auto bytes = encode(o, kParams);
  // opt len 255, then the 255 marker type and a 2-octet length.
  CHECK(bytes[28] == 255);
  CHECK(bytes[29] == 255);
  const auto r = decode(bytes, kParams);
  REQUIRE(r.ok());
  CHECK(std::get<Open>(*r.message) == o);
}

TEST_CASE("OPEN errors reset the session with the RFC 4271 6.2 subcode") {
  using namespace err;
  // Unsupported version: data is the highest version we support (2 octets).
  CHECK(is_reset(decode_open_body("03 fde8 005a c0a80001 00"), kOpenMessageError,
                 kOpenUnsupportedVersion, {0, 4}));
  CHECK(is_reset(decode_open_body("04 fde8 0001 c0a80001 00"), kOpenMessageError,
                 kOpenUnacceptableHoldTime));
  CHECK(is_reset(decode_open_body("04 fde8 0002 c0a80001 00"), kOpenMessageError,
                 kOpenUnacceptableHoldTime));
  CHECK(is_reset(decode_open_body("04 fde8 005a 00000000 00"), kOpenMessageError, kOpenBadBgpId));
  // RFC 7607: AS 0 in the 2-octet field or in the 4-octet capability.
  CHECK(is_reset(decode_open_body("04 0000 005a c0a80001 00"), kOpenMessageError, kOpenBadPeerAs));
  CHECK(is_reset(decode_open_body("04 5ba0 005a c0a80001 08 02 06 41 04 00000000"),
                 kOpenMessageError, kOpenBadPeerAs));
  // Optional parameter type 1 (authentication, deprecated) is unsupported.
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 04 01 02 0000"), kOpenMessageError,
                 kOpenUnsupportedOptionalParameter));
  // Optional parameters length larger / smaller than what follows.
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 05 02 02 0200"), kOpenMessageError,
                 kUnspecific));
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 03 02 02 0200"), kOpenMessageError,
                 kUnspecific));
  // A capability overrunning its parameter, and a 4-octet AS capability of length 2.
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 04 02 02 4104"), kOpenMessageError,
                 kUnspecific));
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 06 02 04 4102 0001"), kOpenMessageError,
                 kUnspecific));
  // Graceful restart whose family list is not a multiple of 4.
  CHECK(is_reset(decode_open_body("04 fde8 005a c0a80001 07 02 05 4003 0078 00"), kOpenMessageError,
                 kUnspecific));
  // An OPEN shorter than 29 octets is a header error.
  CHECK(is_reset(decode(message(1, "04 fde8 005a c0a80001"), kParams), kMessageHeaderError,
                 kHeaderBadMessageLength, {0, 28}));
}

TEST_CASE("malformed FQDN capability is kept as unknown, not fatal") {
  const auto r = decode_open_body("04 fde8 005a c0a80001 07 02 05 49 03 09 6162");
  REQUIRE(r.message);
  CHECK(r.action == ErrorAction::None);
  REQUIRE(r.errors.size() == 1);
  const auto& o = std::get<Open>(*r.message);
  CHECK_FALSE(o.caps.fqdn);
  CHECK(o.caps.unknown == std::vector<RawCapability>{{73, {0x09, 0x61, 0x62}}});
}

TEST_CASE("capability names") {
  CHECK(capability_name(cap::kFourOctetAs) == "4-octet-as");
  CHECK(capability_name(cap::kAddPath) == "add-path");
  CHECK(capability_name(131) == "capability 131");
  CHECK(two_octet_as(65000) == 65000);
  CHECK(two_octet_as(65536) == kAsTrans);
}
