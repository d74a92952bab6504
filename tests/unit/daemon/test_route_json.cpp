// The route JSON written as text: the documented schema, and text identical to what
// nlohmann::json prints for the same document (keys in lexicographic order).
#include <catch2/catch.hpp>
#include <string>

#include "json_writer.hpp"
#include "route_json.hpp"

namespace {

using nvabgpd::daemon::JsonWriter;
using nvabgpd::daemon::write_attributes;
namespace wire = nvabgpd::wire;
namespace base = nvabgpd::base;

}  // namespace

TEST_CASE("JsonWriter places commas and escapes strings") {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("a", std::uint64_t{1})
      .key("b")
      .begin_array()
      .value(true)
      .value("x\"\\\n\x01");
  w.begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .end_array()
      .field("c", false)
      .end_object();
  CHECK(out == R"({"a":1,"b":[true,"x\"\\\n\u0001",{},[]],"c":false})");
  CHECK(nlohmann::json::parse(out)["b"][1] == "x\"\\\n\x01");
}

TEST_CASE("attributes are written with every documented key, as nlohmann prints them") {
  wire::PathAttributes a;
  a.origin = wire::Origin::Incomplete;
  a.as_path.segments = {{wire::SegmentType::Sequence, {65515, 12076}},
                        {wire::SegmentType::Set, {1, 2}}};
  a.next_hop = base::IpAddress::parse("10.1.0.4");
  a.link_local_next_hop = base::IpAddress::parse("fe80::1");
  a.med = 5;
  a.local_pref = 100;
  a.atomic_aggregate = true;
  a.aggregator = wire::Aggregator{65001, *base::IpAddress::parse("192.0.2.1")};
  a.communities = {wire::Community::of(65517, 65517)};
  a.large_communities = {{1, 2, 3}};
  a.ext_communities = {{0x0002fde800000001ULL}};
  a.originator_id = 0x0a000001;
  a.cluster_list = {0x0a000002};
  std::string text;
  JsonWriter w(text);
  write_attributes(w, a);
  const auto j = nlohmann::json::parse(text);
  CHECK(j.dump() == text);  // lexicographic keys, compact: the text nlohmann would print
  CHECK(j["origin"] == "Incomplete");
  CHECK(j["as_path_segments"][1] == nlohmann::json{{"type", "set"}, {"asns", {1, 2}}});
  CHECK(j["next_hop"] == "10.1.0.4");
  CHECK(j["link_local_next_hop"] == "fe80::1");
  CHECK(j["med"] == 5);
  CHECK(j["local_pref"] == 100);
  CHECK(j["atomic_aggregate"] == true);
  CHECK(j["aggregator"] == nlohmann::json{{"asn", 65001}, {"address", "192.0.2.1"}});
  CHECK(j["communities"] == nlohmann::json{"65517:65517"});
  CHECK(j["large_communities"] == nlohmann::json{"1:2:3"});
  CHECK(j["ext_communities"] == nlohmann::json{"0x0002fde800000001"});
  CHECK(j["originator_id"] == "10.0.0.1");
  CHECK(j["cluster_list"] == nlohmann::json{"10.0.0.2"});
  CHECK(j.size() == 14);
}
