// Behaviour pinned to Debian's bird2 2.0.12 (each expectation was observed by running bird2):
// last_nonaggregated, repeated case labels, accept/reject messages, return in a filter body,
// `+` in path masks, int/pair set mixes and the constructs bird2 refuses.
#include "helpers.hpp"
#include "nvabgpd/policy/route_text.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {
wire::AsPath path(std::initializer_list<std::pair<bool, std::vector<std::uint32_t>>> segs) {
  wire::AsPath p;
  for (const auto& [is_set, asns] : segs) {
    p.segments.push_back({is_set ? wire::SegmentType::Set : wire::SegmentType::Sequence, asns});
  }
  return p;
}
constexpr bool S = true;   // AS_SET
constexpr bool Q = false;  // AS_SEQUENCE

std::uint32_t med_after(Run& r, const wire::PathAttributes& a, const char* net = "10.0.0.0/8") {
  auto o = r(net, a);
  INFO(o.reason());
  REQUIRE(o.accepted());
  REQUIRE(o.modified.has_value());
  REQUIRE(o.modified->med.has_value());
  return *o.modified->med;
}
std::uint32_t lp_after(Run& r, std::uint32_t med) {
  wire::PathAttributes a;
  a.med = med;
  auto o = r("10.0.0.0/8", a);
  INFO(o.reason());
  REQUIRE(o.modified.has_value());
  REQUIRE(o.modified->local_pref.has_value());
  return *o.modified->local_pref;
}
}  // namespace

TEST_CASE("last_nonaggregated: last ASN of the sequence before the first AS_SET") {
  Run r("filter f { bgp_med = bgp_path.last_nonaggregated; accept; }");
  auto med = [&](wire::AsPath p) {
    wire::PathAttributes a;
    a.as_path = std::move(p);
    return med_after(r, a);
  };
  CHECK(med(path({{Q, {1, 2}}, {S, {3, 4}}})) == 2);
  CHECK(med(path({{S, {3, 4}}})) == 0);
  CHECK(med(path({{Q, {1}}, {S, {2}}, {Q, {3}}})) == 1);  // the sequence after the set is ignored
  CHECK(med(path({{Q, {1}}, {S, {2}}})) == 1);
  CHECK(med(path({{Q, {1, 2}}, {S, {3}}, {Q, {4}}, {S, {5, 6}}})) == 2);
  CHECK(med(path({{Q, {1, 2, 3}}})) == 3);
  CHECK(med(path({{S, {3, 4}}, {Q, {5, 6}}})) == 0);
  CHECK(med(path({})) == 0);
}

TEST_CASE("case: repeated and overlapping labels pick bird2's arm") {
  // bird2 sorts the labels into a balanced tree (else is a void label) and stops at the first
  // node on the way down that holds the value.
  Run a(R"(filter f { case bgp_med { 1: bgp_local_pref = 10; 1: bgp_local_pref = 20;
                                      else: bgp_local_pref = 40; } accept; })");
  CHECK(lp_after(a, 1) == 10);
  CHECK(lp_after(a, 2) == 40);
  Run b(R"(filter f { case bgp_med { 1: bgp_local_pref = 10; 2, 1: bgp_local_pref = 20;
                                      1..3: bgp_local_pref = 30; else: bgp_local_pref = 40; } accept; })");
  CHECK(lp_after(b, 1) == 20);
  CHECK(lp_after(b, 2) == 20);
  CHECK(lp_after(b, 3) == 40);  // 1..3 sits where the walk for 3 never looks
  CHECK(lp_after(b, 4) == 40);
  // A label of another type is "incomparable", which the walk takes as a hit.
  Run c(
      R"(filter f { bgp_local_pref = 0; case bgp_med { 5: bgp_local_pref = 5; 3: bgp_local_pref = 3;
            2: bgp_local_pref = 2; (1,2): bgp_local_pref = 9; 7: bgp_local_pref = 7; } accept; })");
  CHECK(lp_after(c, 5) == 5);
  CHECK(lp_after(c, 7) == 9);
  CHECK(lp_after(c, 65538) == 9);
  CHECK(lp_after(c, 1) == 0);
  CHECK(lp_after(c, 3) == 3);
  CHECK(lp_after(c, 2) == 2);
}

