#include "message_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nvabgpd/config/model.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::replay {

namespace {

std::string prefixes(const std::vector<base::Prefix>& v) {
  std::vector<std::string> s;
  for (const auto& p : v) s.push_back(p.to_string());
  return fmt::format("[{}]", fmt::join(s, " "));
}

std::string community(wire::Community c) { return fmt::format("{}:{}", c.asn(), c.low()); }

std::string attrs_text(const wire::PathAttributes& a) {
  static constexpr const char* kOrigin[] = {"igp", "egp", "incomplete"};
  std::string s = fmt::format("origin={} as_path=\"{}\"", kOrigin[static_cast<int>(a.origin) % 3],
                              a.as_path.to_string());
  if (a.next_hop) s += " next_hop=" + a.next_hop->to_string();
  if (a.link_local_next_hop) s += " link_local=" + a.link_local_next_hop->to_string();
  if (a.med) s += fmt::format(" med={}", *a.med);
  if (a.local_pref) s += fmt::format(" local_pref={}", *a.local_pref);
  if (a.atomic_aggregate) s += " atomic_aggregate";
  if (a.aggregator)
    s += fmt::format(" aggregator={}:{}", a.aggregator->asn, a.aggregator->address.to_string());
  if (!a.communities.empty()) {
    std::vector<std::string> c;
    for (auto x : a.communities) c.push_back(community(x));
    s += fmt::format(" communities=[{}]", fmt::join(c, " "));
  }
  if (!a.ext_communities.empty()) {
    std::vector<std::string> c;
    for (auto x : a.ext_communities) c.push_back(fmt::format("{:016x}", x.value));
    s += fmt::format(" ext_communities=[{}]", fmt::join(c, " "));
  }
  if (!a.large_communities.empty()) {
    std::vector<std::string> c;
    for (auto x : a.large_communities)
      c.push_back(fmt::format("{}:{}:{}", x.global, x.local1, x.local2));
    s += fmt::format(" large_communities=[{}]", fmt::join(c, " "));
  }
  if (a.originator_id) s += " originator_id=" + base::IpAddress::v4(*a.originator_id).to_string();
  if (!a.cluster_list.empty()) {
    std::vector<std::string> c;
    for (auto x : a.cluster_list) c.push_back(base::IpAddress::v4(x).to_string());
    s += fmt::format(" cluster_list=[{}]", fmt::join(c, " "));
  }
  for (const auto& u : a.unknown)
    s += fmt::format(" attr{}(flags={:02x},{}B)", u.type, u.flags, u.value.size());
  return s;
}

std::string update_text(const wire::Update& u) {
  if (auto af = u.end_of_rib())
    return fmt::format("UPDATE End-of-RIB {}", config::family_name(*af));
  std::string s = "UPDATE";
  if (!u.withdrawn.empty()) s += " withdrawn=" + prefixes(u.withdrawn);
  if (u.has_attributes) s += " " + attrs_text(u.attrs);
  if (!u.nlri.empty()) s += " nlri=" + prefixes(u.nlri);
  if (u.mp_reach) {
    s += fmt::format(" mp_reach={} next_hop={}", config::family_name(u.mp_reach->af),
                     u.mp_reach->next_hop.to_string());
    if (u.mp_reach->link_local_next_hop)
      s += " link_local=" + u.mp_reach->link_local_next_hop->to_string();
    s += " nlri=" + prefixes(u.mp_reach->nlri);
  }
  if (u.mp_unreach)
    s += fmt::format(" mp_unreach={} withdrawn={}", config::family_name(u.mp_unreach->af),
                     prefixes(u.mp_unreach->withdrawn));
  return s;
}

}  // namespace

std::string message_text(const wire::Message& m) {
  struct V {
    std::string operator()(const wire::Open& o) const {
      return fmt::format("OPEN as={} hold={} id={}", o.asn(), o.hold_time,
                         base::IpAddress::v4(o.bgp_id).to_string());
    }
    std::string operator()(const wire::Update& u) const { return update_text(u); }
    std::string operator()(const wire::Notification& n) const {
      return "NOTIFICATION " + wire::describe(n);
    }
    std::string operator()(const wire::Keepalive&) const { return "KEEPALIVE"; }
    std::string operator()(const wire::RouteRefresh& r) const {
      return fmt::format("ROUTE-REFRESH {} subtype={}", config::family_name(r.af), r.subtype);
    }
  };
  return std::visit(V{}, m);
}

std::string message_text(std::span<const std::uint8_t> bytes, const wire::SessionParams& params) {
  const wire::DecodeResult r = wire::decode(bytes, params);
  std::string s = r.message ? message_text(*r.message) : "UNDECODABLE";
  for (const auto& e : r.errors) s += " error=\"" + e.reason + "\"";
  return s;
}

}  // namespace nvabgpd::replay
