#include <catch2/catch.hpp>

#include "nvabgpd/wire/attributes.hpp"

using namespace nvabgpd::wire;

TEST_CASE("AsPath length counts sets as one and confederation segments as zero") {
  AsPath p;
  p.segments = {{SegmentType::ConfedSequence, {65100, 65101}},
                {SegmentType::Sequence, {65001, 65002, 65002}},
                {SegmentType::Set, {1, 2, 3}},
                {SegmentType::ConfedSet, {9}}};
  CHECK(p.length() == 4);
  CHECK(p.to_string() == "(65100 65101) 65001 65002 65002 {1 2 3} [9]");
  CHECK(p.first_asn() == 65001U);
  CHECK_FALSE(p.origin_asn());
  CHECK(fmt::format("[{}]", p) == "[(65100 65101) 65001 65002 65002 {1 2 3} [9]]");
  CHECK(p.count(65002) == 2);
  CHECK(p.contains(3));
  CHECK_FALSE(p.contains(4));
}

TEST_CASE("AsPath first and origin ASN") {
  AsPath p;
  CHECK(p.empty());
  CHECK(p.to_string().empty());
  CHECK_FALSE(p.first_asn());
  CHECK_FALSE(p.origin_asn());
  p.segments = {{SegmentType::Sequence, {65001, 65515, 12076}}};
  CHECK(p.first_asn() == 65001U);
  CHECK(p.origin_asn() == 12076U);
  p.segments.insert(p.segments.begin(), AsSegment{SegmentType::Set, {1, 2}});
  CHECK_FALSE(p.first_asn());
}

TEST_CASE("AsPath prepend extends the leading sequence or creates one") {
  AsPath p;
  p.prepend(65001);
  CHECK(p.to_string() == "65001");
  p.prepend(65002, 3);
  CHECK(p.to_string() == "65002 65002 65002 65001");
  CHECK(p.segments.size() == 1);
  p.prepend(1, 0);
  CHECK(p.length() == 4);

  AsPath s;
  s.segments = {{SegmentType::Set, {7, 8}}};
  s.prepend(65001, 2);
  CHECK(s.to_string() == "65001 65001 {7 8}");
  CHECK(s.length() == 3);
}

TEST_CASE("attribute names") {
  CHECK(attribute_name(attr::kAsPath) == "AS_PATH");
  CHECK(attribute_name(attr::kMpReach) == "MP_REACH_NLRI");
  CHECK(attribute_name(attr::kLargeCommunities) == "LARGE_COMMUNITY");
  CHECK(attribute_name(99) == "attribute 99");
}
