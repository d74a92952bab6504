#include <catch2/catch.hpp>

#include "helpers.hpp"

#include "engine_fixture.hpp"
#include "nvabgpd/fib/fib_engine.hpp"

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;
using namespace nvabgpd::fib;
using nvabgpd::fib::test::FakeKernel;
using nvabgpd::fib::test::Fixture;
using nvabgpd::fib::test::ip;
using nvabgpd::fib::test::knh;
using nvabgpd::fib::test::pfx;

TEST_CASE("install, replace and withdraw reach the kernel") {
  Fixture f;
  f.install("1.2.3.0/24", {ip("192.168.0.2")});
  const auto* r = f.kernel.find(pfx("1.2.3.0/24"));
  REQUIRE(r);
  CHECK(r->nexthops == std::vector{knh("192.168.0.2", 3)});
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  r = f.kernel.find(pfx("1.2.3.0/24"));
  REQUIRE(r);
  CHECK(r->nexthops == std::vector{knh("10.1.1.1", 2)});
  f.withdraw("1.2.3.0/24");
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
  CHECK(f.engine.installed_count() == 0);
  CHECK(f.engine.stats().replaced == 2);
  CHECK(f.engine.stats().deleted == 1);
}

TEST_CASE("an unchanged install sends nothing to the kernel") {
  Fixture f;
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  const auto ops = f.kernel.log.size();
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  // A different BGP next hop resolving to the same gateway and device changes nothing either.
  f.install("1.2.3.0/24", {ip("10.1.0.5")});
  CHECK(f.kernel.log.size() == ops);
}

TEST_CASE("a BGP route covering the route server's address does not capture its next hop") {
  Fixture f;
  // 10.1.0.0/20 learned via 10.1.0.4, which lies inside it: resolution ignores our routes.
  f.install("10.1.0.0/20", {ip("10.1.0.4")});
  f.install("10.1.16.0/24", {ip("10.1.0.4"), ip("10.1.0.5")});
  REQUIRE(f.kernel.find(pfx("10.1.0.0/20")));
  CHECK(f.kernel.find(pfx("10.1.0.0/20"))->nexthops == std::vector{knh("10.1.1.1", 2)});
  CHECK(f.kernel.find(pfx("10.1.16.0/24"))->nexthops == std::vector{knh("10.1.1.1", 2)});
}

TEST_CASE("ECMP: distinct resolved next hops form one multipath route, capped at max_paths") {
  Fixture f(2);
  f.install("1.2.3.0/24", {ip("192.168.0.3"), ip("192.168.0.2"), ip("192.168.0.4")});
  const auto* r = f.kernel.find(pfx("1.2.3.0/24"));
  REQUIRE(r);
  CHECK(r->nexthops == std::vector{knh("192.168.0.2", 3), knh("192.168.0.3", 3)});
  Fixture g(1);
  g.install("1.2.3.0/24", {ip("192.168.0.3"), ip("192.168.0.2")});
  CHECK(g.kernel.find(pfx("1.2.3.0/24"))->nexthops.size() == 1);
}

TEST_CASE("unresolvable next hops: not installed until the IGP can reach them") {
  Fixture f;
  f.igp.remove(pfx("0.0.0.0/0"), 254, 100);
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
  CHECK(f.engine.stats().unresolved == 1);
  f.igp.upsert(
      IgpRoute{pfx("10.1.0.0/24"), 254, 4, IgpRouteType::Unicast, 0, {{ip("10.1.1.1"), 2, false}}});
  std::vector<IpAddress> changed{ip("10.1.0.4")};
  f.engine.reresolve(changed);
  REQUIRE(f.kernel.find(pfx("1.2.3.0/24")));
  // The gateway's link goes down: the only path is gone, so is the route.
  f.igp.set_link(2, false);
  f.engine.reresolve(changed);
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
}

