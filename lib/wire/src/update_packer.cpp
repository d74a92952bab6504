// UPDATE packing: the size of each message is computed before it is written, so every message
// holds as many prefixes as fit and none exceeds the session maximum.
#include "nvabgpd/wire/update_packer.hpp"

#include <fmt/format.h>

#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nlri.hpp"
#include "nvabgpd/base/byte_writer.hpp"

namespace nvabgpd::wire {
namespace {

// header + Withdrawn Routes Length + Total Path Attribute Length
constexpr std::size_t kUpdateOverhead = kHeaderSize + 2 + 2;
// flags, type, 2-octet length: MP attributes are always written with extended length here so
// their header size does not depend on how many prefixes they end up holding.
constexpr std::size_t kExtAttrHeader = 4;

// Prefixes of one family, in order.
std::vector<base::Prefix> of_family(std::span<const base::Prefix> prefixes, base::Family f) {
  std::vector<base::Prefix> out;
  for (const auto& p : prefixes)
    if (p.family() == f) out.push_back(p);
  return out;
}

// How many prefixes from `from` fit in `room` octets.
std::size_t fitting(std::span<const base::Prefix> prefixes, std::size_t from, std::size_t room) {
  std::size_t n = 0;
  std::size_t used = 0;
  for (std::size_t i = from; i < prefixes.size(); ++i) {
    const std::size_t sz = detail::prefix_wire_size(prefixes[i]);
    if (used + sz > room) break;
    used += sz;
    ++n;
  }
  return n;
}

void put_prefixes(std::span<const base::Prefix> ps, std::vector<std::uint8_t>& out) {
  for (const auto& p : ps) detail::encode_prefix(p, out);
}

// Writes the MP attribute header (extended length) and AFI/SAFI; returns where the length goes.
std::size_t begin_mp_attribute(std::uint8_t code, std::vector<std::uint8_t>& out) {
  base::ByteWriter w(out);
  out.push_back(attr::kFlagOptional | attr::kFlagExtendedLength);
  out.push_back(code);
  const std::size_t len_at = out.size();
  w.put_u16(0);
  w.put_u16(static_cast<std::uint16_t>(Afi::Ipv6));
  out.push_back(static_cast<std::uint8_t>(Safi::Unicast));
  return len_at;
}

// Cuts `ps` into runs that fit in `room` octets and writes one UPDATE per run; write_body
// appends everything after the message header, given the run.
template <typename WriteBody>
void pack_runs(std::span<const base::Prefix> ps, std::size_t room, std::vector<std::uint8_t>& out,
               PackStats& stats, WriteBody write_body) {
  for (std::size_t i = 0; i < ps.size();) {
    const std::size_t n = fitting(ps, i, room);
    const std::size_t start = detail::begin_message(out, MessageType::Update);
    write_body(ps.subspan(i, n));
    detail::finish_message(out, start);
    i += n;
    ++stats.messages;
    stats.prefixes += n;
  }
}

// Err by explicit type: clang 14 has no class template argument deduction for aggregates.
base::Err<std::string> fail(std::string why) { return base::Err<std::string>{std::move(why)}; }

}  // namespace

base::Result<PackStats, std::string> pack_announcements(const PathAttributes& attrs,
                                                        std::span<const base::Prefix> prefixes,
                                                        const SessionParams& params,
                                                        std::vector<std::uint8_t>& out) {
  const std::size_t max = params.max_message_size();
  Update carrier;
  carrier.has_attributes = true;
  carrier.attrs = attrs;
  std::vector<std::uint8_t> attr_bytes;
  detail::encode_path_attributes(carrier, params, attr_bytes);

  const auto v4 = of_family(prefixes, base::Family::V4);
  const auto v6 = of_family(prefixes, base::Family::V6);
  const std::size_t v4_fixed = kUpdateOverhead + attr_bytes.size();
  // MP_REACH_NLRI: header, AFI/SAFI, next-hop length, next hop(s), reserved.
  const std::size_t nh_len = attrs.link_local_next_hop ? 32 : 16;
  const std::size_t v6_fixed = v4_fixed + kExtAttrHeader + 3 + 1 + nh_len + 1;
  constexpr std::size_t kMaxPrefixWire = 17;
  if (!v4.empty() && !v6.empty())
    return fail(std::string("IPv4 and IPv6 prefixes cannot share one next hop"));
  if (!v4.empty() && (!attrs.next_hop || !attrs.next_hop->is_v4()))
    return fail(std::string("IPv4 prefixes need an IPv4 next hop"));
  if (!v4.empty() && v4_fixed + 5 > max)
    return fail(
        fmt::format("path attributes ({} octets) leave no room for IPv4 NLRI", attr_bytes.size()));
  if (!v6.empty()) {
    if (v6_fixed + kMaxPrefixWire > max)
      return fail(fmt::format("path attributes ({} octets) leave no room for IPv6 NLRI",
                              attr_bytes.size()));
    if (!attrs.next_hop || !attrs.next_hop->is_v6())
      return fail(std::string("IPv6 prefixes need an IPv6 next hop"));
  }

  PackStats stats;
  pack_runs(v4, max - v4_fixed, out, stats, [&](std::span<const base::Prefix> run) {
    base::ByteWriter w(out);
    w.put_u16(0);
    w.put_u16(static_cast<std::uint16_t>(attr_bytes.size()));
    out.insert(out.end(), attr_bytes.begin(), attr_bytes.end());
    put_prefixes(run, out);
  });
  pack_runs(v6, max - v6_fixed, out, stats, [&](std::span<const base::Prefix> run) {
    base::ByteWriter w(out);
    w.put_u16(0);
    const std::size_t attrs_len_at = out.size();
    w.put_u16(0);
    // MP_REACH_NLRI first (RFC 7606 5.1), then the shared attributes.
    const std::size_t mp_len_at = begin_mp_attribute(attr::kMpReach, out);
    out.push_back(static_cast<std::uint8_t>(nh_len));
    const auto& nh = attrs.next_hop->bytes();
    out.insert(out.end(), nh.begin(), nh.end());
    if (attrs.link_local_next_hop) {
      const auto& ll = attrs.link_local_next_hop->bytes();
      out.insert(out.end(), ll.begin(), ll.end());
    }
    out.push_back(0);  // reserved
    put_prefixes(run, out);
    w.patch_u16(mp_len_at, static_cast<std::uint16_t>(out.size() - mp_len_at - 2));
    out.insert(out.end(), attr_bytes.begin(), attr_bytes.end());
    w.patch_u16(attrs_len_at, static_cast<std::uint16_t>(out.size() - attrs_len_at - 2));
  });
  return stats;
}

PackStats pack_withdrawals(std::span<const base::Prefix> prefixes, const SessionParams& params,
                           std::vector<std::uint8_t>& out) {
  const std::size_t max = params.max_message_size();
  const auto v4 = of_family(prefixes, base::Family::V4);
  const auto v6 = of_family(prefixes, base::Family::V6);
  PackStats stats;
  pack_runs(v4, max - kUpdateOverhead, out, stats, [&](std::span<const base::Prefix> run) {
    base::ByteWriter w(out);
    const std::size_t len_at = out.size();
    w.put_u16(0);
    put_prefixes(run, out);
    w.patch_u16(len_at, static_cast<std::uint16_t>(out.size() - len_at - 2));
    w.put_u16(0);
  });
  const std::size_t v6_fixed = kUpdateOverhead + kExtAttrHeader + 3;
  pack_runs(v6, max - v6_fixed, out, stats, [&](std::span<const base::Prefix> run) {
    base::ByteWriter w(out);
    w.put_u16(0);
    const std::size_t attrs_len_at = out.size();
    w.put_u16(0);
    const std::size_t mp_len_at = begin_mp_attribute(attr::kMpUnreach, out);
    put_prefixes(run, out);
    w.patch_u16(mp_len_at, static_cast<std::uint16_t>(out.size() - mp_len_at - 2));
    w.patch_u16(attrs_len_at, static_cast<std::uint16_t>(out.size() - attrs_len_at - 2));
  });
  return stats;
}

void pack_end_of_rib(AfiSafi af, const SessionParams& params, std::vector<std::uint8_t>& out) {
  Update u;
  if (af != kIpv4Unicast) u.mp_unreach = MpUnreach{af, {}};
  detail::encode_update(u, params, out);
}

}  // namespace nvabgpd::wire
