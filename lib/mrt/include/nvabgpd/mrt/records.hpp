#pragma once
// MRT (RFC 6396) record encoders: TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4_UNICAST,
// RIB_IPV6_UNICAST) and BGP4MP / BGP4MP_ET (MESSAGE_AS4, STATE_CHANGE_AS4). Pure functions:
// no files, no clock (timestamps are inputs), no logging. Encoders only: nvabgpd never reads
// MRT, so there is no decoder to fuzz.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::mrt {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::size_t kHeaderSize = 12;

enum class Type : std::uint16_t { TableDumpV2 = 13, Bgp4mp = 16, Bgp4mpEt = 17 };

namespace subtype {
inline constexpr std::uint16_t kPeerIndexTable = 1;
inline constexpr std::uint16_t kRibIpv4Unicast = 2;
inline constexpr std::uint16_t kRibIpv6Unicast = 4;
inline constexpr std::uint16_t kStateChangeAs4 = 5;
inline constexpr std::uint16_t kMessageAs4 = 4;
}  // namespace subtype

// BGP FSM states as BGP4MP_STATE_CHANGE numbers them (RFC 6396 4.4.1).
enum class BgpState : std::uint16_t {
  Idle = 1,
  Connect = 2,
  Active = 3,
  OpenSent = 4,
  OpenConfirm = 5,
  Established = 6,
};

struct Timestamp {
  std::uint32_t seconds = 0;
  std::uint32_t microseconds = 0;  // written only by the _ET types
};

struct IndexedPeer {
  std::uint32_t bgp_id = 0;
  base::IpAddress address;
  std::uint32_t asn = 0;  // always written as 4 octets (peer type bit 1 set)
};

struct RibEntry {
  std::uint16_t peer_index = 0;
  std::uint32_t originated = 0;  // seconds since the epoch
  Bytes attributes;              // from rib_attributes()
};

// Wraps a body in the MRT common header (the _ET form when `extended`).
Bytes record(Timestamp t, Type type, std::uint16_t sub, std::span<const std::uint8_t> body,
             bool extended = false);

// TABLE_DUMP_V2 PEER_INDEX_TABLE (4.3.1).
Bytes peer_index_table(Timestamp t, std::uint32_t collector_id, const std::string& view_name,
                       std::span<const IndexedPeer> peers);

// TABLE_DUMP_V2 RIB_IPV4_UNICAST or RIB_IPV6_UNICAST by the prefix's family (4.3.2).
Bytes rib(Timestamp t, std::uint32_t sequence, const base::Prefix& prefix,
          std::span<const RibEntry> entries);

// A route's path attributes as a TABLE_DUMP_V2 RIB entry holds them (4.3.4): 4-octet AS_PATH;
// for IPv6 the next hop in an MP_REACH_NLRI holding only its length and address.
Bytes rib_attributes(const wire::PathAttributes& attrs);

struct Bgp4mpPeer {
  std::uint32_t peer_asn = 0;
  std::uint32_t local_asn = 0;
  std::uint16_t interface_index = 0;
  base::IpAddress peer_address;
  base::IpAddress local_address;  // same family as peer_address
};

// BGP4MP(_ET) MESSAGE_AS4 (4.4.3): `message` is a whole BGP message, marker included.
Bytes bgp4mp_message(Timestamp t, const Bgp4mpPeer& peer, std::span<const std::uint8_t> message,
                     bool extended);
// BGP4MP(_ET) STATE_CHANGE_AS4 (4.4.4).
Bytes bgp4mp_state_change(Timestamp t, const Bgp4mpPeer& peer, BgpState from, BgpState to,
                          bool extended);

}  // namespace nvabgpd::mrt
