// Rib::remove_peer: a peer gone from the configuration leaves nothing behind.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

std::vector<base::Prefix> many(int n, int base_octet) {
  std::vector<base::Prefix> v;
  for (int i = 0; i < n; ++i)
    v.push_back(base::Prefix::make(
        base::IpAddress::v4((10U << 24) | (static_cast<std::uint32_t>(base_octet) << 16) |
                            (static_cast<std::uint32_t>(i) << 8)),
        24));
  return v;
}

}  // namespace

TEST_CASE("remove_peer withdraws the peer's routes, re-decides and frees the peer",
          "[rib][peers]") {
  Harness h;
  auto a = peer(1, 65002, "10.1.0.2", 2);
  a.soft_reconfig_in = true;  // a pre-policy copy to free too
  h.up(a);
  h.up(peer(2, 65003, "10.1.0.3", 3));
  h.up(peer(3, 65004, "10.1.0.4", 4));
  h.in(announce(1, many(20, 1), attrs({65002}, "10.1.0.2")));
  h.in(announce(2, many(20, 1), attrs({65003, 9, 9}, "10.1.0.3")));  // longer: loses to peer 1
  h.settle();
  REQUIRE(h.rib.routes(many(1, 1)[0]).front().peer == 1);
  REQUIRE(h.rib.peer_count() == 3);

  h.rib.remove_peer(1);
  h.settle();
  CHECK(h.rib.peer_count() == 2);
  CHECK_FALSE(h.rib.counters(1));
  CHECK_FALSE(h.rib.group_of(1));
  CHECK(h.rib.pre_policy_routes(1).empty());
  CHECK(h.rib.prefix_count() == 20);
  for (const auto& p : many(20, 1)) {
    const auto paths = h.rib.routes(p);
    REQUIRE(paths.size() == 1);
    CHECK(paths.front().peer == 2);
    CHECK(paths.front().best);
    // Peer 3 now holds peer 2's route.
    CHECK(h.views[3].routes.at(p).as_path == path({65001, 65003, 9, 9}));
  }
  // The same id again is a new peer: no routes, no counters carried over.
  h.up(peer(1, 65002, "10.1.0.2", 2));
  h.settle();
  REQUIRE(h.rib.counters(1));
  CHECK(h.rib.counters(1)->received == 0);
  CHECK(h.rib.counters(1)->accepted == 0);
  CHECK(h.views[1].routes.size() == 20);  // it gets the table like any new peer
}

TEST_CASE("remove_peer of a stale graceful-restart peer removes its stale routes", "[rib][peers]") {
  Harness h;
  auto a = peer(1, 65002, "10.1.0.2", 2);
  a.graceful_restart = true;
  h.up(a);
  h.up(peer(2, 65003, "10.1.0.3", 3));
  h.in(announce(1, many(10, 2), attrs({65002}, "10.1.0.2")));
  h.settle();
  h.rib.peer_down(rib::PeerDown{1, true}, h.now);  // helper mode: the routes stay, stale
  h.settle();
  REQUIRE(h.rib.prefix_count() == 10);
  REQUIRE(h.rib.next_deadline());
  h.rib.remove_peer(1);
  h.settle();
  CHECK(h.rib.prefix_count() == 0);
  CHECK(h.views[2].routes.empty());
  CHECK_FALSE(h.rib.next_deadline());  // no stale timer left for a peer that is gone
}

TEST_CASE("1,000 peers added and removed leave the RIB as it was", "[rib][peers]") {
  Harness h;
  h.up(peer(1, 65002, "10.1.0.2", 2));
  h.in(announce(1, many(5, 3), attrs({65002}, "10.1.0.2")));
  h.settle();
  const std::size_t groups = h.rib.group_count();
  for (int round = 0; round < 3; ++round) {
    for (PeerId id = 100; id < 1100; ++id) {
      auto p = peer(id, 64000 + id % 7, "10.2.0.1", id);
      h.up(p);
      if (id % 100 == 0)
        h.in(announce(id, many(3, 4 + static_cast<int>(id / 100)),
                      attrs({p.remote_asn}, "10.2.0.1")));
    }
    h.settle();
    CHECK(h.rib.peer_count() == 1001);
    for (PeerId id = 100; id < 1100; ++id) h.rib.remove_peer(id);
    h.settle();
    CHECK(h.rib.peer_count() == 1);
    CHECK(h.rib.prefix_count() == 5);
    CHECK(h.rib.group_count() == groups);
  }
}
