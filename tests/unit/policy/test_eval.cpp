// Evaluation: operators, attributes, unset semantics, runtime errors, functions, case, print,
// copy-on-write.
#include <optional>

#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {
bool holds(const std::string& expr, const wire::PathAttributes& a = {},
           const char* net = "10.1.0.0/16", const std::string& prelude = "") {
  Run r(expr_filter(expr, prelude));
  auto o = r(net, a);
  INFO(expr << " -> " << o.reason());
  REQUIRE((o.why == Outcome::Why::Accept || o.why == Outcome::Why::Reject));
  return o.accepted();
}
Outcome outcome(const std::string& text, const wire::PathAttributes& a = {},
                const char* net = "10.1.0.0/16") {
  static std::optional<Run>
      r;  // Outcome::where points into the program: keep it until the next call
  r.emplace(text);
  return (*r)(net, a);
}
}  // namespace

TEST_CASE("integers are unsigned 32-bit and wrap") {
  CHECK(holds("(0 - 1 = 4294967295)"));
  CHECK(holds("(4294967295 + 2 = 1)"));
  CHECK(holds("(65536 * 65536 = 0)"));
  CHECK(holds("(7 / 2 = 3)"));
  CHECK(load_error("filter f { bgp_med = 7 % 2; accept; }") ==
        "t.conf:1:24: error: expected ';', found '%'");
  CHECK(holds("(0x10 = 16)"));
  CHECK(holds("(2 + 3 * 4 = 14)"));
  CHECK(holds("((2 + 3) * 4 = 20)"));
  CHECK(holds("(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2)"));
  CHECK_FALSE(holds("(1 > 2)"));
}

TEST_CASE("division by zero at run time rejects the route with the reason") {
  wire::PathAttributes a;
  a.med = 0;
  auto o = outcome("filter f { if 10 / bgp_med = 1 then accept; accept; }", a);
  CHECK(o.why == Outcome::Why::RuntimeError);
  CHECK(o.error == "Division by zero");
  CHECK(o.where.to_string() == "t.conf:1:18");
  CHECK_FALSE(o.accepted());
}

TEST_CASE("&& and || share one precedence, left to right, short-circuit") {
  // true || false && false: BIRD reads ((true || false) && false) = false.
  CHECK_FALSE(holds("(true || false && false)"));
  CHECK(holds("(false && false || true)"));
  // Short circuit: the right side would be a runtime error (division by zero).
  wire::PathAttributes a;
  a.med = 0;
  CHECK(holds("(true || 1 / bgp_med = 1)", a));
  CHECK_FALSE(holds("(false && 1 / bgp_med = 1)", a));
  // ! binds tighter than comparison: (!false) = true.
  CHECK(holds("(!false = true)"));
}

TEST_CASE("unset attributes compare below every value; assigning them is a runtime error") {
  wire::PathAttributes a;  // no MED, no LOCAL_PREF, no NEXT_HOP
  CHECK(holds("(bgp_med < 0)", a));
  CHECK_FALSE(holds("(bgp_med = 0)", a));
  CHECK(holds("(bgp_med != 0)", a));
  CHECK_FALSE(holds("(defined(bgp_med))", a));
  CHECK(holds("(defined(bgp_origin))", a));
  CHECK(holds("(bgp_med = bgp_local_pref)", a));  // both unset: equal
  auto o = outcome("filter f { bgp_med = bgp_local_pref; accept; }", a);
  CHECK(o.why == Outcome::Why::RuntimeError);
  CHECK(o.error.find("bgp_med") != std::string::npos);
  a.med = 5;
  CHECK(holds("(bgp_med > 4 && bgp_med < 6 && defined(bgp_med))", a));
}

