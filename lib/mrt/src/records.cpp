// MRT record layouts (RFC 6396 sections 2, 4.3 and 4.4).
#include <stdexcept>

#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/mrt/records.hpp"

namespace nvabgpd::mrt {

namespace {

void put_address(base::ByteWriter& w, const base::IpAddress& a) {
  w.put_bytes(std::span<const std::uint8_t>(a.bytes().data(), a.byte_len()));
}

std::uint16_t afi_of(const base::IpAddress& a) { return a.is_v4() ? 1 : 2; }

void put_bgp4mp_peer(base::ByteWriter& w, const Bgp4mpPeer& p) {
  if (p.peer_address.family() != p.local_address.family())
    throw std::invalid_argument("BGP4MP: peer and local addresses of different families");
  w.put_u32(p.peer_asn);
  w.put_u32(p.local_asn);
  w.put_u16(p.interface_index);
  w.put_u16(afi_of(p.peer_address));
  put_address(w, p.peer_address);
  put_address(w, p.local_address);
}

}  // namespace

Bytes record(Timestamp t, Type type, std::uint16_t sub, std::span<const std::uint8_t> body,
             bool extended) {
  Bytes out;
  out.reserve(kHeaderSize + 4 + body.size());
  base::ByteWriter w(out);
  w.put_u32(t.seconds);
  w.put_u16(static_cast<std::uint16_t>(type));
  w.put_u16(sub);
  // The _ET microsecond field counts in the length (RFC 6396 3).
  w.put_u32(static_cast<std::uint32_t>(body.size() + (extended ? 4 : 0)));
  if (extended) w.put_u32(t.microseconds);
  w.put_bytes(body);
  return out;
}

Bytes peer_index_table(Timestamp t, std::uint32_t collector_id, const std::string& view_name,
                       std::span<const IndexedPeer> peers) {
  if (peers.size() > 0xFFFF) throw std::length_error("PEER_INDEX_TABLE: more than 65535 peers");
  Bytes body;
  base::ByteWriter w(body);
  w.put_u32(collector_id);
  const std::size_t name_len = view_name.size() > 0xFFFF ? 0xFFFF : view_name.size();
  w.put_u16(static_cast<std::uint16_t>(name_len));
  w.put_bytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(view_name.data()),
                                            name_len));
  w.put_u16(static_cast<std::uint16_t>(peers.size()));
  for (const auto& p : peers) {
    // Peer type: bit 0 IPv6 address, bit 1 4-octet AS.
    w.put_u8(static_cast<std::uint8_t>(0x02 | (p.address.is_v6() ? 0x01 : 0x00)));
    w.put_u32(p.bgp_id);
    put_address(w, p.address);
    w.put_u32(p.asn);
  }
  return record(t, Type::TableDumpV2, subtype::kPeerIndexTable, body);
}

Bytes rib(Timestamp t, std::uint32_t sequence, const base::Prefix& prefix,
          std::span<const RibEntry> entries) {
  if (entries.size() > 0xFFFF) throw std::length_error("RIB entry: more than 65535 paths");
  Bytes body;
  base::ByteWriter w(body);
  w.put_u32(sequence);
  w.put_u8(static_cast<std::uint8_t>(prefix.len()));
  w.put_bytes(std::span<const std::uint8_t>(prefix.addr().bytes().data(), (prefix.len() + 7) / 8));
  w.put_u16(static_cast<std::uint16_t>(entries.size()));
  for (const auto& e : entries) {
    if (e.attributes.size() > 0xFFFF) throw std::length_error("RIB entry: attributes too long");
    w.put_u16(e.peer_index);
    w.put_u32(e.originated);
    w.put_u16(static_cast<std::uint16_t>(e.attributes.size()));
    w.put_bytes(e.attributes);
  }
  return record(t, Type::TableDumpV2,
                prefix.is_v4() ? subtype::kRibIpv4Unicast : subtype::kRibIpv6Unicast, body);
}

Bytes bgp4mp_message(Timestamp t, const Bgp4mpPeer& peer, std::span<const std::uint8_t> message,
                     bool extended) {
  Bytes body;
  body.reserve(44 + message.size());
  base::ByteWriter w(body);
  put_bgp4mp_peer(w, peer);
  w.put_bytes(message);
  return record(t, extended ? Type::Bgp4mpEt : Type::Bgp4mp, subtype::kMessageAs4, body, extended);
}

Bytes bgp4mp_state_change(Timestamp t, const Bgp4mpPeer& peer, BgpState from, BgpState to,
                          bool extended) {
  Bytes body;
  base::ByteWriter w(body);
  put_bgp4mp_peer(w, peer);
  w.put_u16(static_cast<std::uint16_t>(from));
  w.put_u16(static_cast<std::uint16_t>(to));
  return record(t, extended ? Type::Bgp4mpEt : Type::Bgp4mp, subtype::kStateChangeAs4, body,
                extended);
}

}  // namespace nvabgpd::mrt
