// The one AS_PATH implementation (wire/as_path.hpp): the semantics that the codec, the RIB
// and the filter language used to compute each in their own way.
#include <catch2/catch.hpp>

#include "nvabgpd/wire/attributes.hpp"

using namespace nvabgpd::wire;

namespace {

AsPath seq(std::vector<std::uint32_t> asns) {
  AsPath p;
  if (!asns.empty()) p.segments = {{SegmentType::Sequence, std::move(asns)}};
  return p;
}

std::vector<std::size_t> segment_sizes(const AsPath& p) {
  std::vector<std::size_t> n;
  for (const auto& s : p.segments) n.push_back(s.asns.size());
  return n;
}

}  // namespace

TEST_CASE("AsPath length counts sets as one and confederation segments as zero") {
  AsPath p;
  p.segments = {{SegmentType::ConfedSequence, {65100, 65101}},
                {SegmentType::Sequence, {65001, 65002, 65002}},
                {SegmentType::Set, {1, 2, 3}},
                {SegmentType::ConfedSet, {9}}};
  CHECK(p.length() == 4);
  CHECK(p.to_string() == "(65100 65101) 65001 65002 65002 {1 2 3} [9]");
  CHECK(fmt::format("[{}]", p) == "[(65100 65101) 65001 65002 65002 {1 2 3} [9]]");
  CHECK(p.count(65002) == 2);
  CHECK(p.count(65100) == 1);  // loop counting sees confederation segments too
  CHECK(p.contains(3));
  CHECK_FALSE(p.contains(4));
  CHECK(p.any_of([](std::uint32_t a) { return a > 65100; }));
  CHECK_FALSE(p.any_of([](std::uint32_t a) { return a > 65101; }));
}

TEST_CASE("neighbour AS for MED skips leading confederation segments (RFC 5065 5.2)") {
  AsPath p;
  p.segments = {{SegmentType::ConfedSequence, {65100, 65101}},
                {SegmentType::ConfedSet, {65102}},
                {SegmentType::Sequence, {65001, 65002}}};
  CHECK(p.neighbour_as() == 65001U);
  // The filter language's `.first` keeps BIRD's strict reading: the path must start with an
  // AS_SEQUENCE.
  CHECK_FALSE(p.leading_asn());

  AsPath inside;  // only confederation segments: the route is from inside the confederation
  inside.segments = {{SegmentType::ConfedSequence, {65100}}};
  CHECK_FALSE(inside.neighbour_as());
  AsPath set_first;  // an aggregate's AS_SET has no single neighbour
  set_first.segments = {{SegmentType::ConfedSequence, {65100}},
                        {SegmentType::Set, {1, 2}},
                        {SegmentType::Sequence, {3}}};
  CHECK_FALSE(set_first.neighbour_as());
  CHECK_FALSE(AsPath{}.neighbour_as());
  CHECK(seq({65001, 65515, 12076}).neighbour_as() == 65001U);
  CHECK(seq({65001, 65515, 12076}).leading_asn() == 65001U);
}

TEST_CASE("AsPath last and last non-aggregated ASN") {
  AsPath p;
  CHECK(p.empty());
  CHECK(p.to_string().empty());
  CHECK_FALSE(p.last_asn());
  CHECK_FALSE(p.last_nonaggregated_asn());
  p = seq({65001, 65515, 12076});
  CHECK(p.last_asn() == 12076U);
  CHECK(p.last_nonaggregated_asn() == 12076U);
  p.segments.push_back(AsSegment{SegmentType::Set, {1}});
  p.segments.push_back(AsSegment{SegmentType::Sequence, {7}});
  CHECK(p.last_asn() == 7U);
  CHECK(p.last_nonaggregated_asn() == 12076U);  // sequences after the set do not count
  p.segments.pop_back();
  CHECK_FALSE(p.last_asn());  // even a one-member set has no last ASN
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

TEST_CASE("prepend starts a new AS_SEQUENCE in front of a full one (RFC 4271 5.1.2 b)") {
  // The codec's and the RIB's former prepend grew the leading segment past 255 and left the
  // split to the encoder, which cut it as 255 + rest: the new ASNs ended up in a full segment.
  AsPath p = seq(std::vector<std::uint32_t>(255, 65010));
  p.prepend(65001);
  REQUIRE(segment_sizes(p) == std::vector<std::size_t>{1, 255});
  CHECK(p.segments[0].asns == std::vector<std::uint32_t>{65001});
  CHECK(p.segments[1].type == SegmentType::Sequence);
  CHECK(p.length() == 256);

  AsPath q = seq(std::vector<std::uint32_t>(250, 65010));
  q.prepend(65001, 10);  // fills the leading segment to 255, then 5 in a new one
  CHECK(segment_sizes(q) == std::vector<std::size_t>{5, 255});
  CHECK(q.count(65001) == 10);
  CHECK(q.segments[1].asns.front() == 65001U);

  AsPath big;
  big.prepend(65001, 600);
  CHECK(segment_sizes(big) == std::vector<std::size_t>{90, 255, 255});
  CHECK(big.length() == 600);
}

TEST_CASE("filtered drops ASNs everywhere and the segments they empty") {
  AsPath p;
  p.segments = {
      {SegmentType::Sequence, {1, 2, 1}}, {SegmentType::Set, {1}}, {SegmentType::Sequence, {3}}};
  const AsPath without_1 = p.filtered([](std::uint32_t a) { return a != 1; });
  CHECK(without_1.to_string() == "2 3");
  const AsPath only_1 = p.filtered([](std::uint32_t a) { return a == 1; });
  CHECK(only_1.to_string() == "1 1 {1}");
}

TEST_CASE("AS4_PATH merge (RFC 6793 4.2.3)") {
  AsPath as_path;
  as_path.segments = {{SegmentType::ConfedSequence, {65100}},
                      {SegmentType::Sequence, {65001, 23456, 23456}}};
  const AsPath as4 = seq({400000, 400001});
  const AsPath merged = merge_as4_path(as_path, as4);
  CHECK(merged.to_string() == "(65100) 65001 400000 400001");
  // A longer AS4_PATH is ignored.
  CHECK(merge_as4_path(seq({65001}), as4) == seq({65001}));
}
