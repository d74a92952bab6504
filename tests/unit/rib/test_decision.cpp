// The decision process as algebra: every step decides in both orderings, MED-tricky sets
// give the same winner in every insertion order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "helpers.hpp"
#include "nvabgpd/rib/decision.hpp"

using namespace ribtest;
using rib::Candidate;
using rib::DecisionStep;

namespace {

struct Fixture {
  rib::AttrStore store;
  std::vector<rib::AttrRef> keep;

  const rib::AttrSet* make(const wire::PathAttributes& a) {
    keep.push_back(store.intern(a));
    return keep.back().get();
  }
  Candidate base_candidate(const wire::PathAttributes& a) {
    Candidate c;
    c.attrs = make(a);
    c.neighbour_as = c.attrs->as_path().neighbour_as().value_or(65001);
    c.router_id = 10;
    c.peer_address = ip("10.0.0.10");
    return c;
  }
};

wire::PathAttributes plain() { return attrs({65010, 65020}, "10.0.0.1"); }

// Checks that `better` beats `worse` at `step` in both argument orders.
void check_pair(const Candidate& better, const Candidate& worse, DecisionStep step,
                const rib::DecisionOptions& o = {}) {
  const auto c1 = rib::compare(better, worse, o);
  const auto c2 = rib::compare(worse, better, o);
  CHECK(c1.step == step);
  CHECK(c2.step == step);
  CHECK(c1.first_wins);
  CHECK_FALSE(c2.first_wins);
  std::vector<Candidate> v{better, worse};
  CHECK(rib::select_best(v, o) == 0);
  std::swap(v[0], v[1]);
  CHECK(rib::select_best(v, o) == 1);
}

}  // namespace

