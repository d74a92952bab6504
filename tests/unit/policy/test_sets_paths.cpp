// Sets (prefix tries, pair/int/ec/lc sets with ranges and wildcards), AS paths and masks,
// community list operations.
#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {
bool net_in(const char* net, const std::string& set) {
  Run r(expr_filter("(net ~ " + set + ")"));
  wire::PathAttributes a;
  return r(net, a).accepted();
}
bool holds(const std::string& expr, const wire::PathAttributes& a) {
  Run r(expr_filter(expr));
  auto o = r("10.0.0.0/8", a);
  INFO(expr << " -> " << o.reason());
  REQUIRE((o.why == Outcome::Why::Accept || o.why == Outcome::Why::Reject));
  return o.accepted();
}
wire::PathAttributes with_path(wire::AsPath p) {
  wire::PathAttributes a;
  a.as_path = std::move(p);
  return a;
}
wire::AsPath mixed(std::vector<std::uint32_t> head, std::vector<std::uint32_t> set,
                   std::vector<std::uint32_t> tail = {}) {
  wire::AsPath p;
  if (!head.empty()) p.segments.push_back({wire::SegmentType::Sequence, std::move(head)});
  p.segments.push_back({wire::SegmentType::Set, std::move(set)});
  if (!tail.empty()) p.segments.push_back({wire::SegmentType::Sequence, std::move(tail)});
  return p;
}
}  // namespace

TEST_CASE("prefix patterns: exact, +, -, {lo,hi}") {
  CHECK(net_in("10.0.0.0/8", "[ 10.0.0.0/8 ]"));
  CHECK_FALSE(net_in("10.1.0.0/16", "[ 10.0.0.0/8 ]"));
  CHECK(net_in("10.1.0.0/16", "[ 10.0.0.0/8+ ]"));
  CHECK(net_in("10.0.0.0/8", "[ 10.0.0.0/8+ ]"));
  CHECK_FALSE(net_in("11.0.0.0/16", "[ 10.0.0.0/8+ ]"));
  // net- is the prefix and all its supernets: {0, len}.
  CHECK(net_in("10.0.0.0/8", "[ 10.0.0.0/8- ]"));
  CHECK(net_in("8.0.0.0/5", "[ 10.0.0.0/8- ]"));
  CHECK(net_in("0.0.0.0/0", "[ 10.0.0.0/8- ]"));
  CHECK_FALSE(net_in("10.0.0.0/9", "[ 10.0.0.0/8- ]"));
  CHECK_FALSE(net_in("12.0.0.0/6", "[ 10.0.0.0/8- ]"));
  CHECK(net_in("10.1.0.0/16", "[ 10.0.0.0/8{16,24} ]"));
  CHECK_FALSE(net_in("10.1.1.128/25", "[ 10.0.0.0/8{16,24} ]"));
  CHECK_FALSE(net_in("10.0.0.0/12", "[ 10.0.0.0/8{16,24} ]"));
  // The seed's "long prefixes" pattern.
  CHECK(net_in("169.254.1.88/30", "[ 0.0.0.0/0{30,32} ]"));
  CHECK(net_in("1.2.3.4/32", "[ 0.0.0.0/0{30,32} ]"));
  CHECK_FALSE(net_in("10.1.0.0/29", "[ 0.0.0.0/0{30,32} ]"));
}

TEST_CASE("a pattern whose upper bound is below its length truncates the prefix") {
  // 10.1.0.0/16{8,12} is read as 10.0.0.0/12{8,12} (checked against bird2).
  CHECK(net_in("10.0.0.0/12", "[ 10.1.0.0/16{8,12} ]"));
  CHECK(net_in("10.0.0.0/8", "[ 10.1.0.0/16{8,12} ]"));
  CHECK_FALSE(net_in("10.1.0.0/16", "[ 10.1.0.0/16{8,12} ]"));
  CHECK_FALSE(net_in("10.16.0.0/12", "[ 10.1.0.0/16{8,12} ]"));
  // Lower bound below the length: shorter routes match when they contain the prefix.
  CHECK(net_in("10.0.0.0/8", "[ 10.1.0.0/16{8,24} ]"));
  CHECK_FALSE(net_in("11.0.0.0/8", "[ 10.1.0.0/16{8,24} ]"));
  CHECK_FALSE(net_in("10.0.0.0/7", "[ 10.1.0.0/16{8,24} ]"));
  CHECK(net_in("10.1.2.0/24", "[ 10.1.0.0/16{8,24} ]"));
}

