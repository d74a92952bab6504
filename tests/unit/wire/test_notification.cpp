#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using wiretest::hex;

TEST_CASE("error codes and subcodes carry their RFC values") {
  CHECK(err::kMessageHeaderError == 1);
  CHECK(err::kOpenMessageError == 2);
  CHECK(err::kUpdateMessageError == 3);
  CHECK(err::kHoldTimerExpired == 4);
  CHECK(err::kFsmError == 5);
  CHECK(err::kCease == 6);
  CHECK(err::kRouteRefreshMessageError == 7);
  CHECK(err::kOpenBadPeerAs == 2);
  CHECK(err::kOpenUnacceptableHoldTime == 6);
  CHECK(err::kOpenUnsupportedCapability == 7);
  CHECK(err::kUpdateMalformedAsPath == 11);
  CHECK(err::kUpdateInvalidNetworkField == 10);
  CHECK(err::kCeaseAdminShutdown == 2);
  CHECK(err::kCeaseConnectionCollision == 7);
  CHECK(err::kCeaseHardReset == 9);
}

TEST_CASE("describe names code, subcode and the shutdown communication") {
  CHECK(describe(make_shutdown_notification(err::kCeaseAdminShutdown, "maintenance")) ==
        "Cease/Administrative Shutdown: \"maintenance\"");
  CHECK(describe(Notification{err::kCease, err::kCeaseAdminReset, {}}) ==
        "Cease/Administrative Reset");
  CHECK(describe(Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, {0, 0x12}}) ==
        "Message Header Error/Bad Message Length (data 00 12)");
  CHECK(describe(Notification{err::kHoldTimerExpired, 0, {}}) == "Hold Timer Expired");
  CHECK(describe(Notification{err::kUpdateMessageError, 0, {}}) ==
        "UPDATE Message Error/Unspecific");
  CHECK(describe(Notification{42, 7, {}}) == "error code 42/subcode 7");
  CHECK(describe(make_max_prefix_notification(kIpv6Unicast, 1000)) ==
        "Cease/Maximum Number of Prefixes Reached (IPv6 unicast, limit 1000)");
  // The peer's text is untrusted: control characters and quotes are escaped.
  CHECK(describe(make_shutdown_notification(err::kCeaseAdminShutdown, "a\"b\n")) ==
        "Cease/Administrative Shutdown: \"a\\x22b\\x0a\"");
  // A length octet pointing past the data is reported as malformed, not trusted.
  CHECK(describe(Notification{err::kCease, err::kCeaseAdminShutdown, {5, 'a'}}) ==
        "Cease/Administrative Shutdown (malformed shutdown communication: 05 61)");
}

TEST_CASE("shutdown communication encodes as length octet plus UTF-8") {
  CHECK(encode_shutdown_communication("hi") == hex("02 6869"));
  CHECK(encode_shutdown_communication("") == hex("00"));

  const Notification n = make_shutdown_notification(err::kCeaseAdminReset, "reboot");
  CHECK(n.code == err::kCease);
  CHECK(n.subcode == err::kCeaseAdminReset);
  CHECK(decode_shutdown_communication(n) == std::optional<std::string>("reboot"));
  // Trailing octets after the communication are ignored.
  CHECK(decode_shutdown_communication(Notification{6, 2, hex("01 41 ff")}) == "A");
  CHECK(decode_shutdown_communication(Notification{6, 2, hex("00")}) == "");
}

TEST_CASE("shutdown communication longer than 255 octets is cut on a character boundary") {
  // 254 ASCII bytes then a 2-byte character: the character does not fit and is dropped whole.
  std::string text(254, 'x');
  text += "\xC3\xA9";  // e-acute
  const auto data = encode_shutdown_communication(text);
  REQUIRE(data.size() == 255);
  CHECK(data[0] == 254);
  const auto back = decode_shutdown_communication(Notification{6, 2, data});
  REQUIRE(back);
  CHECK(*back == std::string(254, 'x'));

  const auto exact = encode_shutdown_communication(std::string(300, 'y'));
  CHECK(exact.size() == 256);
  CHECK(exact[0] == 255);
}

TEST_CASE("shutdown communication rejects malformed data") {
  CHECK_FALSE(decode_shutdown_communication(Notification{6, 2, {}}));
  CHECK_FALSE(decode_shutdown_communication(Notification{6, 2, hex("03 4141")}));
  CHECK_FALSE(decode_shutdown_communication(Notification{6, 2, hex("02 c328")}));  // bad UTF-8
  CHECK_FALSE(decode_shutdown_communication(Notification{6, 3, hex("01 41")}));    // not 2/4
  CHECK_FALSE(decode_shutdown_communication(Notification{3, 2, hex("01 41")}));
}

TEST_CASE("UTF-8 validation") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xE2\x82\xAC"));            // euro sign
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));        // emoji
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}
