// The path attribute descriptor table and the attribute-section encoder built on it.
#include "attribute_table.hpp"

#include <array>

#include <fmt/format.h>

#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire {
namespace detail {
namespace {

constexpr std::uint8_t kWellKnown = attr::kFlagTransitive;
constexpr std::uint8_t kOptional = attr::kFlagOptional;
constexpr std::uint8_t kOptionalTransitive = attr::kFlagOptional | attr::kFlagTransitive;

constexpr auto kTaw = ErrorAction::TreatAsWithdraw;
constexpr auto kDiscard = ErrorAction::AttributeDiscard;
constexpr auto kReset = ErrorAction::SessionReset;
constexpr bool kEbgpDiscard = true;

// Encode order: MP_REACH_NLRI and MP_UNREACH_NLRI first (RFC 7606 5.1), then by type code.
constexpr AttributeDescriptor kTable[] = {
    {attr::kMpReach, "MP_REACH_NLRI", kOptional, kReset, err::kUpdateOptionalAttributeError,
     decode_mp_reach, encode_mp_reach},
    {attr::kMpUnreach, "MP_UNREACH_NLRI", kOptional, kReset, err::kUpdateOptionalAttributeError,
     decode_mp_unreach, encode_mp_unreach},
    {attr::kOrigin, "ORIGIN", kWellKnown, kTaw, err::kUpdateInvalidOrigin, decode_origin,
     encode_origin},
    {attr::kAsPath, "AS_PATH", kWellKnown, kTaw, err::kUpdateMalformedAsPath, decode_as_path,
     encode_as_path},
    {attr::kNextHop, "NEXT_HOP", kWellKnown, kTaw, err::kUpdateInvalidNextHop, decode_next_hop,
     encode_next_hop},
    {attr::kMed, "MULTI_EXIT_DISC", kOptional, kTaw, err::kUpdateAttributeLengthError, decode_med,
     encode_med},
    {attr::kLocalPref, "LOCAL_PREF", kWellKnown, kTaw, err::kUpdateAttributeLengthError,
     decode_local_pref, encode_local_pref, kEbgpDiscard},
    {attr::kAtomicAggregate, "ATOMIC_AGGREGATE", kWellKnown, kDiscard,
     err::kUpdateAttributeLengthError, decode_atomic_aggregate, encode_atomic_aggregate},
    {attr::kAggregator, "AGGREGATOR", kOptionalTransitive, kDiscard,
     err::kUpdateAttributeLengthError, decode_aggregator, encode_aggregator},
    {attr::kCommunities, "COMMUNITIES", kOptionalTransitive, kTaw,
     err::kUpdateOptionalAttributeError, decode_communities, encode_communities},
    {attr::kOriginatorId, "ORIGINATOR_ID", kOptional, kTaw, err::kUpdateAttributeLengthError,
     decode_originator_id, encode_originator_id, kEbgpDiscard},
    {attr::kClusterList, "CLUSTER_LIST", kOptional, kTaw, err::kUpdateAttributeLengthError,
     decode_cluster_list, encode_cluster_list, kEbgpDiscard},
    {attr::kExtCommunities, "EXTENDED_COMMUNITIES", kOptionalTransitive, kTaw,
     err::kUpdateOptionalAttributeError, decode_ext_communities, encode_ext_communities},
    {attr::kAs4Path, "AS4_PATH", kOptionalTransitive, kDiscard, err::kUpdateOptionalAttributeError,
     decode_as4_path, encode_as4_path},
    {attr::kAs4Aggregator, "AS4_AGGREGATOR", kOptionalTransitive, kDiscard,
     err::kUpdateOptionalAttributeError, decode_as4_aggregator, encode_as4_aggregator},
    {attr::kLargeCommunities, "LARGE_COMMUNITY", kOptionalTransitive, kTaw,
     err::kUpdateOptionalAttributeError, decode_large_communities, encode_large_communities},
    {attr::kOtc, "OTC", kOptionalTransitive, kTaw, err::kUpdateOptionalAttributeError, decode_otc,
     encode_otc},
};

// code -> index into kTable + 1 (0: unknown).
constexpr std::array<std::uint8_t, 256> kIndex = [] {
  std::array<std::uint8_t, 256> idx{};
  for (std::size_t i = 0; i < std::size(kTable); ++i)
    idx[kTable[i].code] = static_cast<std::uint8_t>(i + 1);
  return idx;
}();

void encode_unknown(const RawAttribute& a, AttrWriter& w) {
  // Optional transitive attributes we do not understand are passed on with Partial set
  // (RFC 4271 5); anything else is written as given. Known attributes carried raw (OTC) keep
  // the Partial bit they arrived with: we did recognise them.
  std::uint8_t flags = a.flags;
  if ((flags & attr::kFlagOptional) && (flags & attr::kFlagTransitive) &&
      find_attribute(a.type) == nullptr)
    flags |= attr::kFlagPartial;
  w.begin(flags, a.type);
  w.put_bytes(a.value);
  w.end();
}

}  // namespace

const AttributeDescriptor* find_attribute(std::uint8_t code) {
  const auto i = kIndex[code];
  return i == 0 ? nullptr : &kTable[i - 1];
}

std::span<const AttributeDescriptor> attributes_in_encode_order() { return kTable; }

void encode_path_attributes(const Update& u, const SessionParams& params,
                            std::vector<std::uint8_t>& out) {
  const AttrEncodeCtx ctx{u, params};
  AttrWriter w(out);
  const auto& unknown = u.attrs.unknown;
  std::size_t next_unknown = 0;
  for (const auto& d : kTable) {
    const bool mp = d.code == attr::kMpReach || d.code == attr::kMpUnreach;
    if (mp) {
      d.encode(ctx, w);
      continue;
    }
    if (!u.has_attributes) break;
    // Unknown attributes go in type-code order between the known ones.
    while (next_unknown < unknown.size() && unknown[next_unknown].type < d.code)
      encode_unknown(unknown[next_unknown++], w);
    d.encode(ctx, w);
  }
  if (u.has_attributes)
    while (next_unknown < unknown.size()) encode_unknown(unknown[next_unknown++], w);
}

}  // namespace detail

std::string attribute_name(std::uint8_t type) {
  if (const auto* d = detail::find_attribute(type)) return std::string(d->name);
  return fmt::format("attribute {}", type);
}

}  // namespace nvabgpd::wire
