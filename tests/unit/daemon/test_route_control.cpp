// Drain and health-tracking wrappers around the configured filters (issue 14): what an
// exported / imported / originated route becomes. No probe result is ever delivered (the
// io_context is not run), so tracked checks count as not up.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "health_monitor.hpp"
#include "nvabgpd/base/clock.hpp"
#include "route_control.hpp"

using namespace nvabgpd;
using namespace nvabgpd::daemon;

namespace {
constexpr std::uint32_t kAsn = 65001;
const base::Prefix kPfx = *base::Prefix::parse("10.1.0.0/16");

wire::PathAttributes route() {
  wire::PathAttributes a;
  a.as_path.prepend(65002);
  a.communities = {wire::Community::of(65002, 1)};
  return a;
}

rib::FilterContext to(std::uint32_t asn) {
  return rib::FilterContext{rib::FilterDirection::Export, 1, asn, 0};
}

struct Fixture {
  boost::asio::io_context io;
  base::ManualClock clock;
  HealthMonitor health{io, clock, [](const std::string&) {}};
  RouteControl rc{health};
};
}  // namespace

TEST_CASE(
    "a drained peer gets GRACEFUL_SHUTDOWN, a prepend toward eBGP, LOCAL_PREF 0 toward iBGP") {
  Fixture f;
  config::PeerConfig pc;
  pc.name = "rs0";
  auto all = rib::accept_all();
  CHECK(f.rc.export_filter(pc, all, kAsn) == all);  // nothing applies: the shared filter itself
  f.rc.set_drained("rs0", true);
  auto ov = f.rc.export_filter(pc, all, kAsn);
  REQUIRE(ov != all);
  config::PeerConfig other = pc;
  other.name = "rs1";
  f.rc.set_drained("rs1", true);
  CHECK(f.rc.export_filter(other, all, kAsn) == ov);  // same state: one overlay, one group

  auto e = ov->run(kPfx, route(), to(65515));
  REQUIRE(e.accept);
  REQUIRE(e.modified);
  CHECK(e.modified->as_path.to_string() == "65001 65002");
  CHECK(e.modified->communities ==
        std::vector<wire::Community>{wire::Community::of(65002, 1), wire::kGracefulShutdown});
  CHECK_FALSE(e.modified->local_pref);

  auto i = ov->run(kPfx, route(), to(kAsn));
  REQUIRE(i.modified);
  CHECK(i.modified->as_path.to_string() == "65002");
  CHECK(i.modified->local_pref == kGshutLocalPref);

  // The configured filter still decides first.
  auto none = f.rc.export_filter(pc, rib::reject_all(), kAsn);
  CHECK_FALSE(none->run(kPfx, route(), to(65515)).accept);

  f.rc.set_drained("rs0", false);
  CHECK(f.rc.export_filter(pc, all, kAsn) == all);
  CHECK(f.rc.export_key(pc).empty());
}

TEST_CASE("a peer tracking a check that is not up: withdraw, or prepend and communities") {
  Fixture f;
  config::PeerConfig pc;
  pc.name = "rs0";
  config::HealthCheck fw;
  fw.name = "fw";
  fw.command = "true";
  // The prober runs it, but its result is posted to an io_context nobody runs: stays init.
  f.health.configure({fw});
  pc.track.checks = {"fw"};
  auto all = rib::accept_all();
  auto w = f.rc.export_filter(pc, all, kAsn);
  auto r = w->run(kPfx, route(), to(65515));
  CHECK_FALSE(r.accept);
  CHECK_THAT(f.rc.explain_peer(pc), Catch::Contains("withdraw: health check fw (not probed yet)"));

  pc.track.on_failure = config::TrackAction{false, 2, {wire::Community::of(65001, 666)}};
  auto p = f.rc.export_filter(pc, all, kAsn);
  CHECK(p != w);
  auto a = p->run(kPfx, route(), to(65515));
  REQUIRE(a.accept);
  CHECK(a.modified->as_path.to_string() == "65001 65001 65002");
  CHECK(a.modified->communities.back() == wire::Community::of(65001, 666));
}

TEST_CASE("originated routes follow their tracking; received GRACEFUL_SHUTDOWN gets LOCAL_PREF 0") {
  Fixture f;
  config::Originate o;
  o.prefix = kPfx;
  CHECK(f.rc.originate(o, route(), kAsn).has_value());  // untracked
  o.track.checks = {"fw"};
  CHECK_FALSE(f.rc.originate(o, route(), kAsn).has_value());  // withdraw
  CHECK_THAT(f.rc.explain_originate(o),
             Catch::Contains("withdrawn because health check fw (not configured) is failing"));
  o.track.on_failure = config::TrackAction{false, 1, {}};
  auto a = f.rc.originate(o, route(), kAsn);
  REQUIRE(a);
  CHECK(a->as_path.to_string() == "65001 65002");
  CHECK(f.rc.originate_key(o) == "prepend 1");

  auto imp = f.rc.import_filter(rib::accept_all());
  CHECK(f.rc.import_filter(rib::accept_all()) == imp);
  CHECK(f.rc.import_filter(rib::reject_all()) == rib::reject_all());
  const rib::FilterContext in{rib::FilterDirection::Import, 1, 65002, 0};
  auto plain = imp->run(kPfx, route(), in);
  CHECK(plain.accept);
  CHECK_FALSE(plain.modified);  // nothing materialised for an ordinary route
  auto g = route();
  g.communities.push_back(wire::kGracefulShutdown);
  g.local_pref = 200;
  auto gs = imp->run(kPfx, g, in);
  REQUIRE(gs.modified);
  CHECK(gs.modified->local_pref == 0U);
}
