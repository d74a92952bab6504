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

namespace {

const char* segment_name(wire::SegmentType t) {
  switch (t) {
    case wire::SegmentType::Sequence:
      return "sequence";
    case wire::SegmentType::Set:
      return "set";
    case wire::SegmentType::ConfedSequence:
      return "confed-sequence";
    default:
      return "confed-set";
  }
}

}  // namespace

// Keys in lexicographic order (the order nlohmann::json prints), so the text is the same as
// that of the documents this replaced.
void write_attributes(JsonWriter& w, const wire::PathAttributes& a) {
  std::string buf;
  w.begin_object();
  if (a.aggregator) {
    w.key("aggregator").begin_object();
    w.field("address", a.aggregator->address.to_string()).field("asn", a.aggregator->asn);
    w.end_object();
  }
  w.field("as_path", a.as_path.to_string());
  w.key("as_path_segments").begin_array();
  for (const auto& s : a.as_path.segments) {
    w.begin_object().key("asns").begin_array();
    for (auto asn : s.asns) w.value(asn);
    w.end_array().field("type", segment_name(s.type)).end_object();
  }
  w.end_array();
  if (a.atomic_aggregate) w.field("atomic_aggregate", true);
  if (!a.cluster_list.empty()) {
    w.key("cluster_list").begin_array();
    for (auto v : a.cluster_list) w.value(base::IpAddress::v4(v).to_string());
    w.end_array();
  }
  if (!a.communities.empty()) {
    w.key("communities").begin_array();
    for (auto v : a.communities) {
      buf.clear();
      fmt::format_to(std::back_inserter(buf), "{}:{}", v.asn(), v.low());
      w.value(buf);
    }
    w.end_array();
  }
  if (!a.ext_communities.empty()) {
    w.key("ext_communities").begin_array();
    for (auto v : a.ext_communities) {
      buf.clear();
      fmt::format_to(std::back_inserter(buf), "0x{:016x}", v.value);
      w.value(buf);
    }
    w.end_array();
  }
  if (!a.large_communities.empty()) {
    w.key("large_communities").begin_array();
    for (auto v : a.large_communities) {
      buf.clear();
      fmt::format_to(std::back_inserter(buf), "{}:{}:{}", v.global, v.local1, v.local2);
      w.value(buf);
    }
    w.end_array();
  }
  if (a.link_local_next_hop) w.field("link_local_next_hop", a.link_local_next_hop->to_string());
  if (a.local_pref) w.field("local_pref", *a.local_pref);
  if (a.med) w.field("med", *a.med);
  if (a.next_hop) w.field("next_hop", a.next_hop->to_string());
  w.field("origin", origin_name(a.origin));
  if (a.originator_id) w.field("originator_id", base::IpAddress::v4(*a.originator_id).to_string());
  w.end_object();
}

nlohmann::json attributes_json(const wire::PathAttributes& a) {
  std::string text;
  JsonWriter w(text);
  write_attributes(w, a);
  return nlohmann::json::parse(text);
}

}  // namespace nvabgpd::daemon