TEST_CASE("re-resolution moves a route to the new gateway and drops dead ECMP legs") {
  Fixture f;
  f.install("1.2.3.0/24", {ip("10.1.0.4"), ip("192.168.0.2")});
  REQUIRE(f.kernel.find(pfx("1.2.3.0/24"))->nexthops.size() == 2);
  f.igp.upsert(IgpRoute{
      pfx("10.1.0.0/24"), 254, 4, IgpRouteType::Unicast, 0, {{ip("10.1.1.254"), 2, false}}});
  std::vector<IpAddress> changed{ip("10.1.0.4")};
  f.engine.reresolve(changed);
  CHECK(f.kernel.find(pfx("1.2.3.0/24"))->nexthops ==
        std::vector{knh("10.1.1.254", 2), knh("192.168.0.2", 3)});
  // Without a default route to fall back on, a down link drops its leg.
  f.igp.remove(pfx("0.0.0.0/0"), 254, 100);
  f.igp.set_link(3, false);
  std::vector<IpAddress> changed2{ip("192.168.0.2")};
  f.engine.reresolve(changed2);
  CHECK(f.kernel.find(pfx("1.2.3.0/24"))->nexthops == std::vector{knh("10.1.1.254", 2)});
}

TEST_CASE("a route refused for a foreign key collision is installed once that route goes") {
  Fixture f;
  f.igp.upsert(
      IgpRoute{pfx("1.2.3.0/24"), 254, 4, IgpRouteType::Unicast, 20, {{ip("10.1.1.1"), 2, false}}});
  f.install("1.2.3.0/24", {ip("192.168.0.2")});
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
  f.igp.remove(pfx("1.2.3.0/24"), 254, 20);
  std::vector<IpAddress> none;
  f.engine.reresolve(none);
  CHECK(f.kernel.find(pfx("1.2.3.0/24")));
}

TEST_CASE("a route with the key of another protocol's route is never installed") {
  Fixture f;
  f.igp.upsert(
      IgpRoute{pfx("1.2.3.0/24"), 254, 4, IgpRouteType::Unicast, 20, {{ip("10.1.1.1"), 2, false}}});
  f.install("1.2.3.0/24", {ip("192.168.0.2")});
  CHECK(f.kernel.log.empty());
  CHECK(f.engine.stats().refused_foreign == 1);
}

TEST_CASE("adopted routes: identical kept, different replaced, unwanted removed at convergence") {
  Fixture f;
  KernelRoute same{pfx("1.1.1.0/24"), 20, {knh("10.1.1.1", 2)}};
  KernelRoute differs{pfx("2.2.2.0/24"), 20, {knh("10.1.1.1", 2)}};
  KernelRoute unwanted{pfx("3.3.3.0/24"), 20, {knh("10.1.1.1", 2)}};
  KernelRoute withdrawn{pfx("4.4.4.0/24"), 20, {knh("10.1.1.1", 2)}};
  KernelRoute old_metric{pfx("5.5.5.0/24"), 30, {knh("10.1.1.1", 2)}};
  for (const auto& r : {same, differs, unwanted, withdrawn, old_metric}) {
    f.kernel.routes[{r.prefix, r.metric}] = r;
  }
  f.engine.adopt({same, differs, unwanted, withdrawn, old_metric});
  CHECK(f.engine.stats().adopted == 5);
  f.install("1.1.1.0/24", {ip("10.1.0.4")});
  f.install("2.2.2.0/24", {ip("192.168.0.2")});
  f.install("5.5.5.0/24", {ip("10.1.0.4")});
  f.withdraw("4.4.4.0/24");
  CHECK(f.engine.stats().kept_adopted == 1);
  CHECK(f.kernel.find(pfx("2.2.2.0/24"))->nexthops == std::vector{knh("192.168.0.2", 3)});
  for (const auto& op : f.kernel.log) {  // re-learned: replaced in place, never delete-then-add
    if (op.route.prefix == pfx("2.2.2.0/24") || op.route.prefix == pfx("1.1.1.0/24"))
      CHECK(op.kind == KernelOp::Kind::Replace);
  }
  CHECK(f.kernel.find(pfx("4.4.4.0/24")) == nullptr);
  CHECK(f.kernel.find(pfx("5.5.5.0/24"), 30) == nullptr);
  CHECK(f.kernel.find(pfx("5.5.5.0/24"), 20));
  // Not yet converged: the unwanted route still forwards.
  CHECK(f.kernel.find(pfx("3.3.3.0/24")));
  f.engine.converge();
  CHECK(f.kernel.find(pfx("3.3.3.0/24")) == nullptr);
  CHECK(f.kernel.find(pfx("1.1.1.0/24")));
  CHECK(f.engine.stats().stale_removed == 1);
  CHECK(f.kernel.routes.size() == 3);
}

