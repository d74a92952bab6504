// Load verdicts and run-time results that must be BIRD 2.0.12's (issue 12, the conformance
// corpus's known differences): what BIRD refuses is refused, what it loads is loaded.
#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {

bool loads(const std::string& text) { return load_error(text) == "(loaded)"; }

std::uint32_t med_of(const std::string& text, const char* net, const wire::PathAttributes& a = {}) {
  Run r(text);
  auto o = r(net, a);
  REQUIRE(o.modified.has_value());
  REQUIRE(o.modified->med.has_value());
  return *o.modified->med;
}

}  // namespace

TEST_CASE("set items: a parenthesised expression is an int item, a bare one is refused") {
  const std::string ok =
      "define X = 10; filter f { if net.len ~ [(X + 6), (2 * 12), X] then accept; reject; }";
  Run r(ok);
  wire::PathAttributes a;
  CHECK(r("10.0.0.0/16", a).accepted());
  CHECK(r("10.0.0.0/24", a).accepted());
  CHECK(r("10.0.0.0/10", a).accepted());
  CHECK_FALSE(r("10.0.0.0/12", a).accepted());
  CHECK(load_error("define X = 10; filter f { if net.len ~ [X + 6] then accept; reject; }") ==
        "t.conf:1:43: error: expected ']', found '+'");
  CHECK_FALSE(loads("filter f { if net.len ~ [2 * 12] then accept; reject; }"));
}

TEST_CASE("case labels are numbers, addresses, enums or parenthesised expressions") {
  CHECK(loads("define X = 8; filter f { case net.len { (X), 9..(X + 2): accept; } reject; }"));
  CHECK(load_error("define X = 8; filter f { case net.len { X: accept; } reject; }") ==
        "t.conf:1:41: error: bird2 does not accept the constant 'X' as a case label; write (X)");
  CHECK_FALSE(loads("filter f { case net.len { 4 * 2: accept; } reject; }"));
  CHECK_FALSE(loads("filter f { case proto { \"a\": accept; else: reject; } }"));
  CHECK_FALSE(loads("filter f { case net { 10.0.0.0/8: accept; else: reject; } }"));
  CHECK_FALSE(loads("filter f { case net.len > 16 { true: accept; false: reject; } }"));
}

TEST_CASE("several else arms: the one BIRD's bisection of the sorted labels finds") {
  // BIRD 2.0.12 (checked with bird2): 1 label + 2 else -> 2nd; 3 else -> 2nd; 5 labels + 3 else
  // -> 3rd; 6 labels + 2 else -> 2nd.
  CHECK(med_of("filter f { case net.len { 8: bgp_med = 8; else: bgp_med = 1; else: bgp_med = 2; } "
               "accept; }",
               "10.0.0.0/16") == 2);
  CHECK(med_of("filter f { case net.len { else: bgp_med = 1; else: bgp_med = 2; else: bgp_med = 3; "
               "} accept; }",
               "10.0.0.0/16") == 2);
  CHECK(med_of(
            "filter f { case net.len { 1: bgp_med = 11; 2: bgp_med = 12; 3: bgp_med = 13; 4: "
            "bgp_med = 14; "
            "5: bgp_med = 15; else: bgp_med = 1; else: bgp_med = 2; else: bgp_med = 3; } accept; }",
            "10.0.0.0/16") == 3);
  CHECK(med_of(
            "filter f { case net.len { 1: bgp_med = 11; 2,3,4..6: bgp_med = 12; else: bgp_med = 1; "
            "9: bgp_med = 9; else: bgp_med = 2; 17: bgp_med = 17; } accept; }",
            "10.0.0.0/16") == 2);
  CHECK(med_of("filter f { case net.len { 8: bgp_med = 8; else: bgp_med = 1; else: bgp_med = 2; } "
               "accept; }",
               "10.0.0.0/8") == 8);
}

TEST_CASE("large-community set items: after a range or '*' only '*'; (a,b,c)..(d,e,f) ranges") {
  auto lc_set = [](const std::string& items) {
    return "filter f { if bgp_large_community ~ [" + items + "] then accept; reject; }";
  };
  CHECK(loads(lc_set("(1, 2, 3..4), (1, 2..3, *), (1..2, *, *), (*, *, *), (1, 2, *), (1, *, *)")));
  CHECK_FALSE(loads(lc_set("(*, 1, 3)")));
  CHECK_FALSE(loads(lc_set("(1, 0..7, 1..7)")));
  CHECK_FALSE(loads(lc_set("(1..13335, 0..7, 1..7)")));
  Run r(lc_set("(65010, 1, 1)..(65010, 2, 2)"));
  auto has = [&](std::uint32_t b, std::uint32_t c) {
    wire::PathAttributes a;
    a.large_communities.push_back({65010, b, c});
    return r("10.0.0.0/8", a).accepted();
  };
  CHECK(has(1, 1));
  CHECK(has(1, 4000000000));
  CHECK(has(2, 2));
  CHECK_FALSE(has(2, 3));
  CHECK_FALSE(has(0, 7));
}

