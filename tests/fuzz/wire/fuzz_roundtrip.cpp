// decode -> encode -> decode must give the same message (up to what encoding normalises:
// community order, the Partial bit of carried attributes, adjacent AS_SEQUENCEs merged by the
// RFC 6793 reconstruction on 2-octet sessions).
#include <algorithm>

#include "fuzz_input.hpp"

using namespace nvabgpd::wire;
using wirefuzz::require;

namespace {

void normalise(Update& u, bool merge_sequences) {
  auto& a = u.attrs;
  std::sort(a.communities.begin(), a.communities.end());
  std::sort(a.ext_communities.begin(), a.ext_communities.end());
  std::sort(a.large_communities.begin(), a.large_communities.end());
  for (auto& raw : a.unknown)
    if ((raw.flags & attr::kFlagOptional) && (raw.flags & attr::kFlagTransitive))
      raw.flags |= attr::kFlagPartial;
  if (merge_sequences) {
    std::vector<AsSegment> segs;
    for (auto& s : a.as_path.segments) {
      if (!segs.empty() && segs.back().type == SegmentType::Sequence &&
          s.type == SegmentType::Sequence)
        segs.back().asns.insert(segs.back().asns.end(), s.asns.begin(), s.asns.end());
      else
        segs.push_back(std::move(s));
    }
    a.as_path.segments = std::move(segs);
  }
}

// RFC 6793 4.2.3: a 2-octet AGGREGATOR other than AS_TRANS makes the receiver ignore
// AS4_PATH, so a path needing 4 octets cannot travel to a 2-octet peer next to such an
// aggregator. Only malformed input (AS4_AGGREGATOR with a 2-octet ASN) produces this.
bool inexpressible_for_two_octet_peer(const Update& u) {
  const auto& agg = u.attrs.aggregator;
  if (!agg || agg->asn == kAsTrans || agg->asn > 0xFFFF) return false;
  for (const auto& s : u.attrs.as_path.segments)
    for (auto asn : s.asns)
      if (asn > 0xFFFF) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = wirefuzz::make_input(data, size);
  const DecodeResult r1 = decode(in.message, in.params);
  // Treat-as-withdraw leaves a partial attribute set that is not meant to be re-encoded.
  if (!r1.message || r1.action > ErrorAction::AttributeDiscard) return 0;
  if (const auto* u = std::get_if<Update>(&*r1.message);
      u && !in.params.four_octet_as && inexpressible_for_two_octet_peer(*u))
    return 0;
  const auto bytes = encode(*r1.message, in.params);
  // Re-encoding may add the default ORIGIN/AS_PATH; beyond the limit is the caller's error.
  if (bytes.size() > in.params.max_message_size()) return 0;
  const DecodeResult r2 = decode(bytes, in.params);
  require(r2.message.has_value());
  require(r2.action <= ErrorAction::AttributeDiscard);
  Message m1 = *r1.message;
  Message m2 = *r2.message;
  if (auto* u1 = std::get_if<Update>(&m1)) {
    auto* u2 = std::get_if<Update>(&m2);
    require(u2 != nullptr);
    normalise(*u1, !in.params.four_octet_as);
    normalise(*u2, !in.params.four_octet_as);
  }
  require(m1 == m2);
  // A second encode is byte-identical: encoding is canonical.
  require(encode(*r2.message, in.params) == bytes);
  return 0;
}
