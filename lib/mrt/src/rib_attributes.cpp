// TABLE_DUMP_V2 attributes: the UPDATE codec writes the attributes (4-octet AS_PATH), then an
// IPv6 next hop is added as the abbreviated MP_REACH_NLRI of RFC 6396 4.3.4.
#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/mrt/records.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::mrt {

Bytes rib_attributes(const wire::PathAttributes& attrs) {
  wire::Update u;
  u.has_attributes = true;
  u.attrs = attrs;
  const Bytes msg = wire::encode(u, wire::SessionParams{true, true});
  // header (19), withdrawn length (2, zero), attributes length (2), attributes.
  const std::size_t at = wire::kHeaderSize + 2;
  const std::size_t len = (std::size_t{msg[at]} << 8) | msg[at + 1];
  Bytes out(msg.begin() + static_cast<std::ptrdiff_t>(at + 2),
            msg.begin() + static_cast<std::ptrdiff_t>(at + 2 + len));
  if (attrs.next_hop && attrs.next_hop->is_v6()) {
    base::ByteWriter w(out);
    const std::uint8_t nh_len = attrs.link_local_next_hop ? 32 : 16;
    w.put_u8(0x80);  // optional, non-transitive
    w.put_u8(14);    // MP_REACH_NLRI
    w.put_u8(static_cast<std::uint8_t>(1 + nh_len));
    w.put_u8(nh_len);
    w.put_bytes(attrs.next_hop->bytes());
    if (attrs.link_local_next_hop) w.put_bytes(attrs.link_local_next_hop->bytes());
  }
  return out;
}

}  // namespace nvabgpd::mrt