TEST_CASE("shutdown removes our routes unless persist") {
  Fixture f;
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  f.install("1.2.4.0/24", {ip("10.1.0.4")});
  f.engine.shutdown(true);
  CHECK(f.kernel.routes.size() == 2);
  f.engine.shutdown(false);
  CHECK(f.kernel.routes.empty());
}

TEST_CASE("a refused replace removes the old route and is retried on the next IGP change") {
  Fixture f;
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  f.kernel.fail[pfx("1.2.3.0/24")] = 101;  // ENETUNREACH
  f.install("1.2.3.0/24", {ip("192.168.0.2")});
  CHECK(f.engine.stats().kernel_errors >= 1);
  f.kernel.fail.clear();
  // The follow-up delete failed too (still refused then): try again now.
  std::vector<IpAddress> none;
  f.engine.reresolve(none);
  REQUIRE(f.kernel.find(pfx("1.2.3.0/24")));
  CHECK(f.kernel.find(pfx("1.2.3.0/24"))->nexthops == std::vector{knh("192.168.0.2", 3)});
}

TEST_CASE("resync reinstalls routes the kernel lost and removes strays after convergence") {
  Fixture f;
  f.engine.converge();
  f.install("1.2.3.0/24", {ip("10.1.0.4")});
  f.install("1.2.4.0/24", {ip("10.1.0.4")});
  f.kernel.routes.erase({pfx("1.2.3.0/24"), 20});  // flushed with a link, silently
  KernelRoute stray{pfx("9.9.9.0/24"), 20, {knh("10.1.1.1", 2)}};
  f.kernel.routes[{stray.prefix, 20}] = stray;
  std::vector<KernelRoute> now;
  for (const auto& [k, r] : f.kernel.routes) now.push_back(r);
  f.engine.resync(now);
  CHECK(f.kernel.find(pfx("1.2.3.0/24")));
  CHECK(f.kernel.find(pfx("1.2.4.0/24")));
  CHECK(f.kernel.find(pfx("9.9.9.0/24")) == nullptr);
}

TEST_CASE("a batch is applied in order: the net effect per prefix reaches the kernel") {
  Fixture f(8, 1000);
  std::vector<FibDelta> batch{FibDelta::install(pfx("1.2.3.0/24"), {ip("10.1.0.4")}),
                              FibDelta::withdraw(pfx("1.2.3.0/24")),
                              FibDelta::install(pfx("1.2.4.0/24"), {ip("10.1.0.4")}),
                              FibDelta::install(pfx("1.2.4.0/24"), {ip("192.168.0.2")}),
                              FibDelta::withdraw(pfx("7.7.7.0/24"))};
  f.engine.apply(batch);
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
  CHECK(f.kernel.find(pfx("1.2.4.0/24"))->nexthops == std::vector{knh("192.168.0.2", 3)});
  CHECK(f.engine.installed_count() == 1);
  CHECK(f.engine.wanted_next_hops() == std::vector{ip("192.168.0.2")});
}

TEST_CASE("large batches are split into port calls of batch_size") {
  Fixture f(8, 4);
  std::vector<FibDelta> batch;
  for (unsigned i = 0; i < 10; ++i) {
    batch.push_back(FibDelta::install(Prefix::make(IpAddress::v4(0x01000000U + (i << 8)), 24),
                                      {ip("10.1.0.4")}));
  }
  f.engine.apply(batch);
  CHECK(f.kernel.calls == 3);
  CHECK(f.kernel.routes.size() == 10);
}