TEST_CASE("accept/reject take a message list, printed as one line after pending printn") {
  Run r(R"(filter f {
      printn "P", net.len, " ";
      if net.len = 8 then reject "too long: ", net, " x ", 5;
      if net.len = 9 then accept "y", 1;
      if net.len = 10 then accept;
      reject; })");
  wire::PathAttributes a;
  CHECK(r("10.0.0.0/8", a).why == Outcome::Why::Reject);
  CHECK(r("10.0.0.0/9", a).accepted());
  CHECK(r("10.0.0.0/10", a).accepted());  // pending printn text is dropped, as bird2 does
  CHECK(r("10.0.0.0/11", a).why == Outcome::Why::Reject);
  CHECK(r.printed == std::vector<std::string>{"P8 too long: 10.0.0.0/8 x 5", "P9 y1"});
  Run p(R"(filter f { bgp_path.prepend(5); print; accept bgp_path, " ", 5 + 3, true; })");
  p("10.0.0.0/8", a);
  CHECK(p.printed == std::vector<std::string>{"", "(path 5) 8TRUE"});
}

TEST_CASE("return in a filter body: true accepts, false rejects, other values are errors") {
  Run r(R"(function g(int x) { return x = 1; }
      filter f {
        if net.len = 8 then return true;
        if net.len = 9 then return g(2);
        if net.len = 10 then { if true then return 1; }
        return g(1); })");
  wire::PathAttributes a;
  auto o = r("10.0.0.0/8", a);
  CHECK(o.accepted());
  CHECK(o.where.to_string() == "t.conf:3:29");
  CHECK(r("10.0.0.0/9", a).why == Outcome::Why::Reject);
  auto e = r("10.0.0.0/10", a);
  CHECK(e.why == Outcome::Why::RuntimeError);
  CHECK(e.error == "Can't return non-bool from non-function");
  CHECK(r("10.0.0.0/11", a).accepted());
  // bird2 needs a value after return, in functions too.
  CHECK(load_error("function g() { return; } filter f { accept; }") ==
        "t.conf:1:22: error: expected expression, found ';'");
  CHECK(load_error("filter f { return; }") == "t.conf:1:18: error: expected expression, found ';'");
}

TEST_CASE("bird2 keywords cannot name constants, filters, functions, parameters or variables") {
  CHECK(load_error("function table() { return 1; } filter f { accept; }") ==
        "t.conf:1:10: error: 'table' is a bird2 keyword, it cannot name a function");
  CHECK(load_error("function accept() { return 1; }") ==
        "t.conf:1:10: error: 'accept' is a bird2 keyword, it cannot name a function");
  CHECK(load_error("define as = 5;") ==
        "t.conf:1:8: error: 'as' is a bird2 keyword, it cannot name a constant");
  CHECK(load_error("define ORIGIN_IGP = 5;") ==
        "t.conf:1:8: error: 'ORIGIN_IGP' is a bird2 keyword, it cannot name a constant");
  CHECK(load_error("filter bgp { accept; }") ==
        "t.conf:1:8: error: 'bgp' is a bird2 keyword, it cannot name a filter");
  CHECK(load_error("filter f { int len; accept; }") ==
        "t.conf:1:16: error: 'len' is a bird2 keyword, it cannot name a variable");
  CHECK(load_error("filter f int rt; { accept; }") ==
        "t.conf:1:14: error: 'rt' is a bird2 keyword, it cannot name a variable");
  CHECK(load_error("function g(int s) { return s; }") ==
        "t.conf:1:16: error: 's' is a bird2 keyword, it cannot name a variable");
  CHECK(load_error("filter f { for int asn in bgp_path do accept; }") ==
        "t.conf:1:20: error: 'asn' is a bird2 keyword, it cannot name a variable");
  // Keywords are case-sensitive, and ordinary names stay free.
  Run r(
      "define TABLE = 5; function Accept(int x; int y) { return x + y; } filter f { int x2 = "
      "Accept(TABLE, 1); if x2 = 6 then accept; }");
  wire::PathAttributes a;
  CHECK(r("10.0.0.0/8", a).accepted());
}

