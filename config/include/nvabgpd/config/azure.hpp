#pragma once
// The built-in `azure-route-server` peer template: what Azure Route Server (ARS) requires.
// See docs/config.md for the reasoning behind every value.
#include <cstdint>
#include <string_view>

namespace nvabgpd::config::azure {

inline constexpr std::string_view kTemplateName = "azure-route-server";
inline constexpr std::uint32_t kRouteServerAsn = 65515;
inline constexpr std::uint16_t kKeepalive = 60;
inline constexpr std::uint16_t kHoldTime = 180;
inline constexpr std::uint8_t kDefaultMultihop = 64;
// ARS resets an NVA's session when it advertises more than this many routes (counting the
// routes it holds plus those in an incoming UPDATE); 4,000 when Microsoft raised the limit.
inline constexpr std::uint32_t kRouteServerLimit = 1000;
inline constexpr std::uint32_t kRaisedRouteServerLimit = 4000;
// Our default export limit: 5% headroom below the limit, action block.
inline constexpr std::uint32_t kDefaultExportLimit = 950;

// True when `asn` may not be used as the local ASN toward ARS: Azure's reserved ASNs (8074,
// 8075, 12076, 65515, 65517-65520) and IANA's (23456, 64496-64511, 65535-65551).
bool is_reserved_asn(std::uint32_t asn);

}  // namespace nvabgpd::config::azure