TEST_CASE("IPv4 routes against IPv6 sets are simply false; one set holds one family") {
  CHECK_FALSE(net_in("10.0.0.0/8", "[ ::/0+ ]"));
  CHECK_FALSE(net_in("2001:db8::/32", "[ 0.0.0.0/0+ ]"));
  // bird2: "Mixed IPv4/IPv6 prefixes in prefix set"
  CHECK(load_error("filter f { if net ~ [ 10.0.0.0/8+, 2001:db8::/32+ ] then accept; }") ==
        "t.conf:1:36: error: mixed IPv4 and IPv6 prefixes in one prefix set");
  CHECK(load_error("define S = [ 2001:db8::/32, 10.0.0.0/8 ];") ==
        "t.conf:1:29: error: mixed IPv4 and IPv6 prefixes in one prefix set");
  CHECK(net_in("2001:db8::1/128", "[ ::/0{127,128} ]"));
}

TEST_CASE("prefix trie with many patterns agrees with a linear scan") {
  std::string set = "[ ";
  std::vector<std::tuple<std::uint32_t, unsigned, unsigned, unsigned>> pats;
  std::uint32_t x = 12345;
  for (int i = 0; i < 300; ++i) {
    x = x * 1103515245U + 12345U;
    unsigned len = 8 + (x >> 8) % 17;
    std::uint32_t addr = (x ^ (x << 7)) & (len == 0 ? 0 : ~((std::uint32_t{1} << (32 - len)) - 1));
    unsigned lo = len - std::min(len, unsigned((x >> 3) % 5) * 2);
    unsigned hi = len + (x >> 13) % 6 - std::min(len, 3U);
    if (hi < lo) hi = lo;
    pats.emplace_back(addr, len, lo, hi);
    set += (i ? ", " : "") + base::IpAddress::v4(addr).to_string() + "/" + std::to_string(len) +
           "{" + std::to_string(lo) + "," + std::to_string(hi) + "}";
  }
  set += " ]";
  Run r(expr_filter("(net ~ " + set + ")"));
  wire::PathAttributes a;
  int hits = 0;
  for (int i = 0; i < 2000; ++i) {
    x = x * 1103515245U + 12345U;
    // Half the probes derive from a pattern, half are random.
    auto [paddr, plen, plo, phi] = pats[x % pats.size()];
    unsigned qlen = (x & 1) ? plen + (x >> 5) % 8 : (x >> 9) % 33;
    std::uint32_t qaddr =
        (x & 1) ? paddr | ((x >> 11) & ((std::uint32_t{1} << (32 - plen)) - 1)) : x;
    if (qlen > 32) qlen = 32;
    auto q = base::Prefix::make(base::IpAddress::v4(qaddr), qlen);
    bool expect = false;
    for (auto [addr, len, lo, hi] : pats) {
      // BIRD: the first min(qlen, len, hi) bits agree and lo <= qlen <= hi.
      unsigned cmp = std::min({qlen, len, hi});
      std::uint32_t mask = cmp == 0 ? 0 : ~((std::uint32_t{1} << (32 - cmp)) - 1);
      if (qlen >= lo && qlen <= hi && (q.addr().v4_value() & mask) == (addr & mask)) expect = true;
    }
    RouteView rv;
    rv.net = q;
    rv.attrs = &a;
    auto o = r.prog.run(*r.prog.find_filter("f"), rv);
    INFO(q.to_string());
    CHECK(o.accepted() == expect);
    hits += expect;
  }
  CHECK(hits > 100);
}

