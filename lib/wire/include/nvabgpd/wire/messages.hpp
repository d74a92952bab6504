#pragma once
// BGP-4 messages as values (RFC 4271 section 4 and extensions).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::wire {

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654
inline constexpr std::uint16_t kAsTrans = 23456;               // RFC 6793

enum class MessageType : std::uint8_t {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,
};

// Capability codes (IANA).
namespace cap {
inline constexpr std::uint8_t kMultiprotocol = 1;
inline constexpr std::uint8_t kRouteRefresh = 2;
inline constexpr std::uint8_t kExtendedMessage = 6;
inline constexpr std::uint8_t kGracefulRestart = 64;
inline constexpr std::uint8_t kFourOctetAs = 65;
inline constexpr std::uint8_t kAddPath = 69;
inline constexpr std::uint8_t kEnhancedRouteRefresh = 70;
inline constexpr std::uint8_t kFqdn = 73;
}  // namespace cap

// Human name of a capability code ("4-octet-as", "capability 131").
std::string capability_name(std::uint8_t code);

// The OPEN "My Autonomous System" field for `asn`: AS_TRANS when it needs 4 octets.
constexpr std::uint16_t two_octet_as(std::uint32_t asn) {
  return asn <= 0xFFFF ? static_cast<std::uint16_t>(asn) : kAsTrans;
}

struct GracefulRestartCap {
  bool restart_state = false;      // R bit
  bool notification = false;       // N bit (RFC 8538)
  std::uint16_t restart_time = 0;  // seconds, 12 bits
  struct Family {
    AfiSafi af;
    bool forwarding_preserved = false;
    bool operator==(const Family&) const = default;
  };
  std::vector<Family> families;
  bool operator==(const GracefulRestartCap&) const = default;
};

struct AddPathCap {
  AfiSafi af;
  std::uint8_t send_receive = 0;  // 1 receive, 2 send, 3 both
  bool operator==(const AddPathCap&) const = default;
};

struct FqdnCap {
  std::string hostname;
  std::string domain;
  bool operator==(const FqdnCap&) const = default;
};

struct RawCapability {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const RawCapability&) const = default;
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  std::optional<std::uint32_t> four_octet_as;
  std::optional<GracefulRestartCap> graceful_restart;
  bool extended_message = false;
  std::vector<AddPathCap> add_path;
  std::optional<FqdnCap> fqdn;
  std::vector<RawCapability> unknown;  // kept and reported, never acted on
  bool operator==(const Capabilities&) const = default;
};

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // the 2-octet field (AS_TRANS when the real ASN needs 4 octets)
  std::uint16_t hold_time = 0;
  std::uint32_t bgp_id = 0;
  Capabilities caps;
  // The speaker's ASN: the 4-octet capability when present, else my_as.
  std::uint32_t asn() const { return caps.four_octet_as.value_or(my_as); }
  bool operator==(const Open&) const = default;
};

struct MpReach {
  AfiSafi af;
  base::IpAddress next_hop;
  std::optional<base::IpAddress> link_local_next_hop;
  std::vector<base::Prefix> nlri;
  bool operator==(const MpReach&) const = default;
};

struct MpUnreach {
  AfiSafi af;
  std::vector<base::Prefix> withdrawn;
  bool operator==(const MpUnreach&) const = default;
};

struct Update {
  std::vector<base::Prefix> withdrawn;  // IPv4 withdrawn routes field
  // True when the UPDATE carries path attributes other than MP_UNREACH_NLRI; false for a
  // withdraw-only or End-of-RIB update. The encoder writes `attrs` only when it is true
  // (MP_REACH/MP_UNREACH are written whenever present).
  bool has_attributes = false;
  PathAttributes attrs;
  std::vector<base::Prefix> nlri;  // IPv4 NLRI field
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;

  // RFC 4724: an empty UPDATE is End-of-RIB for IPv4 unicast; an UPDATE holding only an
  // empty MP_UNREACH is End-of-RIB for that family.
  std::optional<AfiSafi> end_of_rib() const;
  // RFC 7606 2 "treat-as-withdraw": rewrites this UPDATE into the withdrawal of every prefix it
  // announces or withdraws (IPv4 NLRI and IPv4 MP_REACH into the withdrawn routes field, other
  // MP_REACH into MP_UNREACH) and drops its attributes. Returns false when nothing is left to
  // withdraw: the caller drops the UPDATE instead of applying it, since the now empty message
  // would read as an End-of-RIB that the peer never sent (RFC 4724 2: End-of-RIB carries no
  // attributes).
  bool treat_as_withdraw();
  bool operator==(const Update&) const = default;
};

struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const Notification&) const = default;
};

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

struct RouteRefresh {
  AfiSafi af;
  std::uint8_t subtype = 0;  // RFC 7313: 0 normal request, 1 BoRR, 2 EoRR
  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

// Facts negotiated for a session that change how bytes are read and written.
struct SessionParams {
  bool four_octet_as = true;      // both sides sent the 4-octet AS capability
  bool extended_message = false;  // both sides sent the extended message capability
  // ADD-PATH is parsed in capabilities but never negotiated on (v1).
  // Decoding only (RFC 7606 outcomes that depend on who sent the UPDATE):
  bool ebgp = false;  // the peer is in another AS (we run no confederations)
  std::optional<base::IpAddress> local_address = std::nullopt;  // our end: never a next hop
  std::size_t max_message_size() const {
    return extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  }
  bool operator==(const SessionParams&) const = default;
};

}  // namespace nvabgpd::wire
