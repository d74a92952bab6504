// Capture protection: pins for protected addresses (BGP peers, tunnel endpoints) that a more
// specific BGP route would otherwise pull onto another path. The fixture is the seed's NVA1:
// default route via 10.1.1.1 on eth0 (2), the VXLAN overlay 192.168.0.0/24 on ifindex 3.
#include <algorithm>

#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using nvabgpd::base::IpAddress;
using namespace nvabgpd::fib;
using nvabgpd::fib::test::Fixture;
using nvabgpd::fib::test::ip;
using nvabgpd::fib::test::knh;
using nvabgpd::fib::test::pfx;

namespace {
// Position of the last op of this kind for prefix p in the kernel's log (-1: none).
long last_op(const Fixture& f, const char* p, KernelOp::Kind kind) {
  long at = -1;
  for (std::size_t i = 0; i < f.kernel.log.size(); ++i) {
    if (f.kernel.log[i].route.prefix == pfx(p) && f.kernel.log[i].kind == kind)
      at = static_cast<long>(i);
  }
  return at;
}
constexpr auto kReplace = KernelOp::Kind::Replace;
constexpr auto kDelete = KernelOp::Kind::Delete;
const std::vector<IpAddress> kNoChange;
}  // namespace

TEST_CASE("a route capturing the tunnel endpoint is installed after pinning the endpoint") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  const auto* pin = f.kernel.find(pfx("10.2.1.4/32"));
  REQUIRE(pin);
  CHECK(pin->nexthops == std::vector{knh("10.1.1.1", 2)});
  REQUIRE(f.kernel.find(pfx("10.2.0.0/16")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16"))->nexthops == std::vector{knh("192.168.0.2", 3)});
  // The pin reaches the kernel before the route that would capture the endpoint.
  CHECK(last_op(f, "10.2.1.4/32", kReplace) < last_op(f, "10.2.0.0/16", kReplace));
  CHECK(f.engine.stats().pins_installed == 1);
  CHECK(f.engine.stats().refused_protected == 0);
  CHECK(f.engine.pin_count() == 1);
  CHECK(f.engine.installed_count() == 1);  // pins are not counted as BGP routes
  // A route covering nothing protected needs no pin.
  f.install("10.3.0.0/16", {ip("192.168.0.2")});
  CHECK(f.engine.pin_count() == 1);
}

TEST_CASE("a covering route that forwards the same way as the IGP is installed without a pin") {
  Fixture f;
  // The route server 10.1.0.4 is reached via 10.1.1.1 on eth0; 10.1.0.0/20 learned from it
  // resolves to exactly that: installing it changes nothing for 10.1.0.4.
  f.engine.set_protected({ip("10.1.0.4"), ip("10.1.0.5")});
  f.install("10.1.0.0/20", {ip("10.1.0.4")});
  REQUIRE(f.kernel.find(pfx("10.1.0.0/20")));
  CHECK(f.kernel.find(pfx("10.1.0.0/20"))->nexthops == std::vector{knh("10.1.1.1", 2)});
  CHECK(f.engine.pin_count() == 0);
  CHECK(f.kernel.routes.size() == 1);
  // An ECMP route with one leg elsewhere would move part of the traffic: both get pinned.
  f.install("10.1.0.0/20", {ip("10.1.0.4"), ip("192.168.0.2")});
  CHECK(f.engine.pin_count() == 2);
  CHECK(f.kernel.find(pfx("10.1.0.4/32"))->nexthops == std::vector{knh("10.1.1.1", 2)});
  CHECK(f.kernel.find(pfx("10.1.0.5/32"))->nexthops == std::vector{knh("10.1.1.1", 2)});
  // Back to the single same-path next hop: the pins go, after the route changed.
  f.install("10.1.0.0/20", {ip("10.1.0.4")});
  CHECK(f.engine.pin_count() == 0);
  CHECK(f.kernel.routes.size() == 1);
  CHECK(last_op(f, "10.1.0.0/20", kReplace) < last_op(f, "10.1.0.4/32", kDelete));
}

TEST_CASE("pin lifecycle: withdraw, more specific IGP route, unprotect") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  f.install("10.2.1.0/24", {ip("192.168.0.2")});  // a second user of the same pin
  REQUIRE(f.engine.pin_count() == 1);
  f.withdraw("10.2.0.0/16");
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));  // still needed by the /24
  f.withdraw("10.2.1.0/24");
  CHECK(f.kernel.find(pfx("10.2.1.4/32")) == nullptr);
  CHECK(f.engine.pin_count() == 0);
  // The pin leaves only after the last route that needed it.
  CHECK(last_op(f, "10.2.1.0/24", kDelete) < last_op(f, "10.2.1.4/32", kDelete));
  CHECK(f.engine.stats().pins_removed == 1);

  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  REQUIRE(f.kernel.find(pfx("10.2.1.4/32")));
  // A static /24 for the endpoint's subnet is more specific than the /16: no pin needed.
  f.igp.upsert(
      IgpRoute{pfx("10.2.1.0/24"), 254, 4, IgpRouteType::Unicast, 0, {{ip("10.1.1.1"), 2, false}}});
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.find(pfx("10.2.1.4/32")) == nullptr);
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
  f.igp.remove(pfx("10.2.1.0/24"), 254, 0);
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  // The address stops being protected: its pin goes, the route stays.
  f.engine.set_protected({});
  CHECK(f.kernel.find(pfx("10.2.1.4/32")) == nullptr);
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
  CHECK(f.engine.pin_count() == 0);
}

