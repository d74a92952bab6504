// Program::prefix_signature: which filters use the prefix only through yes/no tests, and the
// answers. The RIB runs such a filter once per (attribute set, source, answers), so a filter
// wrongly called prefix-only would give routes another route's verdict: every case where the
// prefix is used otherwise must say nullopt.
#include <map>

#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {

std::optional<std::uint64_t> sig(const std::string& text, const char* net) {
  Program p = must_load(text);
  const Filter* f = p.find_filter("f");
  REQUIRE(f != nullptr);
  return p.prefix_signature(*f, pfx(net));
}

}  // namespace

TEST_CASE("the seed's TO_RS shape is prefix-only, with one bit per test") {
  const std::string to_rs = R"(
    define LONG = [ 0.0.0.0/0{30,32} ];
    function mine() -> bool { return bgp_path ~ [= 65001 * =]; }
    filter f {
      if net ~ LONG then reject;
      if net = 20.0.0.0/24 then bgp_community.add((65001,100));
      if mine() && net.len > 16 then bgp_path.delete(65515);
      accept;
    })";
  REQUIRE(sig(to_rs, "20.0.1.0/24"));
  CHECK(*sig(to_rs, "20.0.1.0/24") == 0b100);  // not long, not 20.0.0.0/24, longer than /16
  CHECK(*sig(to_rs, "20.0.0.0/24") == 0b110);
  CHECK(*sig(to_rs, "20.0.0.0/31") == 0b101);
  CHECK(*sig(to_rs, "20.0.0.0/8") == 0b000);
  CHECK(sig(to_rs, "20.0.2.0/24") == sig(to_rs, "20.0.1.0/24"));
  // No test at all: one verdict per attribute set.
  CHECK(sig("filter f { bgp_path.delete(65515); accept; }", "10.0.0.0/8") == 0U);
}

TEST_CASE("any other use of the prefix makes the filter run for every route") {
  const char* cases[] = {
      "filter f { print net; accept; }",                                   // output per route
      "filter f { if net ~ [ 10.0.0.0/8+ ] then accept \"x\"; reject; }",  // message
      "filter f { prefix p; p = net; if p ~ [ 10.0.0.0/8+ ] then accept; reject; }",
      "filter f { bgp_med = net.len; accept; }",  // a value, not a test
      "filter f { case net.len { 24: accept; } reject; }",
      "function g() -> bool { return net.len = 24; } filter f { if g() then accept; reject; }",
      "function g(int x) -> bool { return x = 24; } filter f { if g(net.len) then accept; reject; "
      "}",
  };
  for (const char* text : cases) {
    INFO(text);
    CHECK_FALSE(sig(text, "10.0.0.0/24"));
  }
}

TEST_CASE("two routes with equal answers get equal outcomes (checked over a table)") {
  Run r(R"(
    filter f {
      if net ~ [ 0.0.0.0/0{30,32} ] then reject;
      if net = 10.0.0.0/24 then bgp_community.add((65001,100));
      bgp_path.delete(65515);
      accept;
    })");
  const Filter* f = r.prog.find_filter("f");
  wire::PathAttributes a;
  a.as_path = seq({65001, 65515});
  std::map<std::uint64_t, Outcome> first;
  for (const char* net :
       {"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/30", "10.0.3.0/25", "10.0.4.0/32", "10.0.0.0/23"}) {
    const auto s = r.prog.prefix_signature(*f, pfx(net));
    REQUIRE(s);
    Outcome o = r(net, a);
    auto [it, fresh] = first.emplace(*s, o);
    if (fresh) continue;
    INFO(net);
    CHECK(o.why == it->second.why);
    CHECK(o.modified == it->second.modified);
  }
  CHECK(first.size() == 3);  // long, 10.0.0.0/24, the rest
}
