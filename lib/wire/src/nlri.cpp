#include "nlri.hpp"

#include <array>
#include <cstring>

namespace nvabgpd::wire::detail {

const char* decode_prefixes(std::span<const std::uint8_t> bytes, base::Family family,
                            std::vector<base::Prefix>& out) {
  const unsigned max = base::max_len(family);
  // Most routes are /24 (4 octets on the wire) or /48 (7): reserve for that, grow otherwise.
  out.reserve(out.size() + bytes.size() / (family == base::Family::V4 ? 4 : 7));
  const std::uint8_t* p = bytes.data();
  const std::uint8_t* const end = p + bytes.size();
  while (p != end) {
    const unsigned len = *p++;
    if (len > max) return "prefix length exceeds the address family maximum";
    const std::size_t n = (len + 7) / 8;
    if (static_cast<std::size_t>(end - p) < n) return "prefix runs past the end of its field";
    if (family == base::Family::V4) {
      std::uint32_t v = 0;
      for (std::size_t i = 0; i < n; ++i) v |= std::uint32_t{p[i]} << (24 - 8 * i);
      out.push_back(base::Prefix::make(base::IpAddress::v4(v), len));
    } else {
      std::array<std::uint8_t, 16> a{};
      std::memcpy(a.data(), p, n);
      out.push_back(base::Prefix::make(base::IpAddress::v6(a), len));
    }
    p += n;
  }
  return nullptr;
}

}  // namespace nvabgpd::wire::detail
