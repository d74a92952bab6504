#pragma once
// BGP path attribute values (RFC 4271 section 5 and extensions). Plain values shared by the
// codec, the filter language and the RIB. The RIB interns these; nothing here allocates per
// route beyond the vectors themselves.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/as_path.hpp"

namespace nvabgpd::wire {

enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1 };

struct AfiSafi {
  Afi afi = Afi::Ipv4;
  Safi safi = Safi::Unicast;
  constexpr auto operator<=>(const AfiSafi&) const = default;
};
inline constexpr AfiSafi kIpv4Unicast{Afi::Ipv4, Safi::Unicast};
inline constexpr AfiSafi kIpv6Unicast{Afi::Ipv6, Safi::Unicast};

// Attribute type codes.
namespace attr {
inline constexpr std::uint8_t kOrigin = 1;
inline constexpr std::uint8_t kAsPath = 2;
inline constexpr std::uint8_t kNextHop = 3;
inline constexpr std::uint8_t kMed = 4;
inline constexpr std::uint8_t kLocalPref = 5;
inline constexpr std::uint8_t kAtomicAggregate = 6;
inline constexpr std::uint8_t kAggregator = 7;
inline constexpr std::uint8_t kCommunities = 8;
inline constexpr std::uint8_t kOriginatorId = 9;
inline constexpr std::uint8_t kClusterList = 10;
inline constexpr std::uint8_t kMpReach = 14;
inline constexpr std::uint8_t kMpUnreach = 15;
inline constexpr std::uint8_t kExtCommunities = 16;
inline constexpr std::uint8_t kAs4Path = 17;
inline constexpr std::uint8_t kAs4Aggregator = 18;
inline constexpr std::uint8_t kLargeCommunities = 32;
inline constexpr std::uint8_t kOtc = 35;  // Only to Customer (RFC 9234)
// Flag bits.
inline constexpr std::uint8_t kFlagOptional = 0x80;
inline constexpr std::uint8_t kFlagTransitive = 0x40;
inline constexpr std::uint8_t kFlagPartial = 0x20;
inline constexpr std::uint8_t kFlagExtendedLength = 0x10;
}  // namespace attr

enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

// RFC 1997 community, as (asn << 16) | value.
struct Community {
  std::uint32_t value = 0;
  constexpr std::uint16_t asn() const { return static_cast<std::uint16_t>(value >> 16); }
  constexpr std::uint16_t low() const { return static_cast<std::uint16_t>(value); }
  static constexpr Community of(std::uint16_t asn, std::uint16_t low) {
    return Community{(std::uint32_t{asn} << 16) | low};
  }
  constexpr auto operator<=>(const Community&) const = default;
};
inline constexpr Community kNoExport{0xFFFFFF01};
inline constexpr Community kNoAdvertise{0xFFFFFF02};
inline constexpr Community kNoExportSubconfed{0xFFFFFF03};
inline constexpr Community kBlackhole{0xFFFF029A};
inline constexpr Community kGracefulShutdown{0xFFFF0000};

// RFC 4360 extended community, 8 octets as one big-endian integer.
struct ExtCommunity {
  std::uint64_t value = 0;
  constexpr auto operator<=>(const ExtCommunity&) const = default;
};

// RFC 8092 large community.
struct LargeCommunity {
  std::uint32_t global = 0;
  std::uint32_t local1 = 0;
  std::uint32_t local2 = 0;
  constexpr auto operator<=>(const LargeCommunity&) const = default;
};

struct Aggregator {
  std::uint32_t asn = 0;
  base::IpAddress address;
  constexpr auto operator<=>(const Aggregator&) const = default;
};

// An attribute the codec does not interpret: optional transitive ones are carried on (with
// the Partial bit set when re-advertised); optional non-transitive ones are dropped at decode.
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const RawAttribute&) const = default;
  auto operator<=>(const RawAttribute&) const = default;
};

// One route's path attributes, decoded. Community lists keep the order and duplicates they
// were received with; encoders sort them (BIRD does the same).
struct PathAttributes {
  Origin origin = Origin::Igp;
  AsPath as_path;
  // NEXT_HOP attribute (IPv4), or the MP_REACH global next hop once the RIB has placed it here.
  std::optional<base::IpAddress> next_hop;
  // IPv6 link-local next hop from MP_REACH (second address), if any.
  std::optional<base::IpAddress> link_local_next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<Community> communities;
  std::vector<ExtCommunity> ext_communities;
  std::vector<LargeCommunity> large_communities;
  std::optional<std::uint32_t> originator_id;
  std::vector<std::uint32_t> cluster_list;
  std::vector<RawAttribute> unknown;  // sorted by type code

  bool has_community(Community c) const;
  bool operator==(const PathAttributes&) const = default;
};

// Human name of an attribute type code ("AS_PATH", "attribute 99").
std::string attribute_name(std::uint8_t type);

}  // namespace nvabgpd::wire
