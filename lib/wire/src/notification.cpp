#include "nvabgpd/wire/notification.hpp"

#include <array>

#include <fmt/format.h>

namespace nvabgpd::wire {
namespace {

struct SubcodeName {
  std::uint8_t code;
  std::uint8_t subcode;
  std::string_view name;
};

constexpr std::array<std::string_view, 9> kCodeNames = {
    "",
    "Message Header Error",
    "OPEN Message Error",
    "UPDATE Message Error",
    "Hold Timer Expired",
    "Finite State Machine Error",
    "Cease",
    "ROUTE-REFRESH Message Error",
    "Send Hold Timer Expired",
};

constexpr SubcodeName kSubcodeNames[] = {
    {err::kMessageHeaderError, err::kHeaderConnectionNotSynchronized,
     "Connection Not Synchronized"},
    {err::kMessageHeaderError, err::kHeaderBadMessageLength, "Bad Message Length"},
    {err::kMessageHeaderError, err::kHeaderBadMessageType, "Bad Message Type"},
    {err::kOpenMessageError, err::kOpenUnsupportedVersion, "Unsupported Version Number"},
    {err::kOpenMessageError, err::kOpenBadPeerAs, "Bad Peer AS"},
    {err::kOpenMessageError, err::kOpenBadBgpId, "Bad BGP Identifier"},
    {err::kOpenMessageError, err::kOpenUnsupportedOptionalParameter,
     "Unsupported Optional Parameter"},
    {err::kOpenMessageError, err::kOpenAuthenticationFailure, "Authentication Failure"},
    {err::kOpenMessageError, err::kOpenUnacceptableHoldTime, "Unacceptable Hold Time"},
    {err::kOpenMessageError, err::kOpenUnsupportedCapability, "Unsupported Capability"},
    {err::kOpenMessageError, err::kOpenRoleMismatch, "Role Mismatch"},
    {err::kUpdateMessageError, err::kUpdateMalformedAttributeList, "Malformed Attribute List"},
    {err::kUpdateMessageError, err::kUpdateUnrecognizedWellKnown,
     "Unrecognized Well-known Attribute"},
    {err::kUpdateMessageError, err::kUpdateMissingWellKnown, "Missing Well-known Attribute"},
    {err::kUpdateMessageError, err::kUpdateAttributeFlagsError, "Attribute Flags Error"},
    {err::kUpdateMessageError, err::kUpdateAttributeLengthError, "Attribute Length Error"},
    {err::kUpdateMessageError, err::kUpdateInvalidOrigin, "Invalid ORIGIN Attribute"},
    {err::kUpdateMessageError, err::kUpdateAsRoutingLoop, "AS Routing Loop"},
    {err::kUpdateMessageError, err::kUpdateInvalidNextHop, "Invalid NEXT_HOP Attribute"},
    {err::kUpdateMessageError, err::kUpdateOptionalAttributeError, "Optional Attribute Error"},
    {err::kUpdateMessageError, err::kUpdateInvalidNetworkField, "Invalid Network Field"},
    {err::kUpdateMessageError, err::kUpdateMalformedAsPath, "Malformed AS_PATH"},
    {err::kFsmError, err::kFsmUnexpectedInOpenSent, "Receive Unexpected Message in OpenSent State"},
    {err::kFsmError, err::kFsmUnexpectedInOpenConfirm,
     "Receive Unexpected Message in OpenConfirm State"},
    {err::kFsmError, err::kFsmUnexpectedInEstablished,
     "Receive Unexpected Message in Established State"},
    {err::kCease, err::kCeaseMaxPrefixes, "Maximum Number of Prefixes Reached"},
    {err::kCease, err::kCeaseAdminShutdown, "Administrative Shutdown"},
    {err::kCease, err::kCeasePeerDeconfigured, "Peer De-configured"},
    {err::kCease, err::kCeaseAdminReset, "Administrative Reset"},
    {err::kCease, err::kCeaseConnectionRejected, "Connection Rejected"},
    {err::kCease, err::kCeaseOtherConfigChange, "Other Configuration Change"},
    {err::kCease, err::kCeaseConnectionCollision, "Connection Collision Resolution"},
    {err::kCease, err::kCeaseOutOfResources, "Out of Resources"},
    {err::kCease, err::kCeaseHardReset, "Hard Reset"},
    {err::kCease, err::kCeaseBfdDown, "BFD Down"},
    {err::kRouteRefreshMessageError, err::kRouteRefreshInvalidLength, "Invalid Message Length"},
};

std::string hex_bytes(const std::vector<std::uint8_t>& data, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < data.size() && i < max; ++i) {
    if (i) out += ' ';
    out += fmt::format("{:02x}", data[i]);
  }
  if (data.size() > max) out += " ...";
  return out;
}

// Length of the UTF-8 sequence starting with `lead`, or 0 for an invalid lead byte.
unsigned utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

std::string code_name(std::uint8_t code) {
  if (code >= 1 && code < kCodeNames.size()) return std::string(kCodeNames[code]);
  return fmt::format("error code {}", code);
}

std::string subcode_name(std::uint8_t code, std::uint8_t subcode) {
  for (const auto& s : kSubcodeNames)
    if (s.code == code && s.subcode == subcode) return std::string(s.name);
  if (subcode == err::kUnspecific) return "Unspecific";
  return fmt::format("subcode {}", subcode);
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const unsigned n = utf8_sequence_length(lead);
    if (n == 0 || i + n > s.size()) return false;
    for (unsigned k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (n >= 3) {
      const auto second = static_cast<unsigned char>(s[i + 1]);
      if (lead == 0xE0 && second < 0xA0) return false;  // overlong
      if (lead == 0xED && second > 0x9F) return false;  // surrogate
      if (lead == 0xF0 && second < 0x90) return false;  // overlong
      if (lead == 0xF4 && second > 0x8F) return false;  // above U+10FFFF
    }
    i += n;
  }
  return true;
}

std::vector<std::uint8_t> encode_shutdown_communication(std::string_view text) {
  std::size_t n = text.size();
  if (n > kMaxShutdownCommunication) {
    n = kMaxShutdownCommunication;
    // Step back over continuation bytes so no character is cut in half.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  std::vector<std::uint8_t> out;
  out.reserve(n + 1);
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

std::optional<std::string> decode_shutdown_communication(const Notification& n) {
  if (n.code != err::kCease ||
      (n.subcode != err::kCeaseAdminShutdown && n.subcode != err::kCeaseAdminReset))
    return std::nullopt;
  if (n.data.empty()) return std::nullopt;
  const std::size_t len = n.data[0];
  if (len + 1 > n.data.size()) return std::nullopt;
  std::string text(n.data.begin() + 1, n.data.begin() + 1 + static_cast<std::ptrdiff_t>(len));
  if (!is_valid_utf8(text)) return std::nullopt;
  return text;
}

Notification make_shutdown_notification(std::uint8_t cease_subcode, std::string_view text) {
  Notification n{err::kCease, cease_subcode, {}};
  if (!text.empty()) n.data = encode_shutdown_communication(text);
  return n;
}

Notification make_max_prefix_notification(AfiSafi af, std::uint32_t limit) {
  Notification n{err::kCease, err::kCeaseMaxPrefixes, {}};
  const auto afi = static_cast<std::uint16_t>(af.afi);
  n.data = {static_cast<std::uint8_t>(afi >> 8),    static_cast<std::uint8_t>(afi),
            static_cast<std::uint8_t>(af.safi),     static_cast<std::uint8_t>(limit >> 24),
            static_cast<std::uint8_t>(limit >> 16), static_cast<std::uint8_t>(limit >> 8),
            static_cast<std::uint8_t>(limit)};
  return n;
}

std::string describe(const Notification& n) {
  std::string out = code_name(n.code);
  const bool has_subcodes = n.code != err::kHoldTimerExpired || n.subcode != 0;
  if (has_subcodes) out += "/" + subcode_name(n.code, n.subcode);
  if (n.data.empty()) return out;

  if (n.code == err::kCease &&
      (n.subcode == err::kCeaseAdminShutdown || n.subcode == err::kCeaseAdminReset)) {
    if (auto text = decode_shutdown_communication(n)) {
      // The peer's text is untrusted: show control characters escaped.
      std::string shown;
      for (char c : *text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '"' || c == '\\')
          shown += fmt::format("\\x{:02x}", u);
        else
          shown += c;
      }
      return out + ": \"" + shown + "\"";
    }
    return out + " (malformed shutdown communication: " + hex_bytes(n.data, 16) + ")";
  }
  if (n.code == err::kCease && n.subcode == err::kCeaseMaxPrefixes && n.data.size() == 7) {
    const unsigned afi = (unsigned{n.data[0]} << 8) | n.data[1];
    const unsigned safi = n.data[2];
    const std::uint32_t limit = (std::uint32_t{n.data[3]} << 24) |
                                (std::uint32_t{n.data[4]} << 16) | (std::uint32_t{n.data[5]} << 8) |
                                n.data[6];
    std::string fam;
    if (afi == 1 && safi == 1)
      fam = "IPv4 unicast";
    else if (afi == 2 && safi == 1)
      fam = "IPv6 unicast";
    else
      fam = fmt::format("AFI {} SAFI {}", afi, safi);
    return out + fmt::format(" ({}, limit {})", fam, limit);
  }
  return out + " (data " + hex_bytes(n.data, 32) + ")";
}

}  // namespace nvabgpd::wire
