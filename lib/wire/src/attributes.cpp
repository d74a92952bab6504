// Helpers on the attribute value types declared in attributes.hpp and messages.hpp.
#include <algorithm>

#include <fmt/format.h>

#include "nvabgpd/wire/attributes.hpp"
#include "nvabgpd/wire/messages.hpp"

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

bool AsPath::contains(std::uint32_t asn) const { return count(asn) > 0; }

unsigned AsPath::count(std::uint32_t asn) const {
  unsigned n = 0;
  for (const auto& s : segments)
    n += static_cast<unsigned>(std::count(s.asns.begin(), s.asns.end(), asn));
  return n;
}

std::optional<std::uint32_t> AsPath::first_asn() const {
  for (const auto& s : segments) {
    if (s.type == SegmentType::ConfedSequence || s.type == SegmentType::ConfedSet) continue;
    if (s.type == SegmentType::Sequence && !s.asns.empty()) return s.asns.front();
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> AsPath::origin_asn() const {
  if (segments.empty()) return std::nullopt;
  const auto& last = segments.back();
  if (last.type != SegmentType::Sequence || last.asns.empty()) return std::nullopt;
  return last.asns.back();
}

void AsPath::prepend(std::uint32_t asn, unsigned times) {
  if (times == 0) return;
  if (segments.empty() || segments.front().type != SegmentType::Sequence)
    segments.insert(segments.begin(), AsSegment{SegmentType::Sequence, {}});
  auto& asns = segments.front().asns;
  asns.insert(asns.begin(), times, asn);
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

bool PathAttributes::has_community(Community c) const {
  return std::find(communities.begin(), communities.end(), c) != communities.end();
}

std::optional<AfiSafi> Update::end_of_rib() const {
  if (has_attributes || !withdrawn.empty() || !nlri.empty() || mp_reach) return std::nullopt;
  if (!mp_unreach) return kIpv4Unicast;
  if (mp_unreach->withdrawn.empty()) return mp_unreach->af;
  return std::nullopt;
}

}  // namespace nvabgpd::wire
