// Outbound flow control and full-table bookkeeping: a group held while every member is
// congested, more pending changes than the pending list keeps, recycled interned values.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kIn = 1, kOutA = 2, kOutB = 3, kOutC = 4;

// Takes the outbound batches with the given peers congested and delivers them.
std::size_t take(Harness& h, std::vector<PeerId> congested) {
  while (h.rib.busy()) h.rib.run(1000);
  auto out = h.rib.take_outbound(h.now, [&](PeerId p) {
    return std::find(congested.begin(), congested.end(), p) != congested.end();
  });
  for (const auto& b : out) h.deliver(b);
  return out.size();
}

// n distinct /32s from 20.0.0.0 up.
std::vector<base::Prefix> hosts(std::uint32_t n) {
  std::vector<base::Prefix> v;
  for (std::uint32_t i = 0; i < n; ++i)
    v.push_back(base::Prefix::make(base::IpAddress::v4(0x14000000U + i), 32));
  return v;
}

}  // namespace

TEST_CASE("a group whose members are all congested is held and then sends only the net change",
          "[rib][flow]") {
  Harness h;
  h.up(peer(kIn, 65515, "10.1.0.4", 1));
  h.up(peer(kOutA, 65002, "192.168.0.2", 2));
  h.up(peer(kOutB, 65002, "192.168.0.3", 3));
  h.in(announce(kIn, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  // The source is a member too (its routes are not sent back to it).
  REQUIRE(h.rib.group_of(kIn) == h.rib.group_of(kOutA));
  REQUIRE(h.rib.group_of(kOutA) == h.rib.group_of(kOutB));
  REQUIRE(h.views[kOutA].announcements == 1);

  // Every member congested: nothing is taken; the changes coalesce.
  h.in(announce(kIn, {pfx("10.1.16.0/24"), pfx("10.1.17.0/24")}, attrs({65515, 1}, "10.1.0.4")));
  CHECK(take(h, {kIn, kOutA, kOutB}) == 0);
  h.in(announce(kIn, {pfx("10.1.16.0/24")}, attrs({65515, 2}, "10.1.0.4")));
  h.in(withdraw(kIn, {pfx("10.1.17.0/24")}));
  CHECK(take(h, {kIn, kOutA, kOutB}) == 0);
  CHECK(h.sent(kOutA, "10.1.16.0/24").as_path == path({65001, 65515}));

  // One member drained: the group goes again, with the latest state only.
  CHECK(take(h, {kIn, kOutB}) == 1);
  for (PeerId p : {kOutA, kOutB}) {
    CHECK(h.sent(p, "10.1.16.0/24").as_path == path({65001, 65515, 2}));
    CHECK_FALSE(h.has(p, "10.1.17.0/24"));
    CHECK(h.views[p].announcements == 2);
  }
}

TEST_CASE("a joining peer is not held back by congested members", "[rib][flow]") {
  Harness h;
  h.up(peer(kIn, 65515, "10.1.0.4", 1));
  h.up(peer(kOutA, 65002, "192.168.0.2", 2));
  h.in(announce(kIn, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  h.up(peer(kOutC, 65002, "192.168.0.4", 4));
  CHECK(take(h, {kIn, kOutA}) >= 1);
  CHECK(h.has(kOutC, "10.1.16.0/24"));
  CHECK(h.views[kOutC].eors == 1);
  CHECK(h.views[kOutA].announcements == 1);  // nothing re-sent to the congested member
}

TEST_CASE("more pending changes than the pending list keeps are all sent, once", "[rib][flow]") {
  Harness h;
  h.up(peer(kIn, 65515, "10.1.0.4", 1));
  h.up(peer(kOutA, 65002, "192.168.0.2", 2));
  h.settle();
  const std::uint32_t n = 70000;  // above the group's pending list limit (65536)
  const auto all = hosts(n);
  for (std::uint32_t i = 0; i < n; i += 1000)
    h.in(announce(kIn, {all.begin() + i, all.begin() + i + 1000},
                  attrs({65515, i / 1000}, "10.1.0.4")));
  // Held the whole time, then released: one batch from the pending bits.
  CHECK(take(h, {kIn, kOutA}) == 0);
  take(h, {});
  CHECK(h.views[kOutA].routes.size() == n);
  CHECK(h.views[kOutA].announcements == static_cast<int>(n));
  CHECK(h.sent(kOutA, "20.1.1.207/32").as_path == path({65001, 65515, 65}));  // host 65999

  for (std::uint32_t i = 0; i < n; i += 1000)
    h.in(withdraw(kIn, {all.begin() + i, all.begin() + i + 1000}));
  h.settle();
  CHECK(h.views[kOutA].routes.empty());
  CHECK(h.views[kOutA].withdrawals == static_cast<int>(n));
  CHECK(h.rib.prefix_count() == 0);
  CHECK(h.rib.adj_rib_out_size(kOutA) == 0);
}

TEST_CASE("interned values are recycled after release and stay intact", "[rib][attrs]") {
  rib::AttrStore store;
  std::vector<rib::AttrRef> keep;
  for (std::uint32_t round = 0; round < 3; ++round) {
    std::vector<rib::AttrRef> drop;
    for (std::uint32_t i = 0; i < 5000; ++i) {
      auto a = attrs({65000 + round, i, i + 1}, "10.0.0.1");
      a.communities = {wire::Community::of(65000, static_cast<std::uint16_t>(i))};
      (i % 2 ? drop : keep).push_back(store.intern(a));
    }
  }
  // Each round's odd half was released at the end of the round (its storage reused by the
  // next round); the kept half must be untouched by that.
  CHECK(store.attr_sets() == 7500);
  for (const auto& r : keep) {
    const auto w = rib::AttrStore::materialize(*r);
    REQUIRE(w.as_path.segments.size() == 1);
    const auto& asns = w.as_path.segments[0].asns;
    CHECK(asns[2] == asns[1] + 1);
    CHECK(w.communities.at(0) == wire::Community::of(65000, static_cast<std::uint16_t>(asns[1])));
  }
}