TEST_CASE("route attributes read as BIRD shows them") {
  wire::PathAttributes a;
  a.origin = wire::Origin::Egp;
  a.as_path = seq({65001, 65515, 12076, 133937});
  a.next_hop = ip("10.1.3.4");
  a.local_pref = 100;
  a.med = 20;
  a.communities = {wire::Community::of(65517, 65517)};
  a.ext_communities = {
      wire::ExtCommunity{(std::uint64_t{2} << 48) | (std::uint64_t{65000} << 32) | 10}};
  a.large_communities = {wire::LargeCommunity{65000, 1, 2}};
  a.originator_id = 0x01020304;
  a.cluster_list = {0x0A000001};
  a.atomic_aggregate = true;
  CHECK(holds("(bgp_origin = ORIGIN_EGP)", a));
  CHECK(holds("(bgp_origin ~ [ ORIGIN_EGP, ORIGIN_INCOMPLETE ])", a));
  CHECK(holds("(bgp_path.len = 4 && bgp_path.first = 65001 && bgp_path.last = 133937)", a));
  CHECK(holds("(bgp_next_hop = 10.1.3.4 && from = 10.1.3.4 && gw = 10.1.3.4)", a));
  CHECK(holds("(bgp_local_pref = 100 && bgp_med = 20)", a));
  CHECK(holds("((65517,65517) ~ bgp_community && bgp_community.len = 1)", a));
  CHECK(holds("((rt, 65000, 10) ~ bgp_ext_community)", a));
  CHECK(holds("((65000, 1, 2) ~ bgp_large_community)", a));
  CHECK(holds("(bgp_originator_id = 1.2.3.4)", a));
  CHECK(holds("(bgp_cluster_list.len = 1 && defined(bgp_atomic_aggr))", a));
  CHECK(holds("(net.len = 16 && net.ip = 10.1.0.0 && net.type = NET_IP4)", a));
  CHECK(holds("(proto = \"rs1\" && proto ~ \"rs*\" && ifname ~ \"eth?\")", a));
  CHECK(holds("(source = RTS_BGP && preference = 100 && dest = RTD_UNICAST)", a));
  CHECK(holds(
      "(10.1.2.3 ~ 10.1.0.0/16 && 10.1.2.0/24 ~ 10.1.0.0/16 && !(10.0.0.0/8 ~ 10.1.0.0/16))", a));
  CHECK(holds("(1.2.3.4.mask(8) = 1.0.0.0)", a));
}

TEST_CASE("attribute assignment is copy-on-write") {
  wire::PathAttributes a;
  a.as_path = seq({65001});
  a.communities = {wire::Community::of(1, 1)};
  auto untouched = outcome("filter f { if bgp_med > 10 then reject; accept; }", a);
  CHECK(untouched.accepted());
  CHECK_FALSE(untouched.modified.has_value());
  auto rejected = outcome("filter f { bgp_med = 5; reject; }", a);
  CHECK_FALSE(rejected.modified.has_value());
  auto o = outcome(R"(filter f {
      bgp_med = 5; bgp_local_pref = 200; bgp_origin = ORIGIN_INCOMPLETE;
      bgp_next_hop = 192.0.2.1; bgp_path.prepend(65000); bgp_path.prepend(65000);
      bgp_community.add((2,2)); bgp_community.add((1,1));
      bgp_large_community.add((1,2,3)); bgp_ext_community.add((ro, 1.2.3.4, 7));
      bgp_originator_id = 9.9.9.9; preference = 50;
      accept; })",
                   a);
  REQUIRE(o.accepted());
  REQUIRE(o.modified.has_value());
  const auto& m = *o.modified;
  CHECK(m.med == 5U);
  CHECK(m.local_pref == 200U);
  CHECK(m.origin == wire::Origin::Incomplete);
  CHECK(m.next_hop == ip("192.0.2.1"));
  CHECK(m.as_path == seq({65000, 65000, 65001}));
  CHECK(m.communities ==
        std::vector<wire::Community>{wire::Community::of(1, 1), wire::Community::of(2, 2)});
  CHECK(m.large_communities == std::vector<wire::LargeCommunity>{{1, 2, 3}});
  CHECK(m.ext_communities.size() == 1);
  CHECK(m.originator_id == 0x09090909U);
  CHECK(o.preference == 50U);
  CHECK(o.med_assigned);
  CHECK_FALSE(untouched.med_assigned);
  // Assigning the MED the route already has is still an assignment (BIRD then sends it to
  // eBGP peers); touching only other attributes is not.
  wire::PathAttributes with_med = a;
  with_med.med = 7;
  CHECK(outcome("filter f { bgp_med = bgp_med; accept; }", with_med).med_assigned);
  CHECK_FALSE(outcome("filter f { bgp_local_pref = 1; accept; }", with_med).med_assigned);
  // The caller's attributes are untouched.
  CHECK(a.as_path == seq({65001}));
  CHECK(a.communities.size() == 1);
  CHECK_FALSE(a.med.has_value());
}

