// The RIB contract: a rejected or untouched route costs no heap allocation. Also the text
// helpers used by nvabgpctl.
#include <cstdlib>
#include <new>

#include "helpers.hpp"
#include "nvabgpd/policy/route_text.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

// GCC 12 cannot see that these replacements pair malloc with free.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
thread_local bool g_counting = false;
thread_local long g_allocs = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting) ++g_allocs;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("rejected and untouched routes allocate nothing; modified ones copy once") {
  Run r(R"(
    define LONG = [ 0.0.0.0/0{30,32} ];
    function is_mine() -> bool { return bgp_path ~ [= 65001 * =]; }
    filter TO_RS {
      if net ~ LONG then reject;
      if bgp_community ~ [ (65535, *) ] then reject;
      if net = 10.1.0.0/16 then { bgp_community.add((65535,65282)); accept; }
      if is_mine() && bgp_path.len < 4 && defined(bgp_next_hop) then accept;
      case bgp_med { 1..10: accept; }
      reject;
    })");
  wire::PathAttributes a;
  a.as_path = seq({65001, 65002});
  a.next_hop = ip("10.1.1.4");
  a.communities = {wire::Community::of(1, 1)};
  RouteView v;
  v.attrs = &a;
  const Filter* f = r.prog.find_filter("TO_RS");
  REQUIRE(f != nullptr);
  // Warm up thread-local scratch space once.
  v.net = pfx("10.2.0.0/16");
  (void)r.prog.run(*f, v);
  auto count = [&](const char* net) {
    v.net = pfx(net);
    g_allocs = 0;
    g_counting = true;
    Outcome o = r.prog.run(*f, v);
    g_counting = false;
    return std::make_pair(o.why, g_allocs);
  };
  CHECK(count("169.254.1.88/30") == std::make_pair(Outcome::Why::Reject, 0L));
  CHECK(count("10.2.0.0/16") == std::make_pair(Outcome::Why::Accept, 0L));
  auto [why, n] = count("10.1.0.0/16");
  CHECK(why == Outcome::Why::Accept);
  CHECK(n > 0);
  CHECK(n <= 4);  // the attribute copy (path segments + community vector) and one push
}

TEST_CASE("a statement that leaves the value as it was copies nothing") {
  // The seed's TO_RS: bgp_path.delete(65515) on every route, most of which have no 65515.
  Run r(R"(
    filter f { bgp_path.delete(65515); bgp_med = bgp_med; bgp_community.add((1,1)); accept; }
  )");
  wire::PathAttributes a;
  a.as_path = seq({65001, 65002});
  a.med = 7;
  a.communities = {wire::Community::of(1, 1)};
  (void)r("10.0.0.0/8", a);  // warm up thread-local scratch space
  g_allocs = 0;
  g_counting = true;
  Outcome o = r("10.0.0.0/8", a);
  g_counting = false;
  CHECK(o.accepted());
  CHECK_FALSE(o.modified);  // nothing to delete, same MED, community already there
  CHECK(o.med_assigned);    // still counts for the eBGP MED rule
  // The Run helper itself allocates (its print sink); the filter adds nothing to that.
  const long baseline = g_allocs;
  a.as_path = seq({65001, 65515, 65002});
  g_allocs = 0;
  g_counting = true;
  o = r("10.0.0.0/8", a);
  g_counting = false;
  REQUIRE(o.modified);
  CHECK(o.modified->as_path == seq({65001, 65002}));
  CHECK(g_allocs > baseline);
}

TEST_CASE("route text helpers round-trip") {
  CHECK(community_text(*parse_community("65535:65282")) == "65535:65282");
  CHECK_FALSE(parse_community("65536:1"));
  CHECK_FALSE(parse_community("1:2:3"));
  CHECK(large_community_text(*parse_large_community("4200000000:1:2")) == "4200000000:1:2");
  CHECK(ext_community_text(*parse_ext_community("rt:65000:100")) == "rt:65000:100");
  CHECK(ext_community_text(*parse_ext_community("ro:4200000000:7")) == "ro:4200000000:7");
  CHECK(ext_community_text(*parse_ext_community("rt:192.0.2.1:7")) == "rt:192.0.2.1:7");
  CHECK_FALSE(parse_ext_community("rt:4200000000:70000"));
  CHECK_FALSE(parse_ext_community("xx:1:2"));
  auto p = parse_as_path("65001 {1 2} 65002");
  REQUIRE(p);
  CHECK(p->segments.size() == 3);
  CHECK(as_path_text(*p) == "65001 {1 2} 65002");
  CHECK(parse_as_path("")->segments.empty());
  CHECK_FALSE(parse_as_path("{1 2"));
  CHECK_FALSE(parse_as_path("1 {}"));
  CHECK_FALSE(parse_as_path("1 x"));
  CHECK(parse_origin("incomplete") == wire::Origin::Incomplete);
  CHECK_FALSE(parse_origin("bogus"));
  // The filter language's (rt, a, b) builds the same value as the text form.
  wire::PathAttributes a;
  a.ext_communities = {*parse_ext_community("rt:4200000000:7"),
                       *parse_ext_community("ro:192.0.2.1:9")};
  Run r(expr_filter(
      "((rt, 4200000000, 7) ~ bgp_ext_community && (ro, 192.0.2.1, 9) ~ bgp_ext_community)"));
  CHECK(r("10.0.0.0/8", a).accepted());
}