TEST_CASE("pair sets: values, ranges, wildcards") {
  wire::PathAttributes a;
  a.communities = {wire::Community::of(65535, 65282), wire::Community::of(64600, 7)};
  CHECK(holds("(bgp_community ~ [ (65535,*) ])", a));
  CHECK(holds("(bgp_community ~ [ (64512..65534, *) ])", a));
  CHECK(holds("((64600,7) ~ [ (64600, 5..9) ])", a));
  CHECK_FALSE(holds("((64600,10) ~ [ (64600, 5..9) ])", a));
  CHECK(holds("((100,7) ~ [ (*, 7) ])", a));
  CHECK_FALSE(holds("((100,8) ~ [ (*, 7) ])", a));
  CHECK(holds("((10,5) ~ [ (1..20, 3..6) ])", a));
  CHECK_FALSE(holds("((10,7) ~ [ (1..20, 3..6) ])", a));
  CHECK(holds("((1,5) ~ [ (1,2)..(1,9) ])", a));
  CHECK_FALSE(holds("(bgp_community ~ [ (1,1), (2,2) ])", a));
  CHECK(holds("(5 ~ [ 1, 3..6 ] && !(7 ~ [ 1, 3..6 ]))", a));
  CHECK(
      holds("((rt, 65000, 5) ~ [ (rt, 65000, *) ] && !((ro, 65000, 5) ~ [ (rt, 65000, *) ]))", a));
  // bird2 refuses a number after a range or '*' in a large community pattern.
  CHECK(load_error("define S = [ (1, *, 3) ];") ==
        "t.conf:1:21: error: in a large community pattern only '*' may follow a range or '*'");
  CHECK(load_error("define S = [ (1..5, 2, 3) ];") ==
        "t.conf:1:21: error: in a large community pattern only '*' may follow a range or '*'");
  CHECK(load_error("define S = [ (1, 2..3, 4) ];") ==
        "t.conf:1:24: error: in a large community pattern only '*' may follow a range or '*'");
  CHECK(holds(
      "((1, 2, 3) ~ [ (1, 2..5, *) ] && (9, 0, 1) ~ [ (1..9, *, *) ] && (1, 2, 4) ~ [ (*, *, *) ])",
      a));
  CHECK(holds("((1, 2, 4) ~ [ (1, 2, 3)..(1, 2, 5) ] && !((1, 3, 0) ~ [ (1, 2, 3)..(1, 2, 5) ]))",
              a));
  CHECK(holds("((1, 2, 3) ~ [ (1, 2, 0..10) ])", a));
}

TEST_CASE(
    "community lists: add keeps one copy, delete removes all, filter keeps, duplicates received "
    "kept") {
  wire::PathAttributes a;
  a.communities = {wire::Community::of(1, 1), wire::Community::of(1, 1), wire::Community::of(2, 2)};
  Run r(R"(
    filter keepdup { bgp_community.add((3,3)); accept; }
    filter adddup { bgp_community.add((1,1)); accept; }
    filter del { bgp_community.delete((1,1)); accept; }
    filter flt { bgp_community.filter([(2,*)]); accept; }
    filter dellist { bgp_community = bgp_community.delete(add(-empty-, (2,2))); accept; }
  )");
  auto o = r("10.0.0.0/8", a, "keepdup");
  CHECK(o.modified->communities.size() == 4);
  auto d = r("10.0.0.0/8", a, "adddup");
  CHECK_FALSE(d.modified.has_value());  // nothing to add: no copy
  CHECK(r("10.0.0.0/8", a, "del").modified->communities ==
        std::vector<wire::Community>{wire::Community::of(2, 2)});
  CHECK(r("10.0.0.0/8", a, "flt").modified->communities ==
        std::vector<wire::Community>{wire::Community::of(2, 2)});
  CHECK(r("10.0.0.0/8", a, "dellist").modified->communities.size() == 2);
  CHECK(holds("(bgp_community.len = 3)", a));
  wire::PathAttributes l;
  l.large_communities = {{1, 2, 3}, {4, 5, 6}};
  Run lr(
      R"(filter f { bgp_large_community.delete([(1, *, *)]); if bgp_large_community.len = 1 then accept; reject; })");
  CHECK(lr("10.0.0.0/8", l).accepted());
}

TEST_CASE("AS path: len counts a set as one, first, last") {
  auto a = with_path(mixed({65001, 65002}, {1, 2, 3}));
  CHECK(holds("(bgp_path.len = 3)", a));
  CHECK(holds("(bgp_path.first = 65001)", a));
  CHECK(holds("(bgp_path.last = 0)", a));  // ends in a set
  auto b = with_path(mixed({65001}, {7}));
  CHECK(holds("(bgp_path.last = 0)", b));  // even a one-member set (as bird2)
  CHECK(holds("(bgp_path ~ [ 7, 8 ] && !(bgp_path ~ [ 9 ]))", b));
  CHECK(holds("(7 ~ bgp_path && 65001 ~ bgp_path && !(9 ~ bgp_path))", b));
}