TEST_CASE("each decision step decides in both orders", "[rib][decision]") {
  Fixture f;
  const Candidate ref = f.base_candidate(plain());

  SECTION("eligibility") {
    Candidate bad = ref;
    bad.eligible = false;
    Candidate good = ref;
    good.peer_address = ip("10.0.0.99");  // would lose every later tie-break
    good.router_id = 99;
    check_pair(good, bad, DecisionStep::Eligibility);
  }
  SECTION("higher LOCAL_PREF") {
    auto a = plain();
    a.local_pref = 200;
    auto b = plain();
    b.local_pref = 100;
    b.as_path = path({1});  // shorter path must not matter
    check_pair(f.base_candidate(a), f.base_candidate(b), DecisionStep::LocalPref);
  }
  SECTION("missing LOCAL_PREF is the configured default") {
    auto a = plain();
    a.local_pref = 150;
    rib::DecisionOptions o;
    o.default_local_pref = 200;
    check_pair(f.base_candidate(plain()), f.base_candidate(a), DecisionStep::LocalPref, o);
  }
  SECTION("locally originated") {
    Candidate local = f.base_candidate(attrs({}, "0.0.0.0"));
    local.local = true;
    auto b = plain();
    b.as_path = path({});
    check_pair(local, f.base_candidate(b), DecisionStep::LocallyOriginated);
  }
  SECTION("shorter AS_PATH") {
    auto b = plain();
    b.as_path = path({65010, 65020, 65030});
    b.origin = wire::Origin::Igp;
    auto a = plain();
    a.origin = wire::Origin::Incomplete;  // worse origin must not matter
    check_pair(f.base_candidate(a), f.base_candidate(b), DecisionStep::AsPathLength);
  }
  SECTION("AS_SET counts one, confederation segments zero") {
    auto a = plain();
    a.as_path.segments = {{wire::SegmentType::Sequence, {65010}},
                          {wire::SegmentType::Set, {1, 2, 3, 4}}};
    auto b = plain();
    b.as_path.segments = {{wire::SegmentType::ConfedSequence, {7, 8, 9}},
                          {wire::SegmentType::Sequence, {65010, 5, 6}}};
    check_pair(f.base_candidate(a), f.base_candidate(b), DecisionStep::AsPathLength);
  }
  SECTION("lower ORIGIN") {
    for (auto [x, y] : {std::pair{wire::Origin::Igp, wire::Origin::Egp},
                        {wire::Origin::Egp, wire::Origin::Incomplete},
                        {wire::Origin::Igp, wire::Origin::Incomplete}}) {
      auto a = plain();
      a.origin = x;
      a.med = 500;  // worse MED must not matter
      auto b = plain();
      b.origin = y;
      check_pair(f.base_candidate(a), f.base_candidate(b), DecisionStep::Origin);
    }
  }
  SECTION("lower MED from the same neighbour AS") {
    auto a = plain();
    a.med = 10;
    auto b = plain();
    b.med = 20;
    Candidate ca = f.base_candidate(a);
    ca.ebgp = false;  // would lose eBGP-over-iBGP
    Candidate cb = f.base_candidate(b);
    cb.ebgp = true;
    check_pair(ca, cb, DecisionStep::Med);
  }
  SECTION("missing MED is 0 by default, worst with the option") {
    auto a = plain();
    auto b = plain();
    b.med = 5;
    check_pair(f.base_candidate(a), f.base_candidate(b), DecisionStep::Med);
    rib::DecisionOptions o;
    o.med_missing_as_worst = true;
    check_pair(f.base_candidate(b), f.base_candidate(a), DecisionStep::Med, o);
  }
  SECTION("MED ignored between different neighbour ASes unless always-compare-med") {
    auto a = plain();
    a.as_path = path({65010, 7});
    a.med = 10;
    auto b = plain();
    b.as_path = path({65099, 7});
    b.med = 20;
    Candidate ca = f.base_candidate(a);
    Candidate cb = f.base_candidate(b);
    cb.ebgp = true;  // b wins on the next step when MED is skipped
    check_pair(cb, ca, DecisionStep::EbgpOverIbgp);
    rib::DecisionOptions o;
    o.always_compare_med = true;
    check_pair(ca, cb, DecisionStep::Med, o);
  }
  SECTION("MED compared for one neighbour AS behind confederation segments (RFC 5065 5.2)") {
    // The neighbour AS skips the confederation segments: both routes come from AS 65010. The
    // RIB's former copy stopped at the AS_CONFED_SEQUENCE, took the local AS for a, skipped
    // MED and let b win on eBGP over iBGP.
    auto a = plain();
    a.as_path.segments = {{wire::SegmentType::ConfedSequence, {65100}},
                          {wire::SegmentType::Sequence, {65010, 7}}};
    a.med = 10;
    auto b = plain();
    b.as_path = path({65010, 8});
    b.med = 20;
    Candidate ca = f.base_candidate(a);
    CHECK(ca.neighbour_as == 65010U);
    Candidate cb = f.base_candidate(b);
    cb.ebgp = true;
    check_pair(ca, cb, DecisionStep::Med);
  }
  SECTION("eBGP over iBGP") {
    Candidate a = ref;
    a.ebgp = true;
    a.igp_cost = 50;  // worse IGP cost must not matter
    check_pair(a, ref, DecisionStep::EbgpOverIbgp);
  }
  SECTION("lower IGP cost") {
    Candidate a = ref;
    a.igp_cost = 1;
    Candidate b = ref;
    b.igp_cost = 2;
    b.router_id = 1;
    check_pair(a, b, DecisionStep::IgpCost);
  }
  SECTION("lower router id, ORIGINATOR_ID in its place") {
    Candidate a = ref;
    a.router_id = 5;
    a.peer_address = ip("10.0.0.200");
    check_pair(a, ref, DecisionStep::RouterId);
    auto reflected = plain();
    reflected.originator_id = 3;
    Candidate r = f.base_candidate(reflected);
    r.router_id = 500;  // the reflector's id is higher; ORIGINATOR_ID 3 counts
    check_pair(r, a, DecisionStep::RouterId);
  }
  SECTION("shorter CLUSTER_LIST") {
    auto a = plain();
    a.cluster_list = {1};
    auto b = plain();
    b.cluster_list = {1, 2};
    Candidate ca = f.base_candidate(a);
    ca.peer_address = ip("10.0.0.250");
    check_pair(ca, f.base_candidate(b), DecisionStep::ClusterListLength);
  }
  SECTION("lower neighbour address") {
    Candidate a = ref;
    a.peer_address = ip("10.0.0.1");
    check_pair(a, ref, DecisionStep::NeighbourAddress);
  }
  SECTION("identical candidates are equal") {
    CHECK(rib::compare(ref, ref, {}).step == DecisionStep::Equal);
  }
}