TEST_CASE("IPv6 routes resolve through IPv6 routes only") {
  Fixture f;
  f.igp.upsert(IgpRoute{
      pfx("2001:db8:1::/64"), 254, 2, IgpRouteType::Unicast, 256, {{std::nullopt, 2, false}}});
  f.install("2001:db8:100::/48", {ip("2001:db8:1::5"), ip("10.1.0.4")});
  const auto* r = f.kernel.find(pfx("2001:db8:100::/48"));
  REQUIRE(r);
  CHECK(r->nexthops == std::vector{knh("2001:db8:1::5", 2)});
}

TEST_CASE("FibBatch: shared next-hop sets, index 0 or out of range withdraws") {
  Fixture f;
  FibBatch b;
  b.next_hop_sets.push_back({ip("10.1.0.4"), ip("192.168.0.2")});
  b.next_hop_sets.push_back({ip("192.168.0.3")});
  b.deltas = {{pfx("1.2.3.0/24"), 1},
              {pfx("1.2.4.0/24"), 1},
              {pfx("1.2.5.0/24"), 2},
              {pfx("1.2.6.0/24"), 2}};
  f.engine.apply(b);
  CHECK(f.kernel.routes.size() == 4);
  CHECK(f.kernel.find(pfx("1.2.4.0/24"))->nexthops ==
        std::vector{knh("10.1.1.1", 2), knh("192.168.0.2", 3)});
  CHECK(f.kernel.find(pfx("1.2.5.0/24"))->nexthops == std::vector{knh("192.168.0.3", 3)});
  FibBatch w;
  w.deltas = {{pfx("1.2.3.0/24"), 0}, {pfx("1.2.5.0/24"), 7}};
  f.engine.apply(w);
  CHECK(f.kernel.find(pfx("1.2.3.0/24")) == nullptr);
  CHECK(f.kernel.find(pfx("1.2.5.0/24")) == nullptr);
  CHECK(f.kernel.routes.size() == 2);
}

namespace {
// 10.x.y.0/24 for i in [0, n): distinct prefixes beyond any batch size.
Prefix nth_prefix(std::uint32_t i) {
  return Prefix::make(IpAddress::v4((10u << 24) | (i << 8)), 24);
}
}  // namespace

TEST_CASE("tables larger than a batch: converge and shutdown walk every route exactly once") {
  // Regression: converge() and shutdown() walked installed_ while queue() flushed every
  // batch_size ops and flush() erased from installed_ (crash above 2,048 kernel routes).
  const std::size_t batch = GENERATE(4, 2048);
  constexpr std::uint32_t kRoutes = 10'000;
  Fixture f(8, batch);
  std::vector<KernelRoute> leftover;
  for (std::uint32_t i = 0; i < kRoutes; ++i) {
    KernelRoute r{nth_prefix(i), 20, {knh("10.1.1.1", 2)}};
    f.kernel.routes[{r.prefix, r.metric}] = r;
    leftover.push_back(r);
  }
  f.engine.adopt(leftover);
  REQUIRE(f.engine.stats().adopted == kRoutes);
  // The RIB re-learns every even route, with the same forwarding.
  std::vector<FibDelta> relearned;
  for (std::uint32_t i = 0; i < kRoutes; i += 2) {
    relearned.push_back(FibDelta::install(nth_prefix(i), {ip("10.1.0.4")}));
  }
  f.engine.apply(relearned);
  CHECK(f.engine.stats().kept_adopted == kRoutes / 2);
  CHECK(f.kernel.routes.size() == kRoutes);  // nothing swept before convergence
  f.engine.converge();
  CHECK(f.engine.stats().stale_removed == kRoutes / 2);
  CHECK(f.kernel.routes.size() == kRoutes / 2);
  CHECK(f.engine.installed_count() == kRoutes / 2);
  for (std::uint32_t i = 0; i < kRoutes; ++i) {
    CHECK((f.kernel.find(nth_prefix(i)) != nullptr) == (i % 2 == 0));
  }
  f.engine.shutdown(false);
  CHECK(f.kernel.routes.empty());
  CHECK(f.engine.installed_count() == 0);
}
