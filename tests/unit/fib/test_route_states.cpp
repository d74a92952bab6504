// RouteStates: the engine's flat per-prefix table (probing, deletion, walks that erase, memory
// given back) and the engine's memory across a full install and withdrawal.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "engine_fixture.hpp"
#include "nvabgpd/fib/route_states.hpp"

namespace nvabgpd::fib::test {
namespace {

base::Prefix v4(std::uint32_t i, unsigned len = 24) {
  return base::Prefix::make(base::IpAddress::v4((20U << 24) + (i << 8)), len);
}
base::Prefix v6(std::uint32_t i) {
  std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  b[4] = static_cast<std::uint8_t>(i >> 16);
  b[5] = static_cast<std::uint8_t>(i >> 8);
  b[6] = static_cast<std::uint8_t>(i);
  return base::Prefix::make(base::IpAddress::v6(b), 48);
}

}  // namespace

TEST_CASE("RouteStates agrees with a map through random inserts and erasures") {
  RouteStates t;
  std::map<base::Prefix, std::uint32_t> ref;
  std::mt19937 rng(7);
  for (int step = 0; step < 200000; ++step) {
    const std::uint32_t i = rng() % 5000;
    const base::Prefix p = (i % 3 == 0) ? v6(i) : v4(i, 16 + i % 17);
    if (rng() % 3 != 0) {
      t.get_or_insert(p).wanted = i + 1;
      ref[p] = i + 1;
    } else {
      if (RouteState* s = t.find(p)) s->wanted = 0;
      t.erase_if_empty(p);
      ref.erase(p);
    }
  }
  REQUIRE(t.size() == ref.size());
  for (const auto& [p, w] : ref) {
    const RouteState* s = t.find(p);
    REQUIRE(s != nullptr);
    CHECK(s->wanted == w);
  }
  std::size_t walked = 0;
  t.for_each([&](const base::Prefix& p, RouteState& s) {
    ++walked;
    CHECK(ref.at(p) == s.wanted);
  });
  CHECK(walked == ref.size());
}

TEST_CASE("RouteStates: erasing during a walk is deferred, then the table shrinks to nothing") {
  RouteStates t;
  for (std::uint32_t i = 0; i < 10000; ++i) t.get_or_insert(v4(i)).installed = 1;
  t.get_or_insert(v6(1)).installed = 1;
  CHECK(t.capacity() >= 10001);
  std::size_t walked = 0;
  t.for_each([&](const base::Prefix& p, RouteState& s) {
    ++walked;
    s.installed = 0;
    t.erase_if_empty(p);
    CHECK(t.find(p) != nullptr);  // still there until the walk ends
  });
  CHECK(walked == 10001);
  CHECK(t.size() == 0);
  CHECK(t.bytes() == 0);
}

TEST_CASE("the engine gives its per-prefix memory back after a full withdrawal") {
  Fixture f(8, 2048);
  constexpr std::uint32_t kRoutes = 50000;
  FibBatch add;
  add.next_hop_sets.push_back({ip("10.1.0.4"), ip("192.168.0.2")});
  FibBatch del;
  for (std::uint32_t i = 0; i < kRoutes; ++i) {
    add.deltas.push_back({v4(i), 1});
    del.deltas.push_back({v4(i), 0});
  }
  f.engine.apply(add);
  REQUIRE(f.engine.installed_count() == kRoutes);
  REQUIRE(f.kernel.routes.size() == kRoutes);
  // 16-byte slots at 50-80 % load: no node, vector or hash entry per route.
  CHECK(f.engine.state_bytes() <= kRoutes * 32);
  CHECK(f.kernel.find(v4(7))->nexthops == std::vector{knh("10.1.1.1", 2), knh("192.168.0.2", 3)});
  CHECK(f.engine.installed(v4(7))->nexthops == f.kernel.find(v4(7))->nexthops);
  CHECK(f.engine.wanted_next_hops().size() == 2);
  f.engine.apply(del);
  CHECK(f.kernel.routes.empty());
  CHECK(f.engine.installed_count() == 0);
  CHECK(f.engine.wanted_count() == 0);
  CHECK(f.engine.state_bytes() == 0);
  CHECK(f.engine.wanted_next_hops().empty());
}

}  // namespace nvabgpd::fib::test

namespace nvabgpd::fib::test {

TEST_CASE(
    "deferred withdrawals reach the kernel highest prefix first; a re-announcement keeps "
    "the route") {
  IgpTable igp{254};
  igp.set_link(2, true);
  igp.upsert(
      IgpRoute{pfx("10.1.1.0/24"), 254, 2, IgpRouteType::Unicast, 0, {{std::nullopt, 2, false}}});
  FakeKernel kernel;
  FibEngineConfig cfg;
  cfg.table = 254;
  cfg.metric = 20;
  cfg.batch_size = 4;
  cfg.defer_withdrawals = true;
  FibEngine engine(cfg, kernel, igp);
  FibBatch add;
  add.next_hop_sets.push_back({ip("10.1.1.9")});
  for (std::uint32_t i = 0; i < 10; ++i)
    add.deltas.push_back({base::Prefix::make(base::IpAddress::v4((20U << 24) + (i << 8)), 24), 1});
  engine.apply(add);
  REQUIRE(kernel.routes.size() == 10);
  FibBatch del;
  for (const auto& d : add.deltas) del.deltas.push_back({d.prefix, 0});
  engine.apply(del);
  CHECK(kernel.routes.size() == 10);  // waiting for the pass to end
  CHECK(engine.installed_count() == 10);
  // 20.0.3.0/24 comes back before the pass ends: it stays, with no kernel op.
  FibBatch again;
  again.next_hop_sets.push_back({ip("10.1.1.9")});
  again.deltas.push_back({del.deltas[3].prefix, 1});
  engine.apply(again);
  kernel.log.clear();
  engine.flush_withdrawals();
  REQUIRE(kernel.log.size() == 9);
  for (std::size_t i = 1; i < kernel.log.size(); ++i) {
    CHECK(kernel.log[i].kind == KernelOp::Kind::Delete);
    CHECK(kernel.log[i - 1].route.prefix > kernel.log[i].route.prefix);
  }
  CHECK(kernel.routes.size() == 1);
  CHECK(kernel.find(del.deltas[3].prefix) != nullptr);
  CHECK(engine.installed_count() == 1);
  CHECK(engine.wanted_count() == 1);
}

}  // namespace nvabgpd::fib::test