TEST_CASE("unset() and emptied lists mean no attribute") {
  wire::PathAttributes a;
  a.med = 3;
  a.communities = {wire::Community::of(65000, 1), wire::Community::of(65000, 2)};
  auto o = outcome("filter f { unset(bgp_med); bgp_community.delete([(65000,*)]); accept; }", a);
  REQUIRE(o.modified.has_value());
  CHECK_FALSE(o.modified->med.has_value());
  CHECK(o.modified->communities.empty());
  auto e = outcome(
      "filter f { bgp_community.empty; bgp_community = bgp_community.add((1,1)); accept; }", a);
  REQUIRE(e.modified.has_value());
  CHECK(e.modified->communities == std::vector<wire::Community>{wire::Community::of(1, 1)});
}

TEST_CASE("a filter that ends without accept or reject rejects") {
  auto o = outcome("filter f {\n  if net.len > 30 then accept;\n}\n");
  CHECK(o.why == Outcome::Why::FellOffEnd);
  CHECK_FALSE(o.accepted());
  CHECK(o.where.to_string() == "t.conf:3:1");
  CHECK(o.reason() == "rejected: filter ended without accept/reject at t.conf:3:1");
}

TEST_CASE("accept/reject report the deciding statement") {
  Run r("filter f {\n  if net.len = 16 then\n    accept;\n  reject;\n}\n");
  wire::PathAttributes a;
  auto o = r("10.1.0.0/16", a);
  CHECK(o.reason() == "accepted at t.conf:3:5");
  CHECK(r("10.1.0.0/24", a).reason() == "rejected at t.conf:4:3");
}

TEST_CASE("functions: arguments, locals, return values, accept inside a function") {
  wire::PathAttributes a;
  a.as_path = seq({65001, 65002});
  Run r(R"(
    define BASE = 100;
    function score(int x) -> int { int y = x * 2; return y + BASE; }
    function decide() { if bgp_path.len > 1 then accept "long"; reject; }
    function noret(int x) { int z = x; }
    filter f { if score(3) != 106 then reject; decide(); }
    filter g { int v = 7; if noret(1) = noret(2) then { if v = 7 then accept; } reject; }
  )");
  auto o = r("10.0.0.0/8", a);
  CHECK(o.accepted());
  CHECK(o.where.line == 4);
  CHECK(r.printed == std::vector<std::string>{"long"});
  CHECK(r("10.0.0.0/8", a, "g").accepted());
  wire::PathAttributes b;
  b.as_path = seq({65001});
  CHECK(r("10.0.0.0/8", b).why == Outcome::Why::Reject);
  CHECK(load_error("filter f { g(); accept; } function g() { return 1; }") ==
        "t.conf:1:12: error: unknown symbol 'g'");
}