TEST_CASE("an IGP change of the pinned address moves the pin") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  f.igp.upsert(IgpRoute{
      pfx("0.0.0.0/0"), 254, 16, IgpRouteType::Unicast, 100, {{ip("10.1.1.254"), 2, false}}});
  f.engine.reresolve(kNoChange);
  REQUIRE(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.1.4/32"))->nexthops == std::vector{knh("10.1.1.254", 2)});
  CHECK(f.engine.pin(ip("10.2.1.4"))->nexthops == std::vector{knh("10.1.1.254", 2)});
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
}

TEST_CASE("a protected address without IGP resolution: the capturing route is refused") {
  Fixture f;
  f.igp.remove(pfx("0.0.0.0/0"), 254, 100);
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  CHECK(f.kernel.find(pfx("10.2.0.0/16")) == nullptr);
  CHECK(f.kernel.routes.empty());
  CHECK(f.engine.stats().refused_protected == 1);
  // Refusals are retried on IGP changes but not re-counted as kernel work.
  f.igp.upsert(IgpRoute{
      pfx("172.16.0.0/16"), 254, 4, IgpRouteType::Unicast, 0, {{ip("10.1.1.1"), 2, false}}});
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.log.empty());
  // The underlay comes back: pin and route are installed.
  f.igp.upsert(IgpRoute{
      pfx("0.0.0.0/0"), 254, 16, IgpRouteType::Unicast, 100, {{ip("10.1.1.1"), 2, false}}});
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
  // The underlay goes again: the pin cannot follow, so the route leaves too.
  f.igp.remove(pfx("0.0.0.0/0"), 254, 100);
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.routes.empty());
}

TEST_CASE("a BGP host route for the protected address itself is refused") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.1.4/32", {ip("192.168.0.2")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});  // cannot pin: the BGP /32 owns the key
  CHECK(f.kernel.routes.empty());
  CHECK(f.engine.stats().refused_protected >= 2);
  f.withdraw("10.2.1.4/32");
  f.engine.reresolve(kNoChange);  // refused routes are retried on the next IGP event
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
}

