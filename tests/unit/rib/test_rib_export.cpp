// Export rules: eBGP/iBGP attribute handling, split horizon, route reflection, well-known
// communities, route-server clients, export filters, packing.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kEbgpIn = 1, kEbgpOut = 2, kIbgpA = 3, kIbgpB = 4, kClient1 = 5, kClient2 = 6;

rib::PeerUp ibgp(PeerId id, const char* addr, std::uint32_t rid, bool client = false) {
  auto p = peer(id, 65001, addr, rid);
  p.rr_client = client;
  return p;
}

}  // namespace

TEST_CASE("eBGP export: prepend, LOCAL_PREF removed, next hop self, MED not passed on",
          "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  h.up(peer(kEbgpOut, 65002, "192.168.0.2", 2));
  auto a = attrs({65515, 12076, 133937}, "10.1.0.4");
  a.med = 50;
  a.communities = {wire::Community::of(65515, 7)};
  h.in(announce(kEbgpIn, {pfx("1.2.3.0/24")}, a));
  h.settle();
  REQUIRE(h.has(kEbgpOut, "1.2.3.0/24"));
  const auto& s = h.sent(kEbgpOut, "1.2.3.0/24");
  CHECK(s.as_path == path({65001, 65515, 12076, 133937}));
  CHECK(s.next_hop == ip("192.0.2.1"));
  CHECK_FALSE(s.local_pref);
  CHECK_FALSE(s.med);
  CHECK(s.communities == a.communities);
  // Not sent back to the peer it came from.
  CHECK_FALSE(h.has(kEbgpIn, "1.2.3.0/24"));
  CHECK(h.rib.explain_export(pfx("1.2.3.0/24"), kEbgpIn).reason ==
        "best path was learned from this peer");
}

TEST_CASE("eBGP next-hop-unchanged and route-server clients (RFC 7947)", "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  auto keep = peer(kEbgpOut, 65002, "192.168.0.2", 2);
  keep.next_hop_unchanged = true;
  h.up(keep);
  auto rs = peer(7, 65003, "192.168.0.3", 3);
  rs.route_server_client = true;
  h.up(rs);
  auto a = attrs({65515}, "10.1.0.4");
  a.med = 9;
  h.in(announce(kEbgpIn, {pfx("10.1.16.0/24")}, a));
  h.settle();
  CHECK(h.sent(kEbgpOut, "10.1.16.0/24").next_hop == ip("10.1.0.4"));
  CHECK(h.sent(kEbgpOut, "10.1.16.0/24").as_path == path({65001, 65515}));
  const auto& r = h.sent(7, "10.1.16.0/24");
  CHECK(r.as_path == path({65515}));
  CHECK(r.next_hop == ip("10.1.0.4"));
  CHECK(r.med == 9U);
  CHECK(h.rib.group_count() == 3);
}

