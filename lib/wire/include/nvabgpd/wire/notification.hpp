#pragma once
// NOTIFICATION error codes and subcodes (RFC 4271 4.5 and 6, RFC 4486 / RFC 8538 / RFC 9384
// Cease subcodes, RFC 6608 FSM subcodes, RFC 7313 ROUTE-REFRESH error), human descriptions,
// and the RFC 8203 / RFC 9003 shutdown communication carried by Cease/Administrative
// Shutdown and Cease/Administrative Reset.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::wire {

namespace err {
// Error codes.
inline constexpr std::uint8_t kMessageHeaderError = 1;
inline constexpr std::uint8_t kOpenMessageError = 2;
inline constexpr std::uint8_t kUpdateMessageError = 3;
inline constexpr std::uint8_t kHoldTimerExpired = 4;
inline constexpr std::uint8_t kFsmError = 5;
inline constexpr std::uint8_t kCease = 6;
inline constexpr std::uint8_t kRouteRefreshMessageError = 7;  // RFC 7313
inline constexpr std::uint8_t kSendHoldTimerExpired = 8;      // RFC 9687

// Subcode 0 means "unspecific" for every code.
inline constexpr std::uint8_t kUnspecific = 0;

// Message Header Error subcodes.
inline constexpr std::uint8_t kHeaderConnectionNotSynchronized = 1;
inline constexpr std::uint8_t kHeaderBadMessageLength = 2;
inline constexpr std::uint8_t kHeaderBadMessageType = 3;

// OPEN Message Error subcodes.
inline constexpr std::uint8_t kOpenUnsupportedVersion = 1;
inline constexpr std::uint8_t kOpenBadPeerAs = 2;
inline constexpr std::uint8_t kOpenBadBgpId = 3;
inline constexpr std::uint8_t kOpenUnsupportedOptionalParameter = 4;
inline constexpr std::uint8_t kOpenAuthenticationFailure = 5;  // deprecated
inline constexpr std::uint8_t kOpenUnacceptableHoldTime = 6;
inline constexpr std::uint8_t kOpenUnsupportedCapability = 7;  // RFC 5492
inline constexpr std::uint8_t kOpenRoleMismatch = 11;          // RFC 9234

// UPDATE Message Error subcodes.
inline constexpr std::uint8_t kUpdateMalformedAttributeList = 1;
inline constexpr std::uint8_t kUpdateUnrecognizedWellKnown = 2;
inline constexpr std::uint8_t kUpdateMissingWellKnown = 3;
inline constexpr std::uint8_t kUpdateAttributeFlagsError = 4;
inline constexpr std::uint8_t kUpdateAttributeLengthError = 5;
inline constexpr std::uint8_t kUpdateInvalidOrigin = 6;
inline constexpr std::uint8_t kUpdateAsRoutingLoop = 7;  // deprecated
inline constexpr std::uint8_t kUpdateInvalidNextHop = 8;
inline constexpr std::uint8_t kUpdateOptionalAttributeError = 9;
inline constexpr std::uint8_t kUpdateInvalidNetworkField = 10;
inline constexpr std::uint8_t kUpdateMalformedAsPath = 11;

// Finite State Machine Error subcodes (RFC 6608).
inline constexpr std::uint8_t kFsmUnexpectedInOpenSent = 1;
inline constexpr std::uint8_t kFsmUnexpectedInOpenConfirm = 2;
inline constexpr std::uint8_t kFsmUnexpectedInEstablished = 3;

// Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
inline constexpr std::uint8_t kCeaseMaxPrefixes = 1;
inline constexpr std::uint8_t kCeaseAdminShutdown = 2;
inline constexpr std::uint8_t kCeasePeerDeconfigured = 3;
inline constexpr std::uint8_t kCeaseAdminReset = 4;
inline constexpr std::uint8_t kCeaseConnectionRejected = 5;
inline constexpr std::uint8_t kCeaseOtherConfigChange = 6;
inline constexpr std::uint8_t kCeaseConnectionCollision = 7;
inline constexpr std::uint8_t kCeaseOutOfResources = 8;
inline constexpr std::uint8_t kCeaseHardReset = 9;  // RFC 8538
inline constexpr std::uint8_t kCeaseBfdDown = 10;   // RFC 9384

// ROUTE-REFRESH Message Error subcodes (RFC 7313).
inline constexpr std::uint8_t kRouteRefreshInvalidLength = 1;
}  // namespace err

// "Cease", "UPDATE Message Error", "error code 99".
std::string code_name(std::uint8_t code);
// "Administrative Shutdown", "Unspecific", "subcode 42".
std::string subcode_name(std::uint8_t code, std::uint8_t subcode);

// A one-line human reason, e.g. `Cease/Administrative Shutdown: "maintenance"`,
// `Message Header Error/Bad Message Length (data 00 12)`,
// `Cease/Maximum Number of Prefixes Reached (IPv4 unicast, limit 1000)`.
std::string describe(const Notification& n);

// RFC 9003: the shutdown communication is at most 255 octets of UTF-8.
inline constexpr std::size_t kMaxShutdownCommunication = 255;

// The NOTIFICATION data for a shutdown communication: a length octet then UTF-8 text.
// Text longer than 255 octets is cut at the last whole UTF-8 character that fits.
std::vector<std::uint8_t> encode_shutdown_communication(std::string_view text);

// The shutdown communication of a Cease/Administrative Shutdown or Administrative Reset.
// nullopt when the notification is another kind, carries no data, or the data is malformed
// (length beyond the data, or invalid UTF-8); "" for a zero-length communication.
std::optional<std::string> decode_shutdown_communication(const Notification& n);

// Cease/<subcode> carrying `text` as its shutdown communication (empty text: no data).
Notification make_shutdown_notification(std::uint8_t cease_subcode, std::string_view text);

// Cease/Maximum Number of Prefixes Reached with the RFC 4486 data (AFI, SAFI, limit).
Notification make_max_prefix_notification(AfiSafi af, std::uint32_t limit);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace nvabgpd::wire
