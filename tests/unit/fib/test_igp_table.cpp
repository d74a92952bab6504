#include <catch2/catch.hpp>

#include "helpers.hpp"

#include "nvabgpd/fib/igp_table.hpp"

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;
using namespace nvabgpd::fib;
using nvabgpd::fib::test::ip;
using nvabgpd::fib::test::pfx;

namespace {
IgpRoute connected(const char* p, int ifindex, std::uint32_t metric = 0) {
  return IgpRoute{pfx(p), 254, 2, IgpRouteType::Unicast, metric, {{std::nullopt, ifindex, false}}};
}
IgpRoute via(const char* p, const char* gw, int ifindex, std::uint32_t metric = 0,
             std::uint8_t proto = 4) {
  return IgpRoute{pfx(p), 254, proto, IgpRouteType::Unicast, metric, {{ip(gw), ifindex, false}}};
}
}  // namespace

TEST_CASE("next hop on a connected subnet resolves to itself") {
  IgpTable t(254);
  t.set_link(2, true);
  t.upsert(connected("10.1.1.0/24", 2));
  auto r = t.resolve(ip("10.1.1.7"));
  REQUIRE(r);
  CHECK(r->gateway == ip("10.1.1.7"));
  CHECK(r->ifindex == 2);
  CHECK_FALSE(t.resolve(ip("10.1.2.7")));
}

TEST_CASE("recursive next hop resolves through the covering route's gateway") {
  IgpTable t(254);
  t.set_link(2, true);
  t.upsert(connected("10.1.1.0/24", 2));
  t.upsert(via("0.0.0.0/0", "10.1.1.1", 2, 100, 16));  // dhcp default route
  auto r = t.resolve(ip("10.1.0.4"));
  REQUIRE(r);
  CHECK(r->gateway == ip("10.1.1.1"));
  CHECK(r->ifindex == 2);
  CHECK(r->igp_metric == 100);
}

TEST_CASE("longest prefix wins, then the lowest metric") {
  IgpTable t(254);
  t.set_link(2, true);
  t.set_link(3, true);
  t.upsert(via("10.0.0.0/8", "192.0.2.1", 2));
  t.upsert(via("10.1.0.0/16", "192.0.2.2", 2, 50));
  t.upsert(via("10.1.0.0/16", "192.0.2.3", 3, 10));
  auto r = t.resolve(ip("10.1.2.3"));
  REQUIRE(r);
  CHECK(r->gateway == ip("192.0.2.3"));
  t.remove(pfx("10.1.0.0/16"), 254, 10);
  CHECK(t.resolve(ip("10.1.2.3"))->gateway == ip("192.0.2.2"));
  t.remove(pfx("10.1.0.0/16"), 254, 50);
  CHECK(t.resolve(ip("10.1.2.3"))->gateway == ip("192.0.2.1"));
}

TEST_CASE("routes over a down link are skipped, falling back to a shorter prefix") {
  IgpTable t(254);
  t.set_link(2, true);
  t.set_link(3, true);
  t.upsert(via("10.1.0.0/16", "192.0.2.2", 3));
  t.upsert(via("0.0.0.0/0", "192.0.2.1", 2));
  CHECK(t.resolve(ip("10.1.0.4"))->ifindex == 3);
  t.set_link(3, false);
  CHECK(t.resolve(ip("10.1.0.4"))->ifindex == 2);
  t.remove_link(2);
  CHECK_FALSE(t.resolve(ip("10.1.0.4")));
}

TEST_CASE("a blackhole route makes the next hop unreachable") {
  IgpTable t(254);
  t.set_link(2, true);
  t.upsert(via("0.0.0.0/0", "192.0.2.1", 2));
  t.upsert(IgpRoute{pfx("10.9.0.0/16"), 254, 4, IgpRouteType::Blackhole, 0, {}});
  CHECK_FALSE(t.resolve(ip("10.9.1.1")));
  CHECK(t.resolve(ip("10.8.1.1")));
}

TEST_CASE("only the igp table is used for resolution, other tables only for collisions") {
  IgpTable t(254);
  t.set_link(2, true);
  auto r = via("10.0.0.0/8", "192.0.2.1", 2);
  r.table = 100;
  t.upsert(r);
  CHECK_FALSE(t.resolve(ip("10.1.1.1")));
  CHECK(t.has_route(pfx("10.0.0.0/8"), 100, 0));
  CHECK_FALSE(t.has_route(pfx("10.0.0.0/8"), 254, 0));
  t.remove(pfx("10.0.0.0/8"), 100, 0);
  CHECK(t.size() == 0);
}

TEST_CASE("IPv6 recursive resolution and cover") {
  IgpTable t(254);
  t.set_link(4, true);
  t.upsert(IgpRoute{
      pfx("2001:db8:1::/64"), 254, 2, IgpRouteType::Unicast, 256, {{std::nullopt, 4, false}}});
  t.upsert(IgpRoute{pfx("2001:db8:100::/48"),
                    254,
                    4,
                    IgpRouteType::Unicast,
                    1024,
                    {{ip("2001:db8:1::1"), 4, false}}});
  auto r = t.resolve(ip("2001:db8:100::5"));
  REQUIRE(r);
  CHECK(r->gateway == ip("2001:db8:1::1"));
  auto c = t.cover(ip("2001:db8:1::9"));
  REQUIRE(c);
  CHECK(c->len == 64);
  CHECK_FALSE(t.resolve(ip("10.0.0.1")));
}

TEST_CASE("dead next hops of a multipath route are skipped") {
  IgpTable t(254);
  t.set_link(2, true);
  t.set_link(3, true);
  t.upsert(IgpRoute{pfx("0.0.0.0/0"),
                    254,
                    4,
                    IgpRouteType::Unicast,
                    0,
                    {{ip("192.0.2.1"), 2, true}, {ip("198.51.100.1"), 3, false}}});
  auto r = t.resolve(ip("10.1.0.4"));
  REQUIRE(r);
  CHECK(r->gateway == ip("198.51.100.1"));
}

TEST_CASE("IPv6 link-local next hops are not resolved: the interface is ambiguous") {
  IgpTable t(254);
  t.set_link(2, true);
  t.set_link(3, true);
  t.upsert(
      IgpRoute{pfx("fe80::/64"), 254, 2, IgpRouteType::Unicast, 256, {{std::nullopt, 2, false}}});
  t.upsert(IgpRoute{pfx("::/0"), 254, 4, IgpRouteType::Unicast, 1024, {{ip("fe80::1"), 3, false}}});
  CHECK_FALSE(t.resolve(ip("fe80::5")));
  // A global next hop resolved via a link-local gateway is fine: the route names the device.
  auto r = t.resolve(ip("2001:db8::1"));
  REQUIRE(r);
  CHECK(r->gateway == ip("fe80::1"));
  CHECK(r->ifindex == 3);
}
