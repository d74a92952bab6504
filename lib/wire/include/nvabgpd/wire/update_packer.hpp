#pragma once
// Packs many prefixes sharing one attribute set (or many withdrawals) into as few UPDATE
// messages as the session allows: each message is at most 4096 octets, or 65535 with the
// extended message capability, and is filled up to the limit before the next one starts.
// IPv4 prefixes travel in the NLRI / Withdrawn Routes fields, IPv6 prefixes in
// MP_REACH_NLRI / MP_UNREACH_NLRI. Pure functions; the result is one buffer of back-to-back
// complete messages, ready to write to every peer of an update group.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/base/result.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::wire {

struct PackStats {
  std::size_t messages = 0;  // UPDATEs appended
  std::size_t prefixes = 0;  // prefixes placed in them
};

// Appends UPDATEs announcing `prefixes` with `attrs`. IPv4 prefixes use attrs.next_hop as the
// NEXT_HOP attribute; IPv6 prefixes use attrs.next_hop (IPv6) and attrs.link_local_next_hop
// as the MP_REACH_NLRI next hop, so all prefixes must be of one family. Prefixes keep their
// order. Fails, appending nothing, when families are mixed, the next hop does not match the
// family, or the attributes alone leave no room for a prefix.
base::Result<PackStats, std::string> pack_announcements(const PathAttributes& attrs,
                                                        std::span<const base::Prefix> prefixes,
                                                        const SessionParams& params,
                                                        std::vector<std::uint8_t>& out);

// Appends UPDATEs withdrawing `prefixes` (IPv4 in the Withdrawn Routes field, IPv6 in
// MP_UNREACH_NLRI). Never fails.
PackStats pack_withdrawals(std::span<const base::Prefix> prefixes, const SessionParams& params,
                           std::vector<std::uint8_t>& out);

// Appends the End-of-RIB marker for `af` (RFC 4724).
void pack_end_of_rib(AfiSafi af, const SessionParams& params, std::vector<std::uint8_t>& out);

}  // namespace nvabgpd::wire
