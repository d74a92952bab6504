// NextHopTable: a changed next hop re-decides exactly the prefixes that use it, in budgeted
// slices; the resolver is asked once per next hop and told to forget it after its last path.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr std::size_t kPerHop = 1000;

base::Prefix nth(std::size_t i) {
  return base::Prefix::make(base::IpAddress::v4(0x14000000U + (static_cast<std::uint32_t>(i) << 8)),
                            24);
}

std::vector<base::Prefix> block(std::size_t first, std::size_t n) {
  std::vector<base::Prefix> v;
  for (std::size_t i = first; i < first + n; ++i) v.push_back(nth(i));
  return v;
}

PeerId best_peer(Harness& h, const base::Prefix& p) {
  for (const auto& v : h.rib.routes(p))
    if (v.best) return v.peer;
  return 0;
}

// Peer 1 (preferred: shorter AS_PATH) sends prefixes 0..999 via 10.1.0.1 and 1000..1999 via
// 10.1.0.2; peer 2 sends all 2000 via 10.2.0.1.
struct TwoPeers : Harness {
  const base::IpAddress a = ip("10.1.0.1");
  const base::IpAddress b = ip("10.1.0.2");
  const base::IpAddress c = ip("10.2.0.1");
  TwoPeers() {
    up(peer(1, 65010, "10.0.0.1", 1));
    up(peer(2, 65020, "10.0.0.2", 2));
    in(announce(1, block(0, kPerHop), attrs({65010}, "10.1.0.1")));
    in(announce(1, block(kPerHop, kPerHop), attrs({65010}, "10.1.0.2")));
    in(announce(2, block(0, 2 * kPerHop), attrs({65020, 65021}, "10.2.0.1")));
    settle();
    fib.clear();
  }
  // Runs the RIB until idle; returns the units it used.
  std::size_t run_all(std::size_t slice) {
    std::size_t units = 0;
    while (rib.busy()) units += rib.run(slice);
    settle();
    return units;
  }
  void change(const base::IpAddress& nh) {
    const std::vector<base::IpAddress> changed{nh};
    rib.next_hops_changed(changed);
  }
};

}  // namespace

TEST_CASE("a next hop that goes unreachable re-decides exactly its prefixes, and back",
          "[rib][nexthop]") {
  TwoPeers h;
  REQUIRE(best_peer(h, nth(0)) == 1);
  REQUIRE(h.rib.next_hops().paths(h.a) == kPerHop);
  REQUIRE(h.rib.next_hops().paths(h.c) == 2 * kPerHop);

  h.resolver.set(h.a, false);
  h.change(h.a);
  // One unit per prefix of 10.1.0.1 examined, one per prefix re-decided: the other 1000
  // prefixes are not touched.
  CHECK(h.run_all(1000) == 2 * kPerHop);
  REQUIRE(h.fib.size() == kPerHop);
  for (const auto& d : h.fib) {
    CHECK(d.next_hops == std::vector<base::IpAddress>{h.c});
    CHECK(d.prefix < nth(kPerHop));
  }
  CHECK(best_peer(h, nth(0)) == 2);
  CHECK(best_peer(h, nth(kPerHop - 1)) == 2);
  CHECK(best_peer(h, nth(kPerHop)) == 1);
  bool unreachable = false;
  for (const auto& v : h.rib.routes(nth(0)))
    if (v.peer == 1) unreachable = v.ineligible == "next hop unreachable";
  CHECK(unreachable);

  h.fib.clear();
  h.resolver.set(h.a, true);
  h.change(h.a);
  CHECK(h.run_all(1000) == 2 * kPerHop);
  REQUIRE(h.fib.size() == kPerHop);
  for (const auto& d : h.fib) CHECK(d.next_hops == std::vector<base::IpAddress>{h.a});
  CHECK(best_peer(h, nth(0)) == 1);
  CHECK(h.views[2].routes.at(nth(0)).as_path.segments.at(0).asns.size() == 2);  // re-exported
}

TEST_CASE("next_hops_changed touches no prefix, run(budget) marks them in slices",
          "[rib][nexthop]") {
  TwoPeers h;
  h.resolver.set(h.b, false);
  h.change(h.b);
  CHECK(h.rib.busy());
  CHECK(h.rib.next_hops().queued() == kPerHop);
  CHECK(h.rib.run(100) == 100);
  CHECK(h.rib.next_hops().queued() == kPerHop - 100);
  CHECK(h.rib.next_hops().marking());
  std::size_t slices = 1;
  while (h.rib.busy()) {
    CHECK(h.rib.run(100) <= 100);
    ++slices;
  }
  CHECK(slices == 2 * kPerHop / 100);
  h.settle();
  CHECK(h.fib.size() == kPerHop);
  CHECK(best_peer(h, nth(kPerHop)) == 2);
}

TEST_CASE("a next hop whose answer did not change, or that no path uses, costs nothing",
          "[rib][nexthop]") {
  TwoPeers h;
  h.change(h.a);  // still reachable at cost 0
  h.change(ip("192.0.2.99"));
  CHECK_FALSE(h.rib.busy());
  CHECK(h.resolver.resolves[ip("192.0.2.99")] == 0);
  // An IGP cost change is a change: the prefixes are re-decided (nothing moves here).
  h.resolver.set(h.c, true, 20);
  h.change(h.c);
  CHECK(h.run_all(1000) == 4 * kPerHop);
  CHECK(h.fib.empty());
}

