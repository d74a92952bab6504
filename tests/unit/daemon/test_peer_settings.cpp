// peer_settings: config::PeerConfig -> session::PeerConfig, rib::PeerUp, rib::RibConfig.
#include "peer_settings.hpp"

#include <catch2/catch.hpp>

using namespace nvabgpd;
using namespace std::chrono_literals;

namespace {

config::Config speaker() {
  config::Config c;
  c.asn = 65001;
  c.router_id = *base::IpAddress::parse("10.0.0.1");
  return c;
}

config::PeerConfig ebgp() {
  config::PeerConfig p;
  p.name.assign(1, 'a');  // not = "a": a GCC 12 -Wrestrict false positive
  p.address = *base::IpAddress::parse("10.0.1.2");
  p.asn = 65002;
  p.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  p.hold_time = 30;
  p.keepalive = 0;
  p.idle_hold_max = 300;
  p.multihop = 3;
  p.graceful_restart.enabled = true;
  p.graceful_restart.restart_time = 90;
  p.graceful_restart.stale_time = 200;
  p.import_limit = config::PrefixLimit{100, config::LimitAction::Restart, 30};
  p.azure_route_server = true;
  return p;
}

}  // namespace

TEST_CASE("session settings: timers, TTL and the restart state of our OPENs") {
  const config::Config cfg = speaker();
  config::PeerConfig pc = ebgp();
  session::PeerConfig s = daemon::session_settings(cfg, pc, {true, false});
  CHECK(s.hold_time == 30s);
  CHECK_FALSE(s.keepalive);              // 0: a third of the negotiated hold time
  CHECK(s.damp_reset_after == 300s);     // never shorter than the longest idle hold
  CHECK(s.multihop == std::uint8_t{3});  // eBGP only
  REQUIRE(s.graceful_restart);
  CHECK(s.graceful_restart->restart_state);
  CHECK(s.graceful_restart->restart_time == 90);
  REQUIRE(s.graceful_restart->families.size() == 2);
  CHECK_FALSE(s.graceful_restart->families[0].forwarding_preserved);
  pc.asn = cfg.asn;  // iBGP: multihop is ignored
  CHECK_FALSE(daemon::session_settings(cfg, pc, {}).multihop);
}

TEST_CASE("RIB settings: the configured peer, then the negotiated session") {
  const config::Config cfg = speaker();
  const config::PeerConfig pc = ebgp();
  rib::PeerUp r = daemon::rib_settings(cfg, pc, 7, {});
  CHECK(r.id == 7);
  CHECK(r.local_asn == 65001);
  CHECK(r.remote_asn == 65002);
  CHECK(r.stale_time == 200s);
  CHECK(r.import_limit.max == 100);
  CHECK(r.import_limit.action == rib::LimitAction::Restart);
  CHECK(r.import_limit.restart_after == 30s);
  CHECK_FALSE(r.resend_on_refresh);  // Azure Route Server: End-of-RIB only
  session::PeerUp up;
  up.peer = 7;
  up.local_address = *base::IpAddress::parse("10.0.1.1");
  up.negotiated.peer_asn = 65002;
  up.negotiated.peer_id = 0x0a000102;
  up.negotiated.families = {wire::kIpv4Unicast};
  up.negotiated.graceful_restart = true;
  up.negotiated.peer_graceful_restart = wire::GracefulRestartCap{};
  up.negotiated.peer_graceful_restart->restart_time = 45;
  r = daemon::rib_settings(cfg, pc, 7, {}, up);
  CHECK(r.local_address == up.local_address);
  CHECK(r.remote_router_id == 0x0a000102);
  CHECK(r.families == std::vector<wire::AfiSafi>{wire::kIpv4Unicast});
  CHECK(r.graceful_restart);
  CHECK(r.restart_time == 45s);
  CHECK(r.stale_time == 200s);  // the configured part is the same
}

TEST_CASE("RIB options folded from per-peer flags") {
  config::Config cfg = speaker();
  CHECK_FALSE(daemon::rib_config(cfg, true).cluster_id);
  config::PeerConfig a = ebgp(), b = ebgp(), c = ebgp();
  b.cluster_id = 7;
  c.cluster_id = 9;
  c.always_compare_med = true;
  cfg.peers = {a, b, c};
  cfg.kernel.max_paths = 0;
  const rib::RibConfig rc = daemon::rib_config(cfg, false);
  CHECK(rc.cluster_id == 7u);  // the first peer that sets one
  CHECK(rc.decision.always_compare_med);
  CHECK(rc.decision.max_paths == 1);
  CHECK_FALSE(rc.fib);
  CHECK(rc.router_id == 0x0a000001);
}