TEST_CASE("AS path delete removes every occurrence, inside sets too, and may empty the path") {
  auto a = with_path(mixed({65515, 1, 65515}, {65515, 2}, {65515}));
  Run r(
      "filter f { bgp_path.delete(65515); accept; } filter g { bgp_path.delete([1, 2]); accept; }"
      "filter h { bgp_path.filter([1, 2]); accept; } filter e { bgp_path.delete([0..4294967295]); "
      "accept; }");
  auto o = r("10.0.0.0/8", a);
  REQUIRE(o.modified.has_value());
  CHECK(o.modified->as_path == mixed({1}, {2}));
  CHECK(r("10.0.0.0/8", a, "g").modified->as_path == mixed({65515, 65515}, {65515}, {65515}));
  CHECK(r("10.0.0.0/8", a, "h").modified->as_path == mixed({1}, {2}));
  auto e = r("10.0.0.0/8", a, "e");
  CHECK(e.modified->as_path.segments.empty());
}

TEST_CASE("AS path prepend splits at 255 ASNs per segment; .first and .len see confederations") {
  // The filter language shares wire::AsPath::prepend with the RIB's export and the daemon's
  // configured prepend: a full leading AS_SEQUENCE gets a new one in front (RFC 4271 5.1.2 b).
  Run r("filter f { bgp_path.prepend(7); bgp_path.prepend(7); accept; }");
  auto o = r("10.0.0.0/8", with_path(seq(std::vector<std::uint32_t>(254, 65010))));
  REQUIRE(o.modified.has_value());
  const auto& segs = o.modified->as_path.segments;
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].asns == std::vector<std::uint32_t>{7});
  CHECK(segs[1].asns.size() == 255);
  CHECK(segs[1].asns.front() == 7U);

  wire::AsPath confed;
  confed.segments = {{wire::SegmentType::ConfedSequence, {65100}},
                     {wire::SegmentType::Sequence, {65001, 65002}}};
  // BIRD's .first: the path must start with an AS_SEQUENCE.
  CHECK(holds("bgp_path.first = 0", with_path(confed)));
  CHECK(holds("bgp_path.len = 2", with_path(confed)));
  CHECK(holds("bgp_path.last = 65002", with_path(confed)));
}

TEST_CASE("AS path masks") {
  auto a = with_path(seq({65001, 65515, 12076, 133937}));
  CHECK(holds("(bgp_path ~ [= * 65515 * =])", a));
  CHECK(holds("(bgp_path ~ [= 65001 * =])", a));
  CHECK(holds("(bgp_path ~ [= * 133937 =])", a));
  CHECK_FALSE(holds("(bgp_path ~ [= * 65001 =])", a));
  CHECK(holds("(bgp_path ~ [= 65001 ? ? 133937 =])", a));
  CHECK_FALSE(holds("(bgp_path ~ [= 65001 ? 133937 =])", a));
  CHECK(holds("(bgp_path ~ [= * 12000..13000 * =])", a));
  CHECK(holds("(bgp_path ~ [= * [65515, 1] * =])", a));
  CHECK(holds("(bgp_path !~ [= =])", a));
  CHECK(holds("(bgp_path ~ [= * (65000 + 515) * =])", a));
  Run var(
      R"(filter f { int x = 12076; bgpmask m = [= * x * =]; if bgp_path ~ m then accept; reject; })");
  CHECK(var("10.0.0.0/8", a).accepted());
  CHECK(holds("(bgp_path ~ [= =])", with_path({})));
}

TEST_CASE("AS_SET in a mask matches a run of its members") {
  auto a = with_path(mixed({65001}, {1, 2, 3}));
  CHECK(holds("(bgp_path ~ [= 65001 1 =])", a));
  CHECK(holds("(bgp_path ~ [= 65001 1 2 =])", a));  // the set matches a run of items
  CHECK(holds("(bgp_path ~ [= 65001 ? =])", a));    // ? matches the whole set
  CHECK(holds("(bgp_path ~ [= 65001 3 1 =])", a));
  CHECK_FALSE(holds("(bgp_path ~ [= 65001 4 =])", a));
  CHECK(holds("(bgp_path ~ [= 65001 * =])", a));
  auto b = with_path(mixed({65001}, {1, 2}, {9}));
  CHECK_FALSE(holds("(bgp_path ~ [= 65001 9 =])", b));  // a set is never skipped
  CHECK(holds("(bgp_path ~ [= 65001 2 9 =])", b));
  CHECK(holds("(bgp_path ~ [= 65001 2 1 1 9 =])", b));
  CHECK_FALSE(holds("(bgp_path ~ [= 65001 ? =])", b));
  CHECK(holds("(bgp_path ~ [= 65001 ? ? =])", b));
}
