#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using wiretest::hex;
using wiretest::is_reset;
using wiretest::message;

namespace {
const SessionParams kParams{};
}

TEST_CASE("KEEPALIVE is a bare header") {
  const auto bytes = encode(Keepalive{}, kParams);
  CHECK(bytes == message(4, ""));
  CHECK(bytes.size() == 19);
  const auto r = decode(bytes, kParams);
  REQUIRE(r.ok());
  CHECK(std::holds_alternative<Keepalive>(*r.message));
  // A KEEPALIVE of 20 octets: Bad Message Length quoting the length.
  CHECK(is_reset(decode(message(4, "00"), kParams), err::kMessageHeaderError,
                 err::kHeaderBadMessageLength, {0, 20}));
}

TEST_CASE("NOTIFICATION round-trips code, subcode and data") {
  const auto n = make_shutdown_notification(err::kCeaseAdminShutdown, "bye");
  const auto bytes = encode(n, kParams);
  CHECK(bytes == message(3, "06 02 03 627965"));
  const auto r = decode(bytes, kParams);
  REQUIRE(r.ok());
  CHECK(std::get<Notification>(*r.message) == n);
  // Unknown codes are delivered as they are.
  const auto odd = decode(message(3, "63 07"), kParams);
  REQUIRE(odd.ok());
  CHECK(std::get<Notification>(*odd.message) == Notification{0x63, 7, {}});
  // Shorter than code + subcode.
  CHECK(is_reset(decode(message(3, "06"), kParams), err::kMessageHeaderError,
                 err::kHeaderBadMessageLength, {0, 20}));
}

TEST_CASE("ROUTE-REFRESH normal, BoRR and EoRR") {
  const RouteRefresh normal{kIpv4Unicast, 0};
  CHECK(encode(normal, kParams) == message(5, "0001 00 01"));
  const RouteRefresh borr{kIpv6Unicast, 1};
  CHECK(encode(borr, kParams) == message(5, "0002 01 01"));
  for (const RouteRefresh& rr : {normal, borr, RouteRefresh{kIpv4Unicast, 2}}) {
    const auto r = decode(encode(rr, kParams), kParams);
    REQUIRE(r.ok());
    CHECK(std::get<RouteRefresh>(*r.message) == rr);
  }
}

TEST_CASE("ROUTE-REFRESH length errors follow RFC 7313") {
  // BoRR of 5 octets: ROUTE-REFRESH Message Error quoting the whole message.
  const auto long_borr = message(5, "0001 01 01 00");
  CHECK(is_reset(decode(long_borr, kParams), err::kRouteRefreshMessageError,
                 err::kRouteRefreshInvalidLength, long_borr));
  // A normal request of the wrong length gets the same ROUTE-REFRESH error (not the header's
  // Bad Message Length, which RFC 4271 defines for the other message types).
  const auto long_normal = message(5, "0001 00 01 00");
  CHECK(is_reset(decode(long_normal, kParams), err::kRouteRefreshMessageError,
                 err::kRouteRefreshInvalidLength, long_normal));
  const auto short_normal = message(5, "0001");
  CHECK(is_reset(decode(short_normal, kParams), err::kRouteRefreshMessageError,
                 err::kRouteRefreshInvalidLength, short_normal));
  const auto empty = message(5, "");
  CHECK(is_reset(decode(empty, kParams), err::kRouteRefreshMessageError,
                 err::kRouteRefreshInvalidLength, empty));
}

TEST_CASE("decode rejects bad headers") {
  auto bytes = encode(Keepalive{}, kParams);
  SECTION("marker") {
    bytes[3] = 0xFE;
    CHECK(is_reset(decode(bytes, kParams), err::kMessageHeaderError,
                   err::kHeaderConnectionNotSynchronized));
  }
  SECTION("type") {
    bytes[18] = 9;
    CHECK(is_reset(decode(bytes, kParams), err::kMessageHeaderError, err::kHeaderBadMessageType,
                   {9}));
  }
  SECTION("length field disagrees with the bytes given") {
    bytes.push_back(0);
    CHECK(is_reset(decode(bytes, kParams), err::kMessageHeaderError, err::kHeaderBadMessageLength,
                   {0, 19}));
  }
  SECTION("shorter than a header") {
    bytes.resize(10);
    const auto r = decode(bytes, kParams);
    CHECK(r.action == ErrorAction::SessionReset);
    CHECK(r.notification->subcode == err::kHeaderBadMessageLength);
  }
  SECTION("longer than 4096 without extended message") {
    auto big = message(3, std::vector<std::uint8_t>(5000, 0x06));
    CHECK(is_reset(decode(big, kParams), err::kMessageHeaderError, err::kHeaderBadMessageLength,
                   {0x13, 0x9b}));
    const auto r = decode(big, SessionParams{true, true});
    CHECK(r.ok());
  }
}