TEST_CASE("statements: no empty statement, no ';' after a block") {
  CHECK(load_error("filter f { ; accept; }") ==
        "t.conf:1:12: error: empty statement: bird2 refuses a ';' that ends no statement");
  CHECK_FALSE(loads("filter f { if true then { accept; }; reject; }"));
  CHECK_FALSE(loads("filter f { if true then ; accept; }"));
  CHECK(loads("filter f { if true then { } accept; }"));
}

TEST_CASE("strings have no escapes: a backslash is itself") {
  CHECK_FALSE(loads("filter f { print \"a\\\"b\"; accept; }"));
  Run r("filter f { print \"a\\nb\"; accept; }");
  wire::PathAttributes a;
  r("10.0.0.0/8", a);
  REQUIRE(r.printed.size() == 1);
  CHECK(r.printed[0] == "a\\nb");
}

TEST_CASE("bgp_atomic_aggr is not a bool: `if bgp_atomic_aggr` is refused at load") {
  CHECK(load_error("filter f { if bgp_atomic_aggr then reject; accept; }") ==
        "t.conf:1:15: error: if condition must be bool, not bgp_atomic_aggr (test it with "
        "defined())");
  CHECK(loads("filter f { if defined(bgp_atomic_aggr) then reject; accept; }"));
}

namespace {

bool holds(const std::string& expr, const wire::PathAttributes& a = {}) {
  Run r(expr_filter(expr));
  return r("10.1.0.0/16", a).accepted();
}

}  // namespace

TEST_CASE(".min and .max of an empty list are the zero element, as in BIRD") {
  CHECK(holds("(bgp_community.min = (0,0) && bgp_community.max = (0,0))"));
  CHECK(holds("(bgp_large_community.min = (0,0,0) && bgp_large_community.max = (0,0,0))"));
  CHECK(holds("(defined(bgp_ext_community.min) && defined(bgp_ext_community.max))"));
  wire::PathAttributes a;
  a.communities = {wire::Community{(7U << 16) | 9U}, wire::Community{(3U << 16) | 4U}};
  CHECK(holds("(bgp_community.min = (3,4) && bgp_community.max = (7,9))", a));
}

TEST_CASE("IPv4 and IPv6 addresses compare as BIRD stores them (IPv4 as ::ffff:a.b.c.d)") {
  CHECK_FALSE(holds("(10.0.0.0 < ::1)"));
  CHECK(holds("(::1 < 10.0.0.0)"));
  CHECK(holds("(10.0.0.0 < 2001:db8::)"));
  CHECK(holds("(10.0.0.0 = ::ffff:10.0.0.0)"));
  CHECK_FALSE(holds("(255.255.255.255 < ::1)"));
  CHECK(holds("(10.0.0.1 > 10.0.0.0 && 2001:db8::1 > 2001:db8::)"));
}

TEST_CASE("defined() of lists: false for a missing or -empty- list, true for an emptied one") {
  // The answers bird2 2.0.12 gives (a static route, the same statements, print defined()).
  wire::PathAttributes none;
  CHECK_FALSE(holds("defined(bgp_community)", none));
  wire::PathAttributes a;
  a.communities = {wire::Community{(1U << 16) | 1U}};
  a.as_path = seq({65001});
  CHECK(holds("defined(bgp_community)", a));
  auto after = [&](const std::string& stmts, const std::string& what = "bgp_community") {
    Run r("filter f { " + stmts + " if defined(" + what + ") then accept; reject; }");
    return r("10.1.0.0/16", a).accepted();
  };
  CHECK_FALSE(after("unset(bgp_community);"));
  CHECK_FALSE(after("bgp_community = -empty-;"));
  CHECK_FALSE(after("bgp_community.empty;"));
  CHECK_FALSE(after("bgp_community = -empty-; bgp_community.delete((1,1));"));
  CHECK_FALSE(after("unset(bgp_community); bgp_community.filter([(2,2)]);"));
  CHECK(after("bgp_community.delete((1,1));"));
  CHECK(after("bgp_community.delete([(*,*)]);"));
  CHECK(after("bgp_community = -empty-; bgp_community.add((1,1)); bgp_community.filter([(2,2)]);"));
  CHECK_FALSE(after("unset(bgp_large_community);", "bgp_large_community"));
  CHECK(after("bgp_large_community.add((1,1,1)); bgp_large_community.delete((1,1,1));",
              "bgp_large_community"));
  CHECK_FALSE(after("bgp_ext_community = --empty--;", "bgp_ext_community"));
  CHECK(after("bgp_path.delete(65001);", "bgp_path"));
  CHECK_FALSE(after("bgp_path = +empty+;", "bgp_path"));
  CHECK(after("clist c = -empty-; c = add(c, (1,1)); c = delete(c, (1,1)); bgp_community = c;"));
  CHECK_FALSE(after("clist c = -empty-; bgp_community = c;"));
}