TEST_CASE("MED-tricky sets pick the same winner in every insertion order", "[rib][decision]") {
  Fixture f;
  // Classic non-transitive trio: A and C share neighbour AS 100, B is from AS 200.
  //  A (AS100, MED 10, iBGP, router id 3) beats C on MED.
  //  C (AS100, MED 20, eBGP) beats B on eBGP-over-iBGP (MED not compared across ASes).
  //  B (AS200, MED 0, iBGP, router id 1) beats A on router id.
  // Deterministic grouping: A wins AS100; A vs B -> B (router id). Winner: B.
  auto mk = [&](std::uint32_t nas, std::uint32_t med, bool ebgp, std::uint32_t rid,
                const char* addr) {
    auto a = plain();
    a.as_path = path({nas, 9});
    a.med = med;
    Candidate c = f.base_candidate(a);
    c.ebgp = ebgp;
    c.router_id = rid;
    c.peer_address = ip(addr);
    return c;
  };
  std::vector<Candidate> set{mk(100, 10, false, 3, "10.0.0.3"), mk(200, 0, false, 1, "10.0.0.1"),
                             mk(100, 20, true, 4, "10.0.0.4"), mk(300, 5, false, 2, "10.0.0.2")};
  // Expected: group winners A (AS100), B (AS200), D (AS300); among them lowest router id B.
  const auto expected_addr = ip("10.0.0.1");
  std::vector<std::size_t> order(set.size());
  std::iota(order.begin(), order.end(), 0);
  int permutations = 0;
  do {
    std::vector<Candidate> v;
    for (auto i : order) v.push_back(set[i]);
    const auto best = rib::select_best(v, {});
    REQUIRE(best != rib::Selection::kNone);
    CHECK(v[best].peer_address == expected_addr);
    const auto sel = rib::select(v, {});
    CHECK(sel.best == best);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(permutations == 24);
  // Pairwise preference really is cyclic here (so a naive scan would be order dependent).
  CHECK(rib::compare(set[0], set[2], {}).first_wins);
  CHECK(rib::compare(set[2], set[1], {}).first_wins);
  CHECK(rib::compare(set[1], set[0], {}).first_wins);
}

TEST_CASE("select explains each loser against the path that removed it", "[rib][decision]") {
  Fixture f;
  auto a = plain();
  a.as_path = path({100, 9});
  a.med = 10;
  auto c = plain();
  c.as_path = path({100, 9});
  c.med = 20;
  Candidate ca = f.base_candidate(a);
  ca.router_id = 3;
  Candidate cc = f.base_candidate(c);
  cc.router_id = 4;
  cc.ebgp = true;
  cc.peer_address = ip("10.0.0.4");
  auto b = plain();
  b.as_path = path({200, 9});
  Candidate cb = f.base_candidate(b);
  cb.router_id = 1;
  cb.peer_address = ip("10.0.0.1");
  std::vector<Candidate> v{ca, cb, cc};
  const auto s = rib::select(v, {});
  REQUIRE(s.best == 1);
  CHECK(s.lost_to[0] == 1);
  CHECK(s.step[0] == DecisionStep::RouterId);
  CHECK(s.lost_to[2] == 0);  // C was removed by A within AS 100, on MED
  CHECK(s.step[2] == DecisionStep::Med);
}

TEST_CASE("ECMP set: equal up to router id, same neighbour AS unless relaxed", "[rib][decision]") {
  Fixture f;
  Candidate a = f.base_candidate(plain());
  Candidate b = a;
  b.router_id = 20;
  b.peer_address = ip("10.0.0.20");
  Candidate worse = a;
  worse.igp_cost = 5;
  worse.router_id = 30;
  rib::DecisionOptions o;
  o.max_paths = 4;
  auto s = rib::select(std::vector<Candidate>{a, b, worse}, o);
  CHECK(s.ecmp == std::vector<std::uint32_t>{0, 1});
  auto other_as = plain();
  other_as.as_path = path({65099, 65020});
  Candidate c = f.base_candidate(other_as);
  c.router_id = 40;
  CHECK_FALSE(rib::ecmp_equal(a, c, o));
  o.multipath_relax = true;
  CHECK(rib::ecmp_equal(a, c, o));
  o.max_paths = 1;
  CHECK(rib::select(std::vector<Candidate>{a, b}, o).ecmp.size() == 1);
}