TEST_CASE("function parameters are separated by ';' as in bird2") {
  CHECK(load_error("function g(int a, int b) { return a + b; }") ==
        "t.conf:1:17: error: function parameters are separated by ';' in bird2, not ','");
  CHECK(load_error("function g(int a, int b) -> int { return a + b; }") ==
        "t.conf:1:17: error: function parameters are separated by ';' in bird2, not ','");
}

TEST_CASE("'+' in path masks repeats the item before it, AS_SETs included (bird2's results)") {
  // Each row: a path ("{..}" is an AS_SET) and, for every mask below, whether bird2 2.0.12
  // matched it (seen over a BGP session from gobgpd, the only way to get AS_SETs into bird2).
  const std::vector<std::string> masks = {
      "1+ 2",   "1 + + 2",    "* +",   "? +",      "[1,2]+", "1..3+ 9", "1 2 +",  "5 1+ 9",
      "5 ?+ 9", "5 [1,2]+ 9", "1+",    "5 1+ 2 9", "* 2+ *", "1 + *",   "? + 9",  "5 2+ 1 9",
      "5 3+ 9", "[1,2]+ 9",   "? ? +", "5 * + 9",  "1..2+",  "5 ? 9",   "5 1 2 9"};
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"1 2", "11111010000011000010100"},         {"1 1 2", "11111000000011000010100"},
      {"2", "00111000000010000000100"},           {"1 1", "00111000001001000010100"},
      {"1 2 2", "00111010000011000010100"},       {"5 {1 2} 9", "00110001110110110011011"},
      {"5 {1} 9", "00110001110000100011010"},     {"5 1 1 9", "00110001110000100011000"},
      {"5 9", "00110000000000100011000"},         {"1 2 3", "00110000000011000010000"},
      {"3 3 9", "00110100000000100010000"},       {"5 {1 2} 2 9", "00110000110110100011001"},
      {"{1 2}", "11111010001011000010100"},       {"1 {1 2} 2", "11111010000011000010100"},
      {"1 2 1 2", "00111000000011000010100"},     {"5 {1 2} 1 9", "00110001110010110011000"},
      {"5 1 {1 2} 9", "00110001110110100011001"}, {"5 2 {1 2} 9", "00110000110010110011000"},
      {"1 1 1", "00111000001001000010100"},       {"2 1 1 9", "00110100000010100110000"},
      {"5 {2} 2 9", "00110000110010100011000"},
  };
  for (const auto& [text, bits] : rows) {
    wire::AsPath p = *parse_as_path(text);
    wire::PathAttributes a;
    a.as_path = p;
    for (std::size_t i = 0; i < masks.size(); ++i) {
      Run r(expr_filter("(bgp_path ~ [= " + masks[i] + " =])"));
      INFO("path " << text << " mask " << masks[i]);
      CHECK(r("10.0.0.0/8", a).accepted() == (bits[i] == '1'));
    }
  }
  CHECK(load_error("filter f { if bgp_path ~ [= + 1 =] then accept; }") ==
        "t.conf:1:29: error: '+' (repeat) cannot be the first item of a path mask");
  // (expr)+ and a variable followed by '+' repeat the value; inside parentheses + adds.
  wire::PathAttributes a;
  a.as_path = *parse_as_path("7 7 1 9");
  Run v(
      "filter f { int x = 7; if bgp_path ~ [= x + (0+1) 9 =] && bgp_path ~ [= (6+1)+ 1+ 9 =] then "
      "accept; reject; }");
  CHECK(v("10.0.0.0/8", a).accepted());
}