TEST_CASE("case with values, ranges, pairs and else") {
  Run r(R"(
    filter f {
      case bgp_med {
        1, 2: bgp_local_pref = 10;
        3 .. 5: bgp_local_pref = 20; print "mid";
        else: bgp_local_pref = 30;
      }
      case bgp_origin { ORIGIN_IGP: bgp_community.add((1,1)); ORIGIN_EGP: bgp_community.add((2,2)); }
      accept;
    })");
  auto lp = [&](std::uint32_t med) {
    wire::PathAttributes a;
    a.med = med;
    auto o = r("10.0.0.0/8", a);
    REQUIRE(o.modified.has_value());
    return *o.modified->local_pref;
  };
  CHECK(lp(1) == 10);
  CHECK(lp(2) == 10);
  CHECK(lp(3) == 20);
  CHECK(lp(5) == 20);
  CHECK(lp(6) == 30);
  CHECK(r.printed == std::vector<std::string>{"mid", "mid"});
  wire::PathAttributes none;
  auto o = r("10.0.0.0/8", none);  // unset MED matches no label: else
  REQUIRE(o.modified.has_value());
  CHECK(o.modified->local_pref == 30U);
  CHECK(o.modified->communities == std::vector<wire::Community>{wire::Community::of(1, 1)});
}

TEST_CASE("print and printn go to the sink, BIRD formatted") {
  wire::PathAttributes a;
  a.as_path = seq({65001, 65002});
  a.communities = {wire::Community::of(65535, 65282)};
  Run r(
      R"(filter f { print "net ", net, " path ", bgp_path, " ", bgp_community, " ", (1,2), " ", true;
      printn "x"; printn 7; print "z", bgp_origin, [1, 2..5], [(1,2)]; printn "tail"; accept; })");
  r("10.1.0.0/16", a);
  // printn text still pending at accept is dropped, as bird2 does.
  REQUIRE(r.printed.size() == 2);
  CHECK(r.printed[0] == "net 10.1.0.0/16 path (path 65001 65002) (clist (65535,65282)) (1,2) TRUE");
  CHECK(r.printed[1] == "x7z(enum 31)0[1, 2..5][(1,2)]");
}

TEST_CASE("variables of list types keep their value when the attribute changes") {
  wire::PathAttributes a;
  a.as_path = seq({1, 2});
  Run r(R"(filter f {
      bgppath p = bgp_path;
      bgp_path.prepend(9);
      if p.len = 2 && bgp_path.len = 3 then accept;
      reject; })");
  CHECK(r("10.0.0.0/8", a).accepted());
}

TEST_CASE("runtime type errors in untyped code reject") {
  Run r(R"(function any() { if net.len > 8 then return 1; return (1,2); }
           filter f { if any() + 1 = 2 then accept; reject; })");
  wire::PathAttributes a;
  CHECK(r("10.0.0.0/16", a).accepted());
  auto o = r("10.0.0.0/8", a);
  CHECK(o.why == Outcome::Why::RuntimeError);
  CHECK(o.error.find("int") != std::string::npos);
}

TEST_CASE("BIRD 2.14 for loops over paths and community lists") {
  wire::PathAttributes a;
  a.as_path = seq({65001, 65515, 3});
  a.communities = {wire::Community::of(1, 5), wire::Community::of(2, 7)};
  Run r(R"(filter f {
      int sum = 0;
      for int a in bgp_path do { sum = sum + a; }
      for pair c in bgp_community do
        if c ~ [(2, *)] then bgp_community.delete(c);
      bgp_med = sum;
      accept; })");
  auto o = r("10.0.0.0/8", a);
  REQUIRE(o.modified.has_value());
  CHECK(o.modified->med == 65001U + 65515U + 3U);
  CHECK(o.modified->communities == std::vector<wire::Community>{wire::Community::of(1, 5)});
  CHECK(load_error("filter f { for ip x in bgp_path do accept; }") ==
        "t.conf:1:16: error: loop variable must be int, not ip");
  CHECK(load_error("filter f { for int x in net do accept; }") ==
        "t.conf:1:25: error: cannot iterate over prefix");
}
