#pragma once
// Prefix (NLRI) encoding shared by the withdrawn-routes and NLRI fields and MP_(UN)REACH_NLRI:
// one length octet, then the fewest octets that hold that many bits (RFC 4271 4.3).
#include <cstdint>
#include <span>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::wire::detail {

// Appends every prefix in `bytes` to `out`. Returns nullptr on success, else a static reason
// (prefix length above the family maximum, or a prefix running past the field).
const char* decode_prefixes(std::span<const std::uint8_t> bytes, base::Family family,
                            std::vector<base::Prefix>& out);

inline std::size_t prefix_wire_size(const base::Prefix& p) { return 1 + (p.len() + 7) / 8; }

inline void encode_prefix(const base::Prefix& p, std::vector<std::uint8_t>& out) {
  const std::size_t n = (p.len() + 7) / 8;
  out.push_back(static_cast<std::uint8_t>(p.len()));
  const auto& b = p.addr().bytes();
  out.insert(out.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace nvabgpd::wire::detail
