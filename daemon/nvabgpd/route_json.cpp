#include "route_json.hpp"

#include <fmt/format.h>

namespace nvabgpd::daemon {

std::string origin_name(wire::Origin o) {
  switch (o) {
    case wire::Origin::Igp:
      return "IGP";
    case wire::Origin::Egp:
      return "EGP";
    case wire::Origin::Incomplete:
      return "Incomplete";
  }
  return "?";
}

nlohmann::json attributes_json(const wire::PathAttributes& a) {
  nlohmann::json j;
  j["origin"] = origin_name(a.origin);
  j["as_path"] = a.as_path.to_string();
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& s : a.as_path.segments) {
    const char* t = s.type == wire::SegmentType::Sequence      ? "sequence"
                    : s.type == wire::SegmentType::Set         ? "set"
                    : s.type == wire::SegmentType::ConfedSequence ? "confed-sequence"
                                                                  : "confed-set";
    segs.push_back({{"type", t}, {"asns", s.asns}});
  }
  j["as_path_segments"] = segs;
  if (a.next_hop) j["next_hop"] = a.next_hop->to_string();
  if (a.link_local_next_hop) j["link_local_next_hop"] = a.link_local_next_hop->to_string();
  if (a.med) j["med"] = *a.med;
  if (a.local_pref) j["local_pref"] = *a.local_pref;
  if (a.atomic_aggregate) j["atomic_aggregate"] = true;
  if (a.aggregator)
    j["aggregator"] = {{"asn", a.aggregator->asn}, {"address", a.aggregator->address.to_string()}};
  if (!a.communities.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (auto v : a.communities) c.push_back(fmt::format("{}:{}", v.asn(), v.low()));
    j["communities"] = c;
  }
  if (!a.large_communities.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (auto v : a.large_communities) c.push_back(fmt::format("{}:{}:{}", v.global, v.local1, v.local2));
    j["large_communities"] = c;
  }
  if (!a.ext_communities.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (auto v : a.ext_communities) c.push_back(fmt::format("0x{:016x}", v.value));
    j["ext_communities"] = c;
  }
  if (a.originator_id)
    j["originator_id"] = base::IpAddress::v4(*a.originator_id).to_string();
  if (!a.cluster_list.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (auto v : a.cluster_list) c.push_back(base::IpAddress::v4(v).to_string());
    j["cluster_list"] = c;
  }
  return j;
}

}  // namespace nvabgpd::daemon