TEST_CASE("changed again while its prefixes are still being marked: the last answer wins",
          "[rib][nexthop]") {
  TwoPeers h;
  h.resolver.set(h.a, false);
  h.change(h.a);
  h.rib.run(300);
  h.resolver.set(h.a, true);
  h.change(h.a);
  CHECK(h.rib.next_hops().queued() == kPerHop);  // started over
  h.run_all(1000);
  CHECK(h.fib.empty());  // never decided while unreachable
  CHECK(best_peer(h, nth(0)) == 1);
  CHECK(best_peer(h, nth(kPerHop - 1)) == 1);
}

TEST_CASE("the resolver is asked once per next hop and forgets it after its last path",
          "[rib][nexthop]") {
  Harness h;
  h.up(peer(1, 65010, "10.0.0.1", 1));
  h.up(peer(2, 65020, "10.0.0.2", 2));
  const auto a = ip("10.1.0.1");
  const auto b = ip("10.1.0.2");
  h.in(announce(1, block(0, 3), attrs({65010}, "10.1.0.1")));
  h.in(announce(2, block(0, 1), attrs({65020}, "10.1.0.1")));
  h.settle();
  CHECK(h.resolver.resolves[a] == 1);
  CHECK(h.rib.next_hops().paths(a) == 4);
  // A path that changes its next hop moves between the two.
  h.in(announce(1, block(2, 1), attrs({65010}, "10.1.0.2")));
  h.settle();
  CHECK(h.rib.next_hops().paths(a) == 3);
  CHECK(h.rib.next_hops().paths(b) == 1);
  // Re-sent with the same next hop: no change.
  h.in(announce(1, block(0, 1), attrs({65010, 65011}, "10.1.0.1")));
  CHECK(h.rib.next_hops().paths(a) == 3);
  h.in(withdraw(1, block(2, 1)));
  h.settle();
  CHECK(h.rib.next_hops().paths(b) == 0);
  CHECK(h.resolver.forgets[b] == 1);
  h.rib.peer_down({1, false}, h.now);
  h.settle();
  CHECK(h.rib.next_hops().paths(a) == 1);
  CHECK(h.resolver.forgets[a] == 0);
  h.in(withdraw(2, block(0, 1)));
  h.settle();
  CHECK(h.resolver.forgets[a] == 1);
  CHECK(h.rib.next_hops().size() == 0);
  // Locally originated routes need no resolution.
  h.rib.originate(nth(9), attrs({}, "10.1.0.9"));
  h.settle();
  CHECK(h.rib.next_hops().size() == 0);
  CHECK(h.resolver.resolves[ip("10.1.0.9")] == 0);
}

TEST_CASE("a flapping prefix does not grow its next hop's dependency list", "[rib][nexthop]") {
  Harness h;
  h.up(peer(1, 65010, "10.0.0.1", 1));
  h.in(announce(1, block(0, 10), attrs({65010}, "10.1.0.1")));  // keep the next hop in use
  h.settle();
  for (int i = 0; i < 1000; ++i) {
    h.in(announce(1, block(100, 1), attrs({65010}, "10.1.0.1")));
    h.in(withdraw(1, block(100, 1)));
    h.settle();
  }
  CHECK(h.rib.next_hops().paths(ip("10.1.0.1")) == 10);
  CHECK(h.rib.next_hops().dependency_count(ip("10.1.0.1")) <= 2 * 10 + 32);
  // The list still finds every prefix that uses the next hop.
  h.resolver.set(ip("10.1.0.1"), false);
  h.rib.next_hops_changed(std::vector<base::IpAddress>{ip("10.1.0.1")});
  h.settle();
  CHECK(h.fib.size() == 10 + 10);  // installed, withdrawn (a flap within one run reaches no FIB)
  for (std::size_t i = 0; i < 10; ++i) CHECK(best_peer(h, nth(i)) == 0);
}

TEST_CASE("a next hop carrying most of the table is indexed by a bitmap, marked in slices",
          "[rib][nexthop]") {
  constexpr std::size_t kMany = 6000;
  Harness h;
  h.up(peer(1, 65010, "10.0.0.1", 1));
  h.up(peer(2, 65020, "10.0.0.2", 2));
  const auto a = ip("10.1.0.1");
  h.in(announce(1, block(0, kMany), attrs({65010}, "10.1.0.1")));
  h.in(announce(2, block(0, 1), attrs({65020, 65021}, "10.2.0.1")));
  h.settle();
  REQUIRE(h.rib.next_hops().dense(a));
  CHECK(h.rib.next_hops().dependency_count(a) == kMany);
  h.fib.clear();

  h.resolver.set(a, false);
  h.rib.next_hops_changed(std::vector<base::IpAddress>{a});
  CHECK(h.rib.next_hops().queued() == kMany);
  std::size_t units = 0;
  while (h.rib.next_hops().marking()) {
    const std::size_t used = h.rib.run(100);
    CHECK(used <= 100);
    units += used;
  }
  // One unit per id examined plus about one per 64-id word scanned.
  CHECK(units <= kMany + 2 * (kMany / 64 + 1));
  h.settle();
  CHECK(h.fib.size() == kMany);  // every prefix of `a` lost its route; one moved to peer 2
  CHECK(best_peer(h, nth(0)) == 2);

  // Most of them withdrawn: back to a list, which still finds the rest.
  h.in(withdraw(1, block(10, kMany - 10)));
  h.settle();
  CHECK_FALSE(h.rib.next_hops().dense(a));
  CHECK(h.rib.next_hops().paths(a) == 10);
  CHECK(h.rib.next_hops().dependency_count(a) <= 2 * 10 + 32);
  h.fib.clear();
  h.resolver.set(a, true);
  h.rib.next_hops_changed(std::vector<base::IpAddress>{a});
  h.settle();
  CHECK(h.fib.size() == 10);
  CHECK(best_peer(h, nth(0)) == 1);
}