TEST_CASE("sets with items of several types or overlapping items answer as bird2's search tree") {
  // Rows: set, then for MED 0 1 2 3 5 7 9 11 15 25 65538 100 100000 16909060 whether bird2
  // 2.0.12 matched ('e': runtime error, "~ applied on unknown type pair").
  const std::vector<std::uint32_t> meds = {0,  1,  2,  3,     5,   7,      9,
                                           11, 15, 25, 65538, 100, 100000, 16909060};
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"[1, (1,2)]", "11000000000000"},
      {"[1..10, 2]", "01100000000000"},  // 1..10 is never reached for 3..10
      {"[5, (*, 7)]", "eeeeeeeeeeeeee"},
      {"[1, 3, 5, (1,2), 7, 9]", "01011111111111"},
      {"[(1,2), (2,3), 4, 100]", "eeeeeeeeeeeeee"},
      {"[1, 1.2.3.4]", "11000000000000"},
      {"[3..4, 1..10, 20]", "01110000000000"},
      {"[10, 0..3, 5, 20, 2..30]", "11111000000000"},
      {"[(1,2), 1]", "eeeeeeeeeeeeee"},
      {"[7, (1,2), 1]", "eeeeeeeeeeeeee"},
      {"[(0,5), 9, (0,1)]", "11111111111111"},
      {"[1, 1, 5]", "01001000000000"},
      {"[5, 1..3, 2..9, 1]", "01111110000000"},
      {"[1..3, 5..9]", "01111110000000"},  // disjoint items: a plain membership test
  };
  for (const auto& [set, want] : rows) {
    Run r("filter f { if bgp_med ~ " + set + " then accept; reject; }");
    for (std::size_t i = 0; i < meds.size(); ++i) {
      wire::PathAttributes a;
      a.med = meds[i];
      auto o = r("10.0.0.0/8", a);
      INFO(set << " med " << meds[i] << " -> " << o.reason());
      char got = o.why == Outcome::Why::RuntimeError ? 'e' : o.accepted() ? '1' : '0';
      CHECK(got == want[i]);
    }
  }
  // print shows such sets item by item in bird2's tree order.
  Run p(R"(filter f { print [1, (1,2), 3..4, 1..9], " ", [5..1, 2], " ", [1, 1, 2]; accept; })");
  wire::PathAttributes none;
  p("10.0.0.0/8", none);
  CHECK(p.printed == std::vector<std::string>{"[1..9, 3..4, (1,2), 1] [2, 5..1] [1, 1, 2]"});
  // Community lists against pair sets with overlapping patterns, match and delete.
  const std::vector<std::uint32_t> comms = {
      wire::Community::of(1, 5).value, wire::Community::of(1, 6).value,
      wire::Community::of(3, 7).value, wire::Community::of(9, 7).value,
      wire::Community::of(2, 5).value, wire::Community::of(2, 6).value,
      wire::Community::of(3, 5).value, wire::Community::of(0, 1).value,
      wire::Community::of(1, 2).value, wire::Community::of(4, 4).value};
  const std::vector<std::pair<std::string, std::string>> crow = {
      {"[(1,*), (1,5)]", "1000000010"},
      {"[(*,7), (3,7)]", "0011000000"},
      {"[(1..3, 5..6), (2, 5)]", "1100101000"},
      {"[(1,2), 1]", "0000000110"},
      {"[(1,1)..(1,9), (1,5)]", "1000000010"},
      {"[(0,1), (1..3,5..6), (2,5), (4,4)]", "1100101101"},
  };
  for (const auto& [set, want] : crow) {
    Run m("filter f { if bgp_community ~ " + set + " then accept; reject; }");
    Run d("filter f { bgp_community.delete(" + set + "); accept; }");
    for (std::size_t i = 0; i < comms.size(); ++i) {
      wire::PathAttributes a;
      a.communities = {wire::Community{comms[i]}};
      INFO(set << " community " << i);
      CHECK(m("10.0.0.0/8", a).accepted() == (want[i] == '1'));
      auto o = d("10.0.0.0/8", a);
      REQUIRE(o.accepted());
      // Nothing deleted: nothing modified (copy-on-write), the route keeps its community.
      const auto& after = o.modified ? o.modified->communities : a.communities;
      CHECK(after.empty() == (want[i] == '1'));
      CHECK(o.modified.has_value() == (want[i] == '1'));
    }
  }
}

