#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

TEST_CASE("interning keeps one copy per distinct attribute set", "[rib][attrs]") {
  rib::AttrStore store;
  auto a = attrs({65010, 65020}, "10.0.0.1");
  a.communities = {wire::Community::of(65010, 1)};
  auto r1 = store.intern(a);
  auto r2 = store.intern(a);
  CHECK(r1 == r2);
  CHECK(store.attr_sets() == 1);
  CHECK(r1->refs() == 2);

  auto b = a;
  b.med = 7;  // differs only in MED: new set, shared AS path and communities
  auto r3 = store.intern(b);
  CHECK_FALSE(r3 == r1);
  CHECK(store.attr_sets() == 2);
  CHECK(store.as_paths() == 1);
  CHECK(store.community_lists() == 1);
  CHECK(r3->as_path_ref() == r1->as_path_ref());

  r3.reset();
  CHECK(store.attr_sets() == 1);
  r1.reset();
  r2.reset();
  CHECK(store.attr_sets() == 0);
  CHECK(store.as_paths() == 0);
  CHECK(store.community_lists() == 0);
  CHECK(store.next_hops() == 0);
}

TEST_CASE("materialize gives back the interned value", "[rib][attrs]") {
  rib::AttrStore store;
  wire::PathAttributes a = attrs({65010, 65020, 65030}, "10.0.0.1");
  a.as_path.segments.push_back({wire::SegmentType::Set, {7, 8}});
  a.origin = wire::Origin::Egp;
  a.med = 5;
  a.local_pref = 300;
  a.atomic_aggregate = true;
  a.aggregator = wire::Aggregator{65010, ip("10.9.9.9")};
  a.communities = {wire::Community::of(1, 2), wire::kNoExport};
  a.ext_communities = {wire::ExtCommunity{0x0002FDE800000001ULL}};
  a.large_communities = {wire::LargeCommunity{1, 2, 3}};
  a.originator_id = 42;
  a.cluster_list = {1, 2};
  a.unknown = {wire::RawAttribute{0xC0, 99, {1, 2, 3}}};
  auto r = store.intern(a);
  CHECK(rib::AttrStore::materialize(*r) == a);
  CHECK(r->as_path().length() == 4);
  CHECK(r->has_community(wire::kNoExport));
  CHECK_FALSE(r->has_community(wire::kNoAdvertise));
  CHECK(r->cluster_list_contains(2));
}

TEST_CASE("AS path helpers", "[rib][attrs]") {
  rib::AsPathData p(path({65010, 65020}));
  CHECK(p.length() == 2);
  CHECK(p.neighbour_as() == 65010U);
  CHECK(p.to_wire().count(65020) == 1);
  auto q = p.prepended(65001, 2);
  CHECK(q.to_wire() == path({65001, 65001, 65010, 65020}));
  CHECK(q.length() == 4);
  rib::AsPathData empty(path({}));
  CHECK(empty.prepended(65001).to_wire() == path({65001}));
  CHECK_FALSE(empty.neighbour_as());
  wire::AsPath set_first;
  set_first.segments = {{wire::SegmentType::Set, {1, 2}}, {wire::SegmentType::Sequence, {3}}};
  rib::AsPathData s(set_first);
  CHECK_FALSE(s.neighbour_as());
  auto sp = s.prepended(9).to_wire();
  REQUIRE(sp.segments.size() == 3);
  CHECK(sp.segments[0].asns == std::vector<std::uint32_t>{9});
  CHECK(sp.segments[1].type == wire::SegmentType::Set);
}

TEST_CASE("AS path: neighbour AS past confederation segments, prepend at most 255 per segment",
          "[rib][attrs]") {
  // Both used to be the RIB's own: it stopped at a leading AS_CONFED_SEQUENCE and grew the
  // leading segment without bound. Now they are wire::AsPath's.
  wire::AsPath confed;
  confed.segments = {{wire::SegmentType::ConfedSequence, {65100, 65101}},
                     {wire::SegmentType::Sequence, {65010, 65020}}};
  rib::AsPathData c(confed);
  CHECK(c.neighbour_as() == 65010U);
  CHECK(c.length() == 2);

  rib::AsPathData full(path(std::vector<std::uint32_t>(255, 65010)));
  const auto p = full.prepended(65001).to_wire();
  REQUIRE(p.segments.size() == 2);
  CHECK(p.segments[0].asns == std::vector<std::uint32_t>{65001});
  CHECK(p.segments[1].asns.size() == 255);
  CHECK(full.prepended(65001).length() == 256);
  CHECK(full.prepended(65001).neighbour_as() == 65001U);
}
