// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760) for IPv4 and IPv6 unicast. The IPv6 next hop is
// a global address optionally followed by a link-local one (RFC 2545); IPv4 NLRI may have an
// IPv6 next hop (RFC 8950). Other AFI/SAFIs are not negotiated by nvabgpd and are ignored.
#include <fmt/format.h>

#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nlri.hpp"

namespace nvabgpd::wire::detail {
namespace {

constexpr std::uint8_t kOptional = attr::kFlagOptional;

bool read_af(base::ByteReader& v, AfiSafi& af) {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;
  if (!v.read_u16(afi) || !v.read_u8(safi)) return false;
  af = AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)};
  return true;
}

bool supported(AfiSafi af) { return af == kIpv4Unicast || af == kIpv6Unicast; }

base::Family family_of(AfiSafi af) {
  return af.afi == Afi::Ipv6 ? base::Family::V6 : base::Family::V4;
}

void note_unsupported(AttrDecodeCtx& c, std::uint8_t code, AfiSafi af) {
  add_error(c.result, ErrorAction::None, code,
            fmt::format("{}: AFI {} SAFI {} not supported, ignored", attribute_name(code),
                        static_cast<unsigned>(af.afi), static_cast<unsigned>(af.safi)));
}

void put_af(AttrWriter& w, AfiSafi af) {
  w.put_u16(static_cast<std::uint16_t>(af.afi));
  w.put_u8(static_cast<std::uint8_t>(af.safi));
}

}  // namespace

const char* decode_mp_reach(base::ByteReader v, AttrDecodeCtx& c) {
  MpReach mp;
  std::uint8_t nh_len = 0;
  std::span<const std::uint8_t> nh;
  if (!read_af(v, mp.af) || !v.read_u8(nh_len)) return "truncated header";
  if (!v.read_bytes(nh_len, nh)) return "next hop runs past the attribute";
  if (!v.skip(1)) return "missing reserved octet";
  if (!supported(mp.af)) {
    note_unsupported(c, attr::kMpReach, mp.af);
    return nullptr;
  }
  const bool v4_nh_ok = mp.af.afi == Afi::Ipv4 && nh_len == 4;
  if (!v4_nh_ok && nh_len != 16 && nh_len != 32) return "bad next-hop length";
  mp.next_hop = *base::IpAddress::from_bytes(nh.data(), nh_len == 4 ? 4 : 16);
  if (nh_len == 32) mp.link_local_next_hop = *base::IpAddress::from_bytes(nh.data() + 16, 16);
  if (const char* e = decode_prefixes(v.rest(), family_of(mp.af), mp.nlri)) return e;
  // The layout is sound, so the NLRI are known: an unusable next hop withdraws them (as for
  // NEXT_HOP, RFC 7606 7.3) rather than resetting the session.
  if (const char* e = next_hop_problem(mp.next_hop, c.params))
    add_error(c.result, ErrorAction::TreatAsWithdraw, attr::kMpReach,
              fmt::format("{}: next hop {} is {}", attribute_name(attr::kMpReach), mp.next_hop, e));
  c.update.mp_reach = std::move(mp);
  return nullptr;
}

void encode_mp_reach(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& mp = c.update.mp_reach;
  if (!mp) return;
  w.begin(kOptional, attr::kMpReach);
  put_af(w, mp->af);
  if (mp->next_hop.is_v4()) {
    w.put_u8(4);
    w.put_u32(mp->next_hop.v4_value());
  } else {
    w.put_u8(mp->link_local_next_hop ? 32 : 16);
    w.put_bytes(mp->next_hop.bytes());
    if (mp->link_local_next_hop) w.put_bytes(mp->link_local_next_hop->bytes());
  }
  w.put_u8(0);  // reserved
  for (const auto& p : mp->nlri) encode_prefix(p, w.buffer());
  w.end();
}

const char* decode_mp_unreach(base::ByteReader v, AttrDecodeCtx& c) {
  MpUnreach mp;
  if (!read_af(v, mp.af)) return "truncated header";
  if (!supported(mp.af)) {
    note_unsupported(c, attr::kMpUnreach, mp.af);
    // An empty one is still an End-of-RIB marker for that family (RFC 4724).
    if (v.empty()) c.update.mp_unreach = std::move(mp);
    return nullptr;
  }
  if (const char* e = decode_prefixes(v.rest(), family_of(mp.af), mp.withdrawn)) return e;
  c.update.mp_unreach = std::move(mp);
  return nullptr;
}

void encode_mp_unreach(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& mp = c.update.mp_unreach;
  if (!mp) return;
  w.begin(kOptional, attr::kMpUnreach);
  put_af(w, mp->af);
  for (const auto& p : mp->withdrawn) encode_prefix(p, w.buffer());
  w.end();
}

}  // namespace nvabgpd::wire::detail
