// Fixed-shape path attributes: ORIGIN, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF,
// ATOMIC_AGGREGATE, AGGREGATOR, ORIGINATOR_ID, CLUSTER_LIST (RFC 4271 5, RFC 4456).
#include "attribute_table.hpp"

namespace nvabgpd::wire::detail {
namespace {

constexpr std::uint8_t kWellKnown = attr::kFlagTransitive;
constexpr std::uint8_t kOptional = attr::kFlagOptional;
constexpr std::uint8_t kOptionalTransitive = attr::kFlagOptional | attr::kFlagTransitive;

bool read_exact_u32(base::ByteReader& v, std::uint32_t& out) {
  return v.remaining() == 4 && v.read_u32(out);
}

void put_u32_attr(AttrWriter& w, std::uint8_t flags, std::uint8_t code, std::uint32_t value) {
  w.begin(flags, code);
  w.put_u32(value);
  w.end();
}

// MULTI_EXIT_DISC, LOCAL_PREF, ORIGINATOR_ID: one 4-octet value.
const char* decode_u32_field(base::ByteReader& v, std::optional<std::uint32_t>& field) {
  std::uint32_t x = 0;
  if (!read_exact_u32(v, x)) return "length is not 4";
  field = x;
  return nullptr;
}

void encode_u32_field(AttrWriter& w, std::uint8_t flags, std::uint8_t code,
                      const std::optional<std::uint32_t>& field) {
  if (field) put_u32_attr(w, flags, code, *field);
}

bool is_loopback(const base::IpAddress& a) {
  if (a.is_v4()) return (a.v4_value() >> 24) == 127;
  const auto& b = a.bytes();
  for (std::size_t i = 0; i < 15; ++i)
    if (b[i] != 0) return false;
  return b[15] == 1;
}

const char* ipv4_next_hop_problem(std::uint32_t a) {
  if ((a >> 24) == 0) return "not a host address (0.0.0.0/8)";
  if ((a >> 24) == 127) return "a loopback address";
  if ((a >> 28) == 0xE) return "a multicast address";
  if ((a >> 28) == 0xF) return "a reserved address (240.0.0.0/4)";
  return nullptr;
}

const char* ipv6_next_hop_problem(const base::IpAddress& a) {
  if (a.bytes()[0] == 0xFF) return "a multicast address";
  if (a.is_unspecified()) return "the unspecified address";
  if (is_loopback(a)) return "a loopback address";
  return nullptr;
}

// RFC 7606 7.9, 7.10: ORIGINATOR_ID and CLUSTER_LIST only mean something inside the AS.
bool from_external(const AttrDecodeCtx& c) { return c.params.ebgp; }

}  // namespace

const char* next_hop_problem(const base::IpAddress& nh, const SessionParams& params) {
  // A session over a loopback address has both speakers on this host (a lab or test set-up):
  // there a loopback next hop, even our own address, is the peer's real one.
  const bool on_loopback = params.local_address && is_loopback(*params.local_address);
  if (on_loopback && is_loopback(nh)) return nullptr;
  if (const char* e = nh.is_v4() ? ipv4_next_hop_problem(nh.v4_value()) : ipv6_next_hop_problem(nh))
    return e;
  if (params.local_address && *params.local_address == nh) return "our own address";
  return nullptr;
}

const char* decode_origin(base::ByteReader v, AttrDecodeCtx& c) {
  std::uint8_t o = 0;
  if (v.remaining() != 1 || !v.read_u8(o)) return "length is not 1";
  if (o > static_cast<std::uint8_t>(Origin::Incomplete)) return "undefined value";
  c.update.attrs.origin = static_cast<Origin>(o);
  return nullptr;
}

void encode_origin(const AttrEncodeCtx& c, AttrWriter& w) {
  w.begin(kWellKnown, attr::kOrigin);
  w.put_u8(static_cast<std::uint8_t>(c.update.attrs.origin));
  w.end();
}

const char* decode_next_hop(base::ByteReader v, AttrDecodeCtx& c) {
  std::uint32_t a = 0;
  if (!read_exact_u32(v, a)) return "length is not 4";
  const auto nh = base::IpAddress::v4(a);
  if (const char* e = next_hop_problem(nh, c.params)) return e;
  c.update.attrs.next_hop = nh;
  return nullptr;
}

void encode_next_hop(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& nh = c.update.attrs.next_hop;
  // An IPv6 next hop travels in MP_REACH_NLRI only.
  if (!nh || !nh->is_v4()) return;
  put_u32_attr(w, kWellKnown, attr::kNextHop, nh->v4_value());
}

const char* decode_med(base::ByteReader v, AttrDecodeCtx& c) {
  return decode_u32_field(v, c.update.attrs.med);
}

void encode_med(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_u32_field(w, kOptional, attr::kMed, c.update.attrs.med);
}

const char* decode_local_pref(base::ByteReader v, AttrDecodeCtx& c) {
  // RFC 7606 7.5: from an external neighbour LOCAL_PREF is discarded (RFC 4271 5.1.5: it is
  // not sent there); a malformed one therefore costs only the attribute (ebgp_discard).
  std::optional<std::uint32_t> value;
  if (const char* e = decode_u32_field(v, value)) return e;
  if (!from_external(c)) c.update.attrs.local_pref = value;
  return nullptr;
}

void encode_local_pref(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_u32_field(w, kWellKnown, attr::kLocalPref, c.update.attrs.local_pref);
}

const char* decode_atomic_aggregate(base::ByteReader v, AttrDecodeCtx& c) {
  if (!v.empty()) return "length is not 0";
  c.update.attrs.atomic_aggregate = true;
  return nullptr;
}

void encode_atomic_aggregate(const AttrEncodeCtx& c, AttrWriter& w) {
  if (!c.update.attrs.atomic_aggregate) return;
  w.begin(kWellKnown, attr::kAtomicAggregate);
  w.end();
}

const char* decode_aggregator(base::ByteReader v, AttrDecodeCtx& c) {
  const bool four = c.params.four_octet_as;
  if (v.remaining() != (four ? 8U : 6U)) return four ? "length is not 8" : "length is not 6";
  std::uint32_t asn = 0;
  std::uint32_t addr = 0;
  if (four) {
    if (!v.read_u32(asn)) return "truncated";
  } else {
    std::uint16_t a2 = 0;
    if (!v.read_u16(a2)) return "truncated";
    asn = a2;
  }
  if (!v.read_u32(addr)) return "truncated";
  if (asn == 0) return "AS 0 (RFC 7607)";
  c.update.attrs.aggregator = Aggregator{asn, base::IpAddress::v4(addr)};
  return nullptr;
}

void encode_aggregator(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& agg = c.update.attrs.aggregator;
  if (!agg) return;
  w.begin(kOptionalTransitive, attr::kAggregator);
  if (c.params.four_octet_as)
    w.put_u32(agg->asn);
  else
    w.put_u16(two_octet_as(agg->asn));
  w.put_u32(agg->address.is_v4() ? agg->address.v4_value() : 0);
  w.end();
}

const char* decode_originator_id(base::ByteReader v, AttrDecodeCtx& c) {
  std::optional<std::uint32_t> value;
  if (const char* e = decode_u32_field(v, value)) return e;
  if (!from_external(c)) c.update.attrs.originator_id = value;
  return nullptr;
}

void encode_originator_id(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_u32_field(w, kOptional, attr::kOriginatorId, c.update.attrs.originator_id);
}

const char* decode_cluster_list(base::ByteReader v, AttrDecodeCtx& c) {
  if (v.empty() || v.remaining() % 4 != 0) return "length is 0 or not a multiple of 4";
  std::vector<std::uint32_t> ids;
  ids.reserve(v.remaining() / 4);
  std::uint32_t x = 0;
  while (v.read_u32(x)) ids.push_back(x);
  if (!from_external(c)) c.update.attrs.cluster_list = std::move(ids);
  return nullptr;
}

void encode_cluster_list(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& ids = c.update.attrs.cluster_list;
  if (ids.empty()) return;
  w.begin(kOptional, attr::kClusterList);
  for (auto id : ids) w.put_u32(id);
  w.end();
}

}  // namespace nvabgpd::wire::detail

namespace nvabgpd::wire::detail {

// RFC 9234 5: OTC is optional transitive, exactly 4 octets, else treat-as-withdraw. nvabgpd has
// no BGP roles, so it neither adds nor checks OTC: a valid one is carried unchanged (kept with
// the raw attributes, written back with the flags it came with: a Partial bit set upstream
// stays, none is added because the attribute is recognised).
const char* decode_otc(base::ByteReader v, AttrDecodeCtx& c) {
  std::uint32_t asn = 0;
  if (!read_exact_u32(v, asn)) return "length is not 4";
  c.update.attrs.unknown.push_back(
      RawAttribute{c.flags,
                   attr::kOtc,
                   {static_cast<std::uint8_t>(asn >> 24), static_cast<std::uint8_t>(asn >> 16),
                    static_cast<std::uint8_t>(asn >> 8), static_cast<std::uint8_t>(asn)}});
  return nullptr;
}

// Written by the raw-attribute pass of encode_path_attributes.
void encode_otc(const AttrEncodeCtx&, AttrWriter&) {}

}  // namespace nvabgpd::wire::detail
