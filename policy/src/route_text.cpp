#include "nvabgpd/policy/route_text.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "value.hpp"

namespace nvabgpd::policy {

namespace {
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(b, i - b));
      b = i + 1;
    }
  }
  return out;
}
std::optional<std::uint64_t> num(std::string_view s, std::uint64_t max) {
  std::uint64_t v = 0;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}
}  // namespace

std::string community_text(wire::Community c) { return fmt::format("{}:{}", c.asn(), c.low()); }
std::string large_community_text(const wire::LargeCommunity& c) {
  return fmt::format("{}:{}:{}", c.global, c.local1, c.local2);
}
std::string ext_community_text(wire::ExtCommunity c) {
  auto type = static_cast<unsigned>(c.value >> 48);
  unsigned sub = type & 0xFF;
  const char* kind = sub == 2 ? "rt" : sub == 3 ? "ro" : nullptr;
  if (kind != nullptr && (type >> 8) == 0) {
    return fmt::format("{}:{}:{}", kind, (c.value >> 32) & 0xFFFF, c.value & 0xFFFFFFFF);
  }
  if (kind != nullptr && (type >> 8) == 2) {
    return fmt::format("{}:{}:{}", kind, (c.value >> 16) & 0xFFFFFFFF, c.value & 0xFFFF);
  }
  if (kind != nullptr && (type >> 8) == 1) {
    return fmt::format("{}:{}:{}", kind,
                       base::IpAddress::v4(static_cast<std::uint32_t>(c.value >> 16)).to_string(),
                       c.value & 0xFFFF);
  }
  return fmt::format("generic:0x{:x}:0x{:x}", c.value >> 32, c.value & 0xFFFFFFFF);
}
std::string as_path_text(const wire::AsPath& p) { return path_to_string(p); }
std::string origin_text(wire::Origin o) {
  switch (o) {
    case wire::Origin::Igp:
      return "igp";
    case wire::Origin::Egp:
      return "egp";
    case wire::Origin::Incomplete:
      return "incomplete";
  }
  return "?";
}

std::optional<wire::Community> parse_community(std::string_view s) {
  auto p = split(s, ':');
  if (p.size() != 2) return std::nullopt;
  auto a = num(p[0], 0xFFFF), b = num(p[1], 0xFFFF);
  if (!a || !b) return std::nullopt;
  return wire::Community::of(static_cast<std::uint16_t>(*a), static_cast<std::uint16_t>(*b));
}
std::optional<wire::LargeCommunity> parse_large_community(std::string_view s) {
  auto p = split(s, ':');
  if (p.size() != 3) return std::nullopt;
  auto a = num(p[0], 0xFFFFFFFF), b = num(p[1], 0xFFFFFFFF), c = num(p[2], 0xFFFFFFFF);
  if (!a || !b || !c) return std::nullopt;
  return wire::LargeCommunity{static_cast<std::uint32_t>(*a), static_cast<std::uint32_t>(*b),
                              static_cast<std::uint32_t>(*c)};
}

std::optional<std::uint64_t> make_ext_community(unsigned kind, std::uint32_t a, std::uint32_t b,
                                                bool a_is_ipv4) {
  std::uint64_t sub = kind;
  if (kind == 0) return (std::uint64_t{a} << 32) | b;
  if (a_is_ipv4) {
    if (b > 0xFFFF) return std::nullopt;
    return ((0x0100 | sub) << 48) | (std::uint64_t{a} << 16) | b;
  }
  if (a <= 0xFFFF) return (sub << 48) | (std::uint64_t{a} << 32) | b;
  if (b > 0xFFFF) return std::nullopt;
  return ((0x0200 | sub) << 48) | (std::uint64_t{a} << 16) | b;
}

std::optional<wire::ExtCommunity> parse_ext_community(std::string_view s) {
  auto p = split(s, ':');
  if (p.size() != 3) return std::nullopt;
  unsigned kind = p[0] == "rt" ? 2 : p[0] == "ro" ? 3 : p[0] == "generic" ? 0 : 99;
  if (kind == 99) return std::nullopt;
  auto b = num(p[2], 0xFFFFFFFF);
  if (!b) return std::nullopt;
  std::optional<std::uint64_t> v;
  if (auto ip = base::IpAddress::parse(p[1]); ip && ip->is_v4() && kind != 0) {
    v = make_ext_community(kind, ip->v4_value(), static_cast<std::uint32_t>(*b), true);
  } else if (auto a = num(p[1], 0xFFFFFFFF)) {
    v = make_ext_community(kind, static_cast<std::uint32_t>(*a), static_cast<std::uint32_t>(*b),
                           false);
  }
  if (!v) return std::nullopt;
  return wire::ExtCommunity{*v};
}

std::optional<wire::AsPath> parse_as_path(std::string_view s) {
  wire::AsPath p;
  bool in_set = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == ',') {
      ++i;
    } else if (c == '{') {
      if (in_set) return std::nullopt;
      in_set = true;
      p.segments.push_back({wire::SegmentType::Set, {}});
      ++i;
    } else if (c == '}') {
      if (!in_set || p.segments.back().asns.empty()) return std::nullopt;
      in_set = false;
      ++i;
    } else {
      std::size_t j = i;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      auto v = num(s.substr(i, j - i), 0xFFFFFFFF);
      if (!v) return std::nullopt;
      if (!in_set &&
          (p.segments.empty() || p.segments.back().type != wire::SegmentType::Sequence)) {
        p.segments.push_back({wire::SegmentType::Sequence, {}});
      }
      p.segments.back().asns.push_back(static_cast<std::uint32_t>(*v));
      i = j;
    }
  }
  if (in_set) return std::nullopt;
  return p;
}

std::optional<wire::Origin> parse_origin(std::string_view s) {
  if (s == "igp" || s == "IGP" || s == "i") return wire::Origin::Igp;
  if (s == "egp" || s == "EGP" || s == "e") return wire::Origin::Egp;
  if (s == "incomplete" || s == "INCOMPLETE" || s == "?") return wire::Origin::Incomplete;
  return std::nullopt;
}

}  // namespace nvabgpd::policy
