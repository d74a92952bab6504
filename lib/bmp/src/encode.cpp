// BMP message layouts (RFC 7854 section 4): common header, per-peer header, bodies.
#include <stdexcept>

#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/bmp/messages.hpp"

namespace nvabgpd::bmp {

namespace {

// Starts a message: version, length placeholder, type. Returns the writer's start offset.
std::size_t begin(base::ByteWriter& w, MessageType type) {
  const std::size_t at = w.size();
  w.put_u8(kVersion);
  w.put_u32(0);
  w.put_u8(static_cast<std::uint8_t>(type));
  return at;
}

Bytes finish(Bytes out, std::size_t at) {
  base::ByteWriter(out).patch_u32(at + 1, static_cast<std::uint32_t>(out.size() - at));
  return out;
}

// 16 octets; an IPv4 address sits in the last 4 with the first 12 zero (4.2, 4.10).
void put_address(base::ByteWriter& w, const base::IpAddress& a) {
  if (a.is_v4()) {
    w.put_zeros(12);
    w.put_u32(a.v4_value());
  } else {
    w.put_bytes(a.bytes());
  }
}

void put_peer_header(base::ByteWriter& w, const PeerHeader& p) {
  w.put_u8(p.type);
  std::uint8_t flags = 0;
  if (p.address.is_v6()) flags |= peer_flag::kV;
  if (p.post_policy) flags |= peer_flag::kL;
  if (p.two_octet_as) flags |= peer_flag::kA;
  w.put_u8(flags);
  w.put_u32(static_cast<std::uint32_t>(p.distinguisher >> 32));
  w.put_u32(static_cast<std::uint32_t>(p.distinguisher));
  put_address(w, p.address);
  w.put_u32(p.asn);
  w.put_u32(p.bgp_id);
  w.put_u32(p.seconds);
  w.put_u32(p.microseconds);
}

void put_tlv(base::ByteWriter& w, std::uint16_t type, std::span<const std::uint8_t> value) {
  if (value.size() > 0xFFFF) throw std::length_error("BMP information TLV longer than 65535");
  w.put_u16(type);
  w.put_u16(static_cast<std::uint16_t>(value.size()));
  w.put_bytes(value);
}

void put_tlv(base::ByteWriter& w, std::uint16_t type, const std::string& s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  put_tlv(w, type, std::span<const std::uint8_t>(p, s.size() > 0xFFFF ? 0xFFFF : s.size()));
}

}  // namespace

Bytes initiation(const std::string& sys_name, const std::string& sys_descr) {
  Bytes out;
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::Initiation);
  put_tlv(w, info::kSysDescr, sys_descr);
  put_tlv(w, info::kSysName, sys_name);
  return finish(std::move(out), at);
}

Bytes termination(TerminationReason reason, const std::string& text) {
  Bytes out;
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::Termination);
  if (!text.empty()) put_tlv(w, info::kString, text);
  Bytes code;
  base::ByteWriter(code).put_u16(static_cast<std::uint16_t>(reason));
  put_tlv(w, 1, code);
  return finish(std::move(out), at);
}

Bytes peer_up(const PeerHeader& peer, const base::IpAddress& local_address,
              std::uint16_t local_port, std::uint16_t remote_port,
              std::span<const std::uint8_t> sent_open,
              std::span<const std::uint8_t> received_open) {
  Bytes out;
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::PeerUp);
  put_peer_header(w, peer);
  put_address(w, local_address);
  w.put_u16(local_port);
  w.put_u16(remote_port);
  w.put_bytes(sent_open);
  w.put_bytes(received_open);
  return finish(std::move(out), at);
}

Bytes peer_down(const PeerHeader& peer, PeerDownReason reason, std::span<const std::uint8_t> data) {
  Bytes out;
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::PeerDown);
  put_peer_header(w, peer);
  w.put_u8(static_cast<std::uint8_t>(reason));
  w.put_bytes(data);
  return finish(std::move(out), at);
}

Bytes route_monitoring(const PeerHeader& peer, std::span<const std::uint8_t> update) {
  Bytes out;
  out.reserve(kCommonHeaderSize + kPeerHeaderSize + update.size());
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::RouteMonitoring);
  put_peer_header(w, peer);
  w.put_bytes(update);
  return finish(std::move(out), at);
}

Bytes statistics(const PeerHeader& peer, std::span<const Stat> stats) {
  Bytes out;
  base::ByteWriter w(out);
  const std::size_t at = begin(w, MessageType::StatisticsReport);
  put_peer_header(w, peer);
  w.put_u32(static_cast<std::uint32_t>(stats.size()));
  for (const Stat& s : stats) {
    w.put_u16(s.type);
    if (s.gauge64) {
      w.put_u16(8);
      w.put_u32(static_cast<std::uint32_t>(s.value >> 32));
      w.put_u32(static_cast<std::uint32_t>(s.value));
    } else {
      w.put_u16(4);
      w.put_u32(static_cast<std::uint32_t>(s.value));  // a counter wraps
    }
  }
  return finish(std::move(out), at);
}

}  // namespace nvabgpd::bmp