TEST_CASE("more of bird2's grammar: empty statements, case labels, set items, strings") {
  CHECK(load_error("filter f { ; accept; }") ==
        "t.conf:1:12: error: empty statement: bird2 refuses a ';' that ends no statement");
  CHECK(load_error("filter f { if true then { accept; }; }") ==
        "t.conf:1:36: error: empty statement: bird2 refuses a ';' that ends no statement");
  must_load("function g() { return 1; }; filter f { accept; };");  // between definitions: fine
  CHECK(load_error("filter f { case bgp_med { 1+1: accept; } reject; }") ==
        "t.conf:1:28: error: expected ':', found '+'");
  CHECK(load_error("define C = 5; filter f { case bgp_med { 1..C: accept; } reject; }") ==
        "t.conf:1:44: error: bird2 does not accept the constant 'C' as a case label; write (C)");
  CHECK(load_error("filter f { case proto { \"a\": accept; } reject; }") ==
        "t.conf:1:25: error: bird2 does not accept string as a case label");
  CHECK(load_error("filter f { case true { true: accept; } reject; }") ==
        "t.conf:1:24: error: bird2 does not accept 'true' as a case label");
  CHECK(load_error("filter f { if bgp_med ~ [1+1, 7] then accept; reject; }") ==
        "t.conf:1:27: error: expected ']', found '+'");
  must_load(
      "define C = 5; filter f { case bgp_med { (C), (1+1): accept; } if bgp_med ~ [(1+1), C..9] "
      "then accept; reject; }");

  // Two else arms and reversed ranges load; the search tree decides (as bird2).
  Run r(R"(filter f {
      case bgp_med { 1: bgp_local_pref = 1; else: bgp_local_pref = 2; 3: bgp_local_pref = 3; else: bgp_local_pref = 4; }
      if bgp_med ~ [5..1] then bgp_community.add((1,1));
      if bgp_med ~ [5..1, 5] then bgp_community.add((1,2));
      if bgp_med ~ [7, 5..1, 3] then bgp_community.add((1,3));
      print "x\ny";
      accept; })");
  auto run = [&](std::uint32_t med) {
    wire::PathAttributes a;
    a.med = med;
    auto o = r("10.0.0.0/8", a);
    REQUIRE(o.modified.has_value());
    std::string comms;
    for (auto c : o.modified->communities) comms += std::to_string(c.value & 0xFFFF);
    return std::to_string(*o.modified->local_pref) + "/" + comms;
  };
  CHECK(run(0) == "4/");
  CHECK(run(1) == "1/");
  CHECK(run(2) == "4/");
  CHECK(run(3) == "3/3");
  CHECK(run(5) == "4/2");
  CHECK(run(7) == "4/3");
  // Strings have no escapes in bird2: the backslash is kept.
  CHECK(r.printed.front() == "x\\ny");
}

TEST_CASE("a set that needs bird2's search tree is bounded in size") {
  // (*, 1..2) is 65,536 tree items; 17 of them with an overlap exceed the bound.
  std::string set = "[5";
  for (int i = 0; i < 17; ++i) set += ", (*, 1..2)";
  CHECK(load_error("define S = " + set + "];") ==
        "t.conf:1:12: error: set too large: its items of several types or overlapping items make "
        "more than 1048576 search tree entries");
  must_load("define S = [5, (*, 7), (3, 7)];");
}