TEST_CASE("iBGP: split horizon, LOCAL_PREF set, next hop unchanged unless next-hop-self",
          "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  h.up(ibgp(kIbgpA, "10.0.0.3", 3));
  auto b = ibgp(kIbgpB, "10.0.0.4", 4);
  b.next_hop_self = true;
  h.up(b);
  h.up(peer(kEbgpOut, 65002, "192.168.0.2", 2));
  h.in(announce(kEbgpIn, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.in(announce(kIbgpA, {pfx("10.3.0.0/16")}, attrs({}, "10.0.0.3")));
  h.settle();
  const auto& to_a = h.sent(kIbgpA, "10.1.16.0/24");
  CHECK(to_a.as_path == path({65515}));
  CHECK(to_a.local_pref == 100U);
  CHECK(to_a.next_hop == ip("10.1.0.4"));
  CHECK(h.sent(kIbgpB, "10.1.16.0/24").next_hop == ip("192.0.2.1"));
  // iBGP-learned, no reflection: not to the other iBGP peer, but to eBGP.
  CHECK_FALSE(h.has(kIbgpB, "10.3.0.0/16"));
  CHECK(h.rib.explain_export(pfx("10.3.0.0/16"), kIbgpB).reason.find("iBGP split horizon") == 0);
  CHECK(h.sent(kEbgpOut, "10.3.0.0/16").as_path == path({65001}));
}

TEST_CASE("route reflection (RFC 4456): clients, non-clients, ORIGINATOR_ID, CLUSTER_LIST",
          "[rib][export][rr]") {
  auto cfg = config();
  cfg.cluster_id = 0x0A0A0A0A;
  Harness h(cfg);
  h.up(ibgp(kClient1, "10.0.0.5", 5, true));
  h.up(ibgp(kClient2, "10.0.0.6", 6, true));
  h.up(ibgp(kIbgpA, "10.0.0.3", 3));
  h.up(ibgp(kIbgpB, "10.0.0.4", 4));
  h.in(announce(kClient1, {pfx("10.5.0.0/16")}, attrs({}, "10.0.0.5")));
  h.in(announce(kIbgpA, {pfx("10.3.0.0/16")}, attrs({}, "10.0.0.3")));
  h.settle();
  // From a client: to the other client and to non-clients, with RR attributes.
  for (PeerId to : {kClient2, kIbgpA, kIbgpB}) {
    REQUIRE(h.has(to, "10.5.0.0/16"));
    CHECK(h.sent(to, "10.5.0.0/16").originator_id == 5U);
    CHECK(h.sent(to, "10.5.0.0/16").cluster_list == std::vector<std::uint32_t>{0x0A0A0A0A});
    CHECK(h.sent(to, "10.5.0.0/16").next_hop == ip("10.0.0.5"));
  }
  CHECK_FALSE(h.has(kClient1, "10.5.0.0/16"));
  // From a non-client: to clients only.
  CHECK(h.has(kClient1, "10.3.0.0/16"));
  CHECK(h.has(kClient2, "10.3.0.0/16"));
  CHECK_FALSE(h.has(kIbgpB, "10.3.0.0/16"));
  // An existing ORIGINATOR_ID is kept, the CLUSTER_LIST grows at the front.
  auto a = attrs({}, "10.0.0.9");
  a.originator_id = 99;
  a.cluster_list = {0x0B0B0B0B};
  h.in(announce(kClient1, {pfx("10.9.0.0/16")}, a));
  h.settle();
  CHECK(h.sent(kIbgpA, "10.9.0.0/16").originator_id == 99U);
  CHECK(h.sent(kIbgpA, "10.9.0.0/16").cluster_list ==
        std::vector<std::uint32_t>{0x0A0A0A0A, 0x0B0B0B0B});
}

TEST_CASE("well-known communities are honoured before the export filter", "[rib][export]") {
  struct AddNoAdvertise final : rib::RouteFilter {
    std::string name() const override { return "TO_RS"; }
    rib::FilterResult run(const base::Prefix&, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      auto m = a;
      m.communities.push_back(wire::kNoAdvertise);
      return {true, m, {}};
    }
  };
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  h.up(ibgp(kIbgpA, "10.0.0.3", 3));
  auto out = peer(kEbgpOut, 65002, "192.168.0.2", 2);
  out.export_filter = std::make_shared<AddNoAdvertise>();
  h.up(out);
  auto na = attrs({65515}, "10.1.0.4");
  na.communities = {wire::kNoAdvertise};
  auto ne = attrs({65515}, "10.1.0.4");
  ne.communities = {wire::kNoExport};
  auto nes = attrs({65515}, "10.1.0.4");
  nes.communities = {wire::kNoExportSubconfed};
  h.in(announce(kEbgpIn, {pfx("10.10.0.0/16")}, na));
  h.in(announce(kEbgpIn, {pfx("10.11.0.0/16")}, ne));
  h.in(announce(kEbgpIn, {pfx("10.12.0.0/16")}, nes));
  h.in(announce(kEbgpIn, {pfx("10.13.0.0/16")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  // NO_ADVERTISE: best in the Loc-RIB, sent to nobody.
  CHECK(h.rib.routes(pfx("10.10.0.0/16"))[0].best);
  CHECK_FALSE(h.has(kIbgpA, "10.10.0.0/16"));
  CHECK_FALSE(h.has(kEbgpOut, "10.10.0.0/16"));
  CHECK(h.rib.explain_export(pfx("10.10.0.0/16"), kIbgpA).reason == "NO_ADVERTISE community");
  // NO_EXPORT / NO_EXPORT_SUBCONFED: inside the AS only.
  CHECK(h.has(kIbgpA, "10.11.0.0/16"));
  CHECK_FALSE(h.has(kEbgpOut, "10.11.0.0/16"));
  CHECK(h.has(kIbgpA, "10.12.0.0/16"));
  CHECK_FALSE(h.has(kEbgpOut, "10.12.0.0/16"));
  // A filter adding NO_ADVERTISE does not stop the route toward that peer; it carries it.
  REQUIRE(h.has(kEbgpOut, "10.13.0.0/16"));
  const auto& c = h.sent(kEbgpOut, "10.13.0.0/16").communities;
  CHECK(std::find(c.begin(), c.end(), wire::kNoAdvertise) != c.end());
}

TEST_CASE("export filter none and a rejecting program", "[rib][export]") {
  struct OnlyShort final : rib::RouteFilter {
    std::string name() const override { return "TO_RS"; }
    rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      if (p.len() >= 30) return {false, std::nullopt, "no /30-/32 to a route server"};
      auto m = a;
      m.med = 77;  // set by our filter: kept toward eBGP
      return {true, m, {}};
    }
  };
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  auto none = peer(kEbgpOut, 65002, "192.168.0.2", 2);
  none.export_filter = rib::reject_all();
  h.up(none);
  auto rs = peer(7, 65515, "10.1.0.5", 7);
  rs.export_filter = std::make_shared<OnlyShort>();
  h.up(rs);
  h.in(announce(kEbgpIn, {pfx("10.1.1.0/30"), pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.views[kEbgpOut].routes.empty());
  CHECK(h.rib.explain_export(pfx("10.1.16.0/24"), kEbgpOut).reason ==
        "rejected by export filter none");
  CHECK_FALSE(h.has(7, "10.1.1.0/30"));
  CHECK(h.rib.explain_export(pfx("10.1.1.0/30"), 7).reason ==
        "rejected by export filter TO_RS: no /30-/32 to a route server");
  REQUIRE(h.has(7, "10.1.16.0/24"));
  CHECK(h.sent(7, "10.1.16.0/24").med == 77U);
  auto x = h.rib.explain_export(pfx("10.1.16.0/24"), 7);
  CHECK(x.exported);
  CHECK(x.adj_rib_out == x.attrs);
}

TEST_CASE("a MED the export filter assigned is sent to eBGP even when unchanged", "[rib][export]") {
  // BIRD: an eBGP peer receives a MED only if the export filter set it; setting the value the
  // route already had counts (a filter touching other attributes does not).
  struct SetMed final : rib::RouteFilter {
    bool assign;
    explicit SetMed(bool a) : assign(a) {}
    std::string name() const override { return "OUT"; }
    rib::FilterResult run(const base::Prefix&, const wire::PathAttributes& a,
                          const rib::FilterContext&) const override {
      auto m = a;
      m.communities.push_back(wire::Community::of(65001, 1));
      rib::FilterResult r{true, m, {}};
      r.med_assigned = assign;  // bgp_med = bgp_med;
      return r;
    }
  };
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  auto with = peer(kEbgpOut, 65002, "192.168.0.2", 2);
  with.export_filter = std::make_shared<SetMed>(true);
  h.up(with);
  auto without = peer(7, 65003, "192.168.0.3", 7);
  without.export_filter = std::make_shared<SetMed>(false);
  h.up(without);
  auto a = attrs({65515}, "10.1.0.4");
  a.med = 40;
  h.in(announce(kEbgpIn, {pfx("10.1.16.0/24")}, a));
  h.settle();
  REQUIRE(h.has(kEbgpOut, "10.1.16.0/24"));
  CHECK(h.sent(kEbgpOut, "10.1.16.0/24").med == 40U);
  REQUIRE(h.has(7, "10.1.16.0/24"));
  CHECK_FALSE(h.sent(7, "10.1.16.0/24").med);  // learned from another AS, not ours to pass on
}

TEST_CASE("locally originated routes are exported through the filters", "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpOut, 65515, "10.1.0.4", 2));
  h.up(ibgp(kIbgpA, "10.0.0.3", 3));
  wire::PathAttributes a;
  a.med = 10;
  h.rib.originate(pfx("10.1.0.0/16"), a);
  h.settle();
  const auto& s = h.sent(kEbgpOut, "10.1.0.0/16");
  CHECK(s.as_path == path({65001}));
  CHECK(s.next_hop == ip("192.0.2.1"));
  CHECK(s.med == 10U);  // our own MED is sent
  CHECK(h.sent(kIbgpA, "10.1.0.0/16").next_hop == ip("192.0.2.1"));
  CHECK(h.fib.empty());  // nothing to install for our own summary
  h.rib.withdraw_local(pfx("10.1.0.0/16"));
  h.settle();
  CHECK_FALSE(h.has(kEbgpOut, "10.1.0.0/16"));
  CHECK(h.rib.prefix_count() == 0);
}

TEST_CASE("update packing: one announce per attribute set, withdrawals batched", "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  h.up(peer(kEbgpOut, 65002, "192.168.0.2", 2));
  h.up(peer(8, 65003, "192.168.0.3", 8));  // same export settings: one update group for all three
  CHECK(h.rib.group_count() == 1);
  CHECK(h.rib.group_of(kEbgpOut) == h.rib.group_of(8));
  CHECK(h.rib.group_of(kEbgpIn) == h.rib.group_of(8));
  h.settle();
  h.batches.clear();
  h.in(announce(kEbgpIn, {pfx("10.0.1.0/24"), pfx("10.0.2.0/24"), pfx("10.0.3.0/24")},
                attrs({65515, 1}, "10.1.0.4")));
  h.in(announce(kEbgpIn, {pfx("10.0.4.0/24")}, attrs({65515, 2}, "10.1.0.4")));
  h.in(announce(kEbgpIn, {pfx("10.0.5.0/24")}, attrs({65515, 1}, "10.1.0.4")));
  h.settle();
  const rib::OutboundBatch* b = nullptr;
  for (const auto& x : h.batches)
    if (x.peers.size() == 3) b = &x;
  REQUIRE(b);
  REQUIRE(b->announce.size() == 2);
  CHECK(b->announce[0].except == kEbgpIn);  // the source is a member: excluded, once per UPDATE
  CHECK(b->announce[0].prefixes.size() == 4);
  CHECK(b->announce[1].prefixes.size() == 1);
  h.batches.clear();
  h.in(withdraw(kEbgpIn, {pfx("10.0.1.0/24"), pfx("10.0.2.0/24")}));
  h.in(withdraw(kEbgpIn, {pfx("10.0.4.0/24")}));
  h.settle();
  b = nullptr;
  for (const auto& x : h.batches)
    if (x.peers.size() == 3) b = &x;
  REQUIRE(b);
  CHECK(b->announce.empty());
  // In one list, and not to the source, which never had them.
  CHECK(b->withdraw.empty());
  REQUIRE(b->withdraw_except.size() == 1);
  CHECK(b->withdraw_except[0].peer == kEbgpIn);
  CHECK(b->withdraw_except[0].prefixes.size() == 3);
  // Announce then withdraw before the batch is taken: coalesced to nothing new.
  h.batches.clear();
  h.in(announce(kEbgpIn, {pfx("10.0.9.0/24")}, attrs({65515, 1}, "10.1.0.4")));
  h.rib.run(100);
  h.in(withdraw(kEbgpIn, {pfx("10.0.9.0/24")}));
  h.settle();
  for (const auto& x : h.batches)
    for (const auto& a : x.announce)
      CHECK(std::find(a.prefixes.begin(), a.prefixes.end(), pfx("10.0.9.0/24")) ==
            a.prefixes.end());
}

TEST_CASE("a member of the group that is the route's source gets it excluded and withdrawn",
          "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  h.up(peer(kEbgpOut, 65515, "10.1.0.5", 2));  // same group as kEbgpIn
  REQUIRE(h.rib.group_count() == 1);
  h.in(announce(kEbgpOut, {pfx("10.0.1.0/24")}, attrs({65515, 1, 2}, "10.1.0.5")));
  h.settle();
  CHECK(h.has(kEbgpIn, "10.0.1.0/24"));
  CHECK_FALSE(h.has(kEbgpOut, "10.0.1.0/24"));
  // kEbgpIn now offers a better path: kEbgpOut gets it, kEbgpIn gets a withdrawal.
  h.in(announce(kEbgpIn, {pfx("10.0.1.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK_FALSE(h.has(kEbgpIn, "10.0.1.0/24"));
  CHECK(h.has(kEbgpOut, "10.0.1.0/24"));
  CHECK(h.sent(kEbgpOut, "10.0.1.0/24").as_path == path({65001, 65515}));
}

TEST_CASE("best path moving between two members with identical exported attributes",
          "[rib][export]") {
  // Two Route Server instances in one group announce the same prefix; after next-hop-self
  // and prepending, what we export is identical. A flip of the best path must only swap
  // which of the two holds the route; a third member hears nothing.
  Harness h;
  h.up(peer(1, 65515, "10.1.0.4", 4));
  h.up(peer(2, 65515, "10.1.0.5", 5));
  h.up(peer(3, 65515, "10.1.0.6", 6));
  h.in(announce(1, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.4")));
  h.in(announce(2, {pfx("10.1.16.0/24")}, attrs({65515}, "10.1.0.5")));
  h.settle();
  CHECK_FALSE(h.has(1, "10.1.16.0/24"));
  CHECK(h.has(2, "10.1.16.0/24"));
  CHECK(h.has(3, "10.1.16.0/24"));
  const int third = h.views[3].announcements;
  h.in(withdraw(1, {pfx("10.1.16.0/24")}));
  h.settle();
  CHECK(h.has(1, "10.1.16.0/24"));
  CHECK_FALSE(h.has(2, "10.1.16.0/24"));
  CHECK(h.has(3, "10.1.16.0/24"));
  CHECK(h.views[3].announcements == third);
  CHECK(h.views[3].withdrawals == 0);
}

TEST_CASE("next-hop-self is filled in per peer, so different local addresses share a group",
          "[rib][export]") {
  Harness h;
  h.up(peer(kEbgpIn, 65515, "10.1.0.4", 1));
  auto a = peer(kEbgpOut, 65002, "192.168.0.2", 2);
  a.local_address = ip("192.168.0.1");
  auto b = peer(8, 65003, "172.16.0.2", 8);
  b.local_address = ip("172.16.0.1");
  h.up(a);
  h.up(b);
  CHECK(h.rib.group_of(kEbgpOut) == h.rib.group_of(8));
  h.in(announce(kEbgpIn, {pfx("1.2.3.0/24")}, attrs({65515}, "10.1.0.4")));
  h.settle();
  CHECK(h.sent(kEbgpOut, "1.2.3.0/24").next_hop == ip("192.168.0.1"));
  CHECK(h.sent(8, "1.2.3.0/24").next_hop == ip("172.16.0.1"));
  CHECK(rib::is_self_next_hop(h.rib.adj_rib_out(8, pfx("1.2.3.0/24"))->next_hop()->address()));
}
