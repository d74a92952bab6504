// The operations on AS_PATH values declared in as_path.hpp. Choices where the former copies
// (wire, policy, rib) disagreed:
//   * neighbour_as() skips leading AS_CONFED_SEQUENCE / AS_CONFED_SET segments, as RFC 5065 5.2
//     says for MED comparison ("skip all the autonomous systems in the AS_CONFED_SET and
//     AS_CONFED_SEQUENCE"). The RIB's copy stopped at a leading confederation segment, so a
//     route from a confederation peer was compared by MED with routes of the local AS instead
//     of those of its real neighbouring AS. leading_asn() keeps the strict "path starts with an
//     AS_SEQUENCE" reading for the filter language's `.first` (what BIRD's filters do).
//   * prepend() starts a new AS_SEQUENCE in front when the leading one holds 255 ASNs
//     (RFC 4271 5.1.2 b: "it SHOULD prepend a new segment of type AS_SEQUENCE"). The codec and
//     RIB copies grew one segment without bound and left it to the encoder to split, which cut
//     the 255 at the front ("255 then the rest"), so the same path encoded differently from
//     the filter language's prepend and interned as a different value.
#include <algorithm>

#include <fmt/format.h>

#include "nvabgpd/wire/as_path.hpp"

namespace nvabgpd::wire {

unsigned AsPath::length() const {
  unsigned n = 0;
  for (const auto& s : segments) {
    if (s.type == SegmentType::Sequence)
      n += static_cast<unsigned>(s.asns.size());
    else if (s.type == SegmentType::Set)
      n += 1;
  }
  return n;
}

unsigned AsPath::count(std::uint32_t asn) const {
  unsigned n = 0;
  for (const auto& s : segments)
    n += static_cast<unsigned>(std::count(s.asns.begin(), s.asns.end(), asn));
  return n;
}

std::optional<std::uint32_t> AsPath::neighbour_as() const {
  for (const auto& s : segments) {
    if (is_confed_segment(s.type)) continue;
    if (s.type == SegmentType::Sequence && !s.asns.empty()) return s.asns.front();
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> AsPath::leading_asn() const {
  if (segments.empty()) return std::nullopt;
  const auto& s = segments.front();
  if (s.type != SegmentType::Sequence || s.asns.empty()) return std::nullopt;
  return s.asns.front();
}

std::optional<std::uint32_t> AsPath::last_asn() const {
  if (segments.empty()) return std::nullopt;
  const auto& s = segments.back();
  if (s.asns.empty() || is_set_segment(s.type)) return std::nullopt;  // even a one-member set
  return s.asns.back();
}

std::optional<std::uint32_t> AsPath::last_nonaggregated_asn() const {
  std::optional<std::uint32_t> last;
  for (const auto& s : segments) {
    if (is_set_segment(s.type)) break;
    if (s.type == SegmentType::Sequence && !s.asns.empty()) last = s.asns.back();
  }
  return last;
}

void AsPath::prepend(std::uint32_t asn, unsigned times) {
  while (times > 0) {
    if (segments.empty() || segments.front().type != SegmentType::Sequence ||
        segments.front().asns.size() >= kMaxSegmentAsns)
      segments.insert(segments.begin(), AsSegment{SegmentType::Sequence, {}});
    auto& asns = segments.front().asns;
    const auto n = std::min<std::size_t>(times, kMaxSegmentAsns - asns.size());
    asns.insert(asns.begin(), n, asn);
    times -= static_cast<unsigned>(n);
  }
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& s : segments) {
    const char* open = "";
    const char* close = "";
    switch (s.type) {
      case SegmentType::Sequence:
        break;
      case SegmentType::Set:
        open = "{";
        close = "}";
        break;
      case SegmentType::ConfedSequence:
        open = "(";
        close = ")";
        break;
      case SegmentType::ConfedSet:
        open = "[";
        close = "]";
        break;
    }
    if (!out.empty()) out += ' ';
    out += open;
    out += fmt::format("{}", fmt::join(s.asns, " "));
    out += close;
  }
  return out;
}

AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  const unsigned as_len = as_path.length();
  const unsigned as4_len = as4_path.length();
  if (as_len < as4_len) return as_path;  // AS4_PATH is ignored
  unsigned need = as_len - as4_len;
  AsPath merged;
  for (const auto& seg : as_path.segments) {
    if (is_confed_segment(seg.type)) {
      merged.segments.push_back(seg);
      continue;
    }
    if (need == 0) break;
    if (seg.type == SegmentType::Set) {
      merged.segments.push_back(seg);
      --need;
      continue;
    }
    const std::size_t take = std::min<std::size_t>(need, seg.asns.size());
    merged.segments.push_back(AsSegment{
        seg.type, {seg.asns.begin(), seg.asns.begin() + static_cast<std::ptrdiff_t>(take)}});
    need -= static_cast<unsigned>(take);
  }
  for (const auto& seg : as4_path.segments) {
    auto& segs = merged.segments;
    if (!segs.empty() && segs.back().type == SegmentType::Sequence &&
        seg.type == SegmentType::Sequence) {
      segs.back().asns.insert(segs.back().asns.end(), seg.asns.begin(), seg.asns.end());
    } else {
      segs.push_back(seg);
    }
  }
  return merged;
}

}  // namespace nvabgpd::wire
