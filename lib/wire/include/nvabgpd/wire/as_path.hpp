#pragma once
// AS_PATH values and every operation on them (RFC 4271 5.1.2 and 9.1.2.2, RFC 5065
// confederation segments, RFC 6793 AS4_PATH). The one implementation: the codec, the RIB
// (which stores paths in its own compact form but asks these functions what they mean) and
// the filter language all call these.
//
// Where the three former copies disagreed, the RFC decides (see as_path_ops.cpp):
//   * neighbour_as(), used for MED comparison, skips leading confederation segments
//     (RFC 5065 5.2); the RIB used to stop at them and fall back to the local AS.
//   * prepend() never grows a segment past 255 ASNs: when the leading AS_SEQUENCE is full a
//     new one is started in front of it (RFC 4271 5.1.2 b); only the filter language did so.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace nvabgpd::wire {

enum class SegmentType : std::uint8_t { Set = 1, Sequence = 2, ConfedSequence = 3, ConfedSet = 4 };

// The most ASNs one segment can hold on the wire (its count is one octet).
inline constexpr std::size_t kMaxSegmentAsns = 255;

constexpr bool is_confed_segment(SegmentType t) {
  return t == SegmentType::ConfedSequence || t == SegmentType::ConfedSet;
}
constexpr bool is_set_segment(SegmentType t) {
  return t == SegmentType::Set || t == SegmentType::ConfedSet;
}

struct AsSegment {
  SegmentType type = SegmentType::Sequence;
  std::vector<std::uint32_t> asns;
  bool operator==(const AsSegment&) const = default;
  auto operator<=>(const AsSegment&) const = default;
};

struct AsPath {
  std::vector<AsSegment> segments;

  bool empty() const { return segments.empty(); }

  // Length for best-path selection (RFC 4271 9.1.2.2 a, RFC 5065 5.3): each ASN of an
  // AS_SEQUENCE counts 1, an AS_SET counts 1, confederation segments count 0. Also the length
  // RFC 6793 4.2.3 compares when merging AS4_PATH, and the filter language's `.len`.
  unsigned length() const;
  // Occurrences of asn anywhere in the path, sets and confederation segments included (the
  // loop check of RFC 4271 9.1.2 with allowas-in counting, and the filter's `~`).
  unsigned count(std::uint32_t asn) const;
  bool contains(std::uint32_t asn) const { return count(asn) > 0; }
  // Whether any ASN anywhere in the path satisfies pred.
  template <typename Pred>
  bool any_of(Pred pred) const;

  // The neighbouring AS for MED comparison (RFC 4271 9.1.2.2 c, RFC 5065 5.2): the leftmost
  // ASN of the first AS_SEQUENCE after any leading confederation segments. nullopt when the
  // path is empty or only confederation segments (the route is from inside our AS or
  // confederation), or when the first non-confederation segment is an AS_SET.
  std::optional<std::uint32_t> neighbour_as() const;
  // The leftmost ASN when the path starts with an AS_SEQUENCE (the filter language's `.first`,
  // as BIRD: a leading confederation segment or AS_SET has none).
  std::optional<std::uint32_t> leading_asn() const;
  // The rightmost ASN when the last segment is a sequence (AS_SEQUENCE or AS_CONFED_SEQUENCE):
  // the origin AS; none when the path ends in a set (the filter's `.last`).
  std::optional<std::uint32_t> last_asn() const;
  // The last ASN of the sequences before the first set: the AS that aggregated the route, or
  // the origin when nothing was aggregated (the filter's `.last_nonaggregated`).
  std::optional<std::uint32_t> last_nonaggregated_asn() const;

  // Prepends asn `times` times (RFC 4271 5.1.2 b): into the leading AS_SEQUENCE while it has
  // fewer than 255 ASNs, then into a new AS_SEQUENCE in front of it.
  void prepend(std::uint32_t asn, unsigned times = 1);
  // The path without the ASNs for which keep() is false (in every segment, sets too); a
  // segment left empty is dropped (the filter's `delete` and `filter`).
  template <typename Keep>
  AsPath filtered(Keep keep) const;

  // "65001 65515 {1 2} (65000)"; empty string for an empty path.
  std::string to_string() const;

  bool operator==(const AsPath&) const = default;
  auto operator<=>(const AsPath&) const = default;
};

// RFC 6793 4.2.3: the path a 2-octet speaker's AS_PATH and AS4_PATH stand for. AS4_PATH is
// ignored when it is longer than AS_PATH (length() above); otherwise the leading
// length(as_path) - length(as4_path) ASNs of AS_PATH (and its confederation segments) are kept
// and AS4_PATH follows.
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path);

template <typename Pred>
bool AsPath::any_of(Pred pred) const {
  for (const auto& s : segments)
    for (auto a : s.asns)
      if (pred(a)) return true;
  return false;
}

template <typename Keep>
AsPath AsPath::filtered(Keep keep) const {
  AsPath out;
  for (const auto& s : segments) {
    AsSegment n{s.type, {}};
    for (auto a : s.asns)
      if (keep(a)) n.asns.push_back(a);
    if (!n.asns.empty()) out.segments.push_back(std::move(n));
  }
  return out;
}

}  // namespace nvabgpd::wire

template <>
struct fmt::formatter<nvabgpd::wire::AsPath> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const nvabgpd::wire::AsPath& p, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(p.to_string(), ctx);
  }
};