TEST_CASE("tunnel endpoints are protected like peers, in union with them") {
  Fixture f;
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  CHECK(f.engine.pin_count() == 0);
  f.engine.set_tunnel_endpoints({ip("10.2.1.4")});  // vxlan0 appeared
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  f.engine.set_protected({ip("10.2.1.4")});  // also a BGP peer
  f.engine.set_tunnel_endpoints({});         // vxlan0 deleted, the peer remains
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  f.engine.set_protected({});
  CHECK(f.kernel.find(pfx("10.2.1.4/32")) == nullptr);
  // A tunnel changed its remote: the old endpoint's pin goes, the new one is pinned.
  f.engine.set_tunnel_endpoints({ip("10.2.1.4")});
  f.engine.set_tunnel_endpoints({ip("10.2.1.5")});
  CHECK(f.kernel.find(pfx("10.2.1.4/32")) == nullptr);
  CHECK(f.kernel.find(pfx("10.2.1.5/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
}

TEST_CASE("restart: an adopted pin is kept when still needed, removed at convergence if not") {
  Fixture f;
  const KernelRoute pin{pfx("10.2.1.4/32"), 20, {knh("10.1.1.1", 2)}};
  const KernelRoute cover{pfx("10.2.0.0/16"), 20, {knh("192.168.0.2", 3)}};
  const KernelRoute old_pin{pfx("10.9.9.9/32"), 20, {knh("10.1.1.1", 2)}};
  for (const auto& r : {pin, cover, old_pin}) f.kernel.routes[{r.prefix, r.metric}] = r;
  f.engine.adopt({pin, cover, old_pin});
  f.engine.set_protected({ip("10.2.1.4"), ip("10.9.9.9")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  CHECK(f.kernel.log.empty());  // both identical: nothing to do
  CHECK(f.engine.pin_count() == 1);
  f.engine.converge();
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
  CHECK(f.kernel.find(pfx("10.9.9.9/32")) == nullptr);  // nothing captures 10.9.9.9 now
  CHECK(f.kernel.log.size() == 1);
}

TEST_CASE("restart: an adopted pin on an outdated path is corrected") {
  Fixture f;
  const KernelRoute pin{pfx("10.2.1.4/32"), 20, {knh("10.1.1.254", 2)}};
  f.kernel.routes[{pin.prefix, pin.metric}] = pin;
  f.engine.adopt({pin});
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  f.engine.converge();
  REQUIRE(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.1.4/32"))->nexthops == std::vector{knh("10.1.1.1", 2)});
}

TEST_CASE("shutdown removes pins after the routes they protect, unless persist") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  SECTION("persist") {
    f.engine.shutdown(true);
    CHECK(f.kernel.routes.size() == 2);
  }
  SECTION("clean") {
    f.engine.shutdown(false);
    CHECK(f.kernel.routes.empty());
    CHECK(last_op(f, "10.2.0.0/16", kDelete) < last_op(f, "10.2.1.4/32", kDelete));
  }
}

TEST_CASE("resync reinstalls a pin the kernel lost") {
  Fixture f;
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  f.engine.converge();
  f.kernel.routes.erase({pfx("10.2.1.4/32"), 20});
  f.engine.resync({KernelRoute{pfx("10.2.0.0/16"), 20, {knh("192.168.0.2", 3)}}});
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
  // A resync that finds everything in place sends nothing.
  const auto ops = f.kernel.log.size();
  std::vector<KernelRoute> now;
  for (const auto& [k, r] : f.kernel.routes) now.push_back(r);
  f.engine.resync(now);
  CHECK(f.kernel.log.size() == ops);
}

TEST_CASE("a pin the kernel refuses keeps the capturing route out") {
  Fixture f;
  f.kernel.fail[pfx("10.2.1.4/32")] = 101;  // ENETUNREACH
  f.engine.set_protected({ip("10.2.1.4")});
  f.install("10.2.0.0/16", {ip("192.168.0.2")});
  CHECK(f.kernel.find(pfx("10.2.0.0/16")) == nullptr);
  f.kernel.fail.clear();
  f.engine.reresolve(kNoChange);
  CHECK(f.kernel.find(pfx("10.2.1.4/32")));
  CHECK(f.kernel.find(pfx("10.2.0.0/16")));
}
