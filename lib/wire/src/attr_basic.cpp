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
  w.u32(value);
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

// RFC 4271 6.3: a NEXT_HOP must be a usable unicast host address.
bool is_valid_ipv4_next_hop(std::uint32_t a) {
  if (a == 0) return false;            // 0.0.0.0
  if ((a >> 28) >= 0xE) return false;  // multicast (224/4) and class E (240/4)
  return true;
}

}  // namespace

const char* decode_origin(base::ByteReader v, AttrDecodeCtx& c) {
  std::uint8_t o = 0;
  if (v.remaining() != 1 || !v.read_u8(o)) return "length is not 1";
  if (o > static_cast<std::uint8_t>(Origin::Incomplete)) return "undefined value";
  c.update.attrs.origin = static_cast<Origin>(o);
  return nullptr;
}

void encode_origin(const AttrEncodeCtx& c, AttrWriter& w) {
  w.begin(kWellKnown, attr::kOrigin);
  w.u8(static_cast<std::uint8_t>(c.update.attrs.origin));
  w.end();
}

const char* decode_next_hop(base::ByteReader v, AttrDecodeCtx& c) {
  std::uint32_t a = 0;
  if (!read_exact_u32(v, a)) return "length is not 4";
  if (!is_valid_ipv4_next_hop(a)) return "not a unicast host address";
  c.update.attrs.next_hop = base::IpAddress::v4(a);
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
  return decode_u32_field(v, c.update.attrs.local_pref);
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
    w.u32(agg->asn);
  else
    w.u16(two_octet_as(agg->asn));
  w.u32(agg->address.is_v4() ? agg->address.v4_value() : 0);
  w.end();
}

const char* decode_originator_id(base::ByteReader v, AttrDecodeCtx& c) {
  return decode_u32_field(v, c.update.attrs.originator_id);
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
  c.update.attrs.cluster_list = std::move(ids);
  return nullptr;
}

void encode_cluster_list(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& ids = c.update.attrs.cluster_list;
  if (ids.empty()) return;
  w.begin(kOptional, attr::kClusterList);
  for (auto id : ids) w.u32(id);
  w.end();
}

}  // namespace nvabgpd::wire::detail
