// AS_PATH (RFC 4271, RFC 5065 confederation segments), AS4_PATH and AS4_AGGREGATOR (RFC 6793):
// 2- or 4-octet ASNs by session, the merge for 2-octet peers, and AS_TRANS substitution when
// encoding for them.
#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire::detail {
namespace {

constexpr std::uint8_t kWellKnown = attr::kFlagTransitive;
constexpr std::uint8_t kOptionalTransitive = attr::kFlagOptional | attr::kFlagTransitive;
const char* decode_segments(base::ByteReader v, bool four_octet, AsPath& out) {
  while (!v.empty()) {
    std::uint8_t type = 0;
    std::uint8_t count = 0;
    if (!v.read_u8(type) || !v.read_u8(count)) return "truncated segment header";
    if (type < 1 || type > 4) return "unknown segment type";
    if (count == 0) return "empty segment";
    if (v.remaining() < std::size_t{count} * (four_octet ? 4 : 2))
      return "segment overruns the attribute";
    AsSegment seg;
    seg.type = static_cast<SegmentType>(type);
    seg.asns.resize(count);
    for (auto& asn : seg.asns) {
      if (four_octet) {
        (void)v.read_u32(asn);
      } else {
        std::uint16_t a = 0;
        (void)v.read_u16(a);
        asn = a;
      }
      if (asn == 0) return "AS 0 (RFC 7607)";
    }
    out.segments.push_back(std::move(seg));
  }
  return nullptr;
}

// Writes segments, splitting any longer than 255 ASNs. With `two_octet`, ASNs above 65535
// become AS_TRANS; with `skip_confed`, confederation segments are left out.
void encode_segments(const AsPath& path, bool two_octet, bool skip_confed, AttrWriter& w) {
  for (const auto& seg : path.segments) {
    if (skip_confed && is_confed_segment(seg.type)) continue;
    for (std::size_t i = 0; i < seg.asns.size(); i += kMaxSegmentAsns) {
      const std::size_t n = std::min(kMaxSegmentAsns, seg.asns.size() - i);
      w.put_u8(static_cast<std::uint8_t>(seg.type));
      w.put_u8(static_cast<std::uint8_t>(n));
      for (std::size_t k = i; k < i + n; ++k) {
        if (two_octet)
          w.put_u16(two_octet_as(seg.asns[k]));
        else
          w.put_u32(seg.asns[k]);
      }
    }
  }
}

bool needs_four_octets(const AsPath& path) {
  for (const auto& seg : path.segments) {
    if (is_confed_segment(seg.type)) continue;
    for (auto asn : seg.asns)
      if (asn > 0xFFFF) return true;
  }
  return false;
}

// RFC 6793 4.1: AS4_* attributes are only meaningful from a 2-octet speaker.
bool discard_if_four_octet_session(AttrDecodeCtx& c, std::uint8_t code, const char* name) {
  if (!c.params.four_octet_as) return false;
  add_error(c.result, ErrorAction::AttributeDiscard, code,
            std::string(name) + ": received on a 4-octet AS session, discarded");
  return true;
}

}  // namespace

const char* decode_as_path(base::ByteReader v, AttrDecodeCtx& c) {
  AsPath path;
  if (const char* e = decode_segments(v, c.params.four_octet_as, path)) return e;
  // RFC 5065 5.3 with RFC 7606 7.2: confederation segments from a peer outside our
  // confederation (every external peer: nvabgpd runs none) make the AS_PATH malformed.
  if (c.params.ebgp)
    for (const auto& seg : path.segments)
      if (is_confed_segment(seg.type)) return "confederation segment from an external peer";
  c.update.attrs.as_path = std::move(path);
  return nullptr;
}

void encode_as_path(const AttrEncodeCtx& c, AttrWriter& w) {
  w.begin(kWellKnown, attr::kAsPath);
  encode_segments(c.update.attrs.as_path, !c.params.four_octet_as, false, w);
  w.end();
}

const char* decode_as4_path(base::ByteReader v, AttrDecodeCtx& c) {
  if (discard_if_four_octet_session(c, attr::kAs4Path, "AS4_PATH")) return nullptr;
  AsPath path;
  if (const char* e = decode_segments(v, true, path)) return e;
  for (const auto& seg : path.segments)
    if (is_confed_segment(seg.type)) return "confederation segment";
  c.as4_path = std::move(path);
  return nullptr;
}

void encode_as4_path(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& path = c.update.attrs.as_path;
  if (c.params.four_octet_as || !needs_four_octets(path)) return;
  w.begin(kOptionalTransitive, attr::kAs4Path);
  encode_segments(path, false, true, w);
  w.end();
}

const char* decode_as4_aggregator(base::ByteReader v, AttrDecodeCtx& c) {
  if (discard_if_four_octet_session(c, attr::kAs4Aggregator, "AS4_AGGREGATOR")) return nullptr;
  std::uint32_t asn = 0;
  std::uint32_t addr = 0;
  if (v.remaining() != 8 || !v.read_u32(asn) || !v.read_u32(addr)) return "length is not 8";
  if (asn == 0) return "AS 0 (RFC 7607)";
  c.as4_aggregator = Aggregator{asn, base::IpAddress::v4(addr)};
  return nullptr;
}

void encode_as4_aggregator(const AttrEncodeCtx& c, AttrWriter& w) {
  const auto& agg = c.update.attrs.aggregator;
  if (c.params.four_octet_as || !agg || agg->asn <= 0xFFFF) return;
  w.begin(kOptionalTransitive, attr::kAs4Aggregator);
  w.put_u32(agg->asn);
  w.put_u32(agg->address.is_v4() ? agg->address.v4_value() : 0);
  w.end();
}

void merge_as4(AttrDecodeCtx& c) {
  auto& attrs = c.update.attrs;
  if (attrs.aggregator && attrs.aggregator->asn != kAsTrans) {
    // The aggregating speaker was 2-octet: AS4_AGGREGATOR and AS4_PATH are stale.
    return;
  }
  if (attrs.aggregator && c.as4_aggregator) attrs.aggregator = *c.as4_aggregator;
  if (c.as4_path) attrs.as_path = merge_as4_path(attrs.as_path, *c.as4_path);
}

}  // namespace nvabgpd::wire::detail
