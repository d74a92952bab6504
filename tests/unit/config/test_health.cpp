// The `health-checks` and `shutdown` sections and `track`/`on-failure` (issue 14).
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"
#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/print.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;
using cfgtest::kHead;
using cfgtest::parse;

namespace {
const std::string kChecks =
    "health-checks:\n"
    "  fw: { http: { address: 127.0.0.1, port: 8080, path: /healthz, status: 204 }, interval: 0.5, "
    "rise: 3, fall: 2 }\n"
    "  script: { command: 'test -e /run/fw/up', interval: 2, timeout: 500ms }\n"
    "  link: { interface: eth1 }\n"
    "  def: { route: { prefix: 0.0.0.0/0, table: 100 } }\n"
    "  port: { tcp: { address: '::1', port: 443 } }\n";
}  // namespace

TEST_CASE("health checks of every kind load with their settings and defaults") {
  auto r = parse(std::string(kHead) + kChecks +
                 "originate:\n"
                 "  - { prefix: 10.0.0.0/16, track: fw }\n"
                 "  - { prefix: 10.1.0.0/16, track: [fw, link], on-failure: { prepend: 3, "
                 "communities: ['65001:666'] } }\n"
                 "shutdown: { drain-seconds: 30, message: maintenance }\n"
                 "peers:\n"
                 "  - { name: rs0, address: 10.0.0.4, asn: 65515, track: [script], on-failure: "
                 "withdraw }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  REQUIRE(c.health_checks.size() == 5);
  const HealthCheck& fw = c.health_checks[0];
  CHECK(fw.kind == HealthKind::Http);
  CHECK(fw.port == 8080);
  CHECK(fw.path == "/healthz");
  CHECK(fw.expect_status == 204);
  CHECK(fw.interval_ms == 500);
  CHECK(fw.timeout_ms == 500);  // defaults to at most the interval
  CHECK(fw.rise == 3);
  CHECK(fw.fall == 2);
  CHECK(c.health_checks[1].kind == HealthKind::Command);
  CHECK(c.health_checks[1].timeout_ms == 500);
  CHECK(c.health_checks[1].interval_ms == 2000);
  CHECK(c.health_checks[2].kind == HealthKind::Interface);
  CHECK(c.health_checks[2].rise == 2);
  CHECK(c.health_checks[3].kind == HealthKind::Route);
  CHECK(c.health_checks[3].table == 100);
  CHECK(c.health_checks[4].kind == HealthKind::Tcp);
  REQUIRE(c.originate.size() == 2);
  CHECK(c.originate[0].track.checks == std::vector<std::string>{"fw"});
  CHECK(c.originate[0].track.on_failure.withdraw);
  CHECK(c.originate[1].track.checks == std::vector<std::string>{"fw", "link"});
  CHECK_FALSE(c.originate[1].track.on_failure.withdraw);
  CHECK(c.originate[1].track.on_failure.prepend == 3);
  CHECK(c.originate[1].track.on_failure.communities.size() == 1);
  CHECK(c.peers[0].track.checks == std::vector<std::string>{"script"});
  CHECK(c.shutdown.drain_seconds == 30);
  CHECK(c.shutdown.message == "maintenance");

  // The canonical print loads back to the same config.
  auto again = parse(to_yaml(c));
  INFO(to_yaml(c));
  INFO(all(again.errors));
  REQUIRE(again.ok());
  CHECK(*again.config == c);
}

TEST_CASE("health check mistakes get clear errors") {
  auto bad = [](const std::string& extra) {
    auto r = parse(std::string(kHead) + extra);
    CHECK_FALSE(r.ok());
    return all(r.errors);
  };
  CHECK_THAT(bad("health-checks:\n  a: { interval: 1 }\n"),
             Catch::Contains("needs one of command, interface, route, tcp or http"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x, tcp: { address: 1.2.3.4, port: 1 } }\n"),
             Catch::Contains("exactly one kind, not command and tcp"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x, interval: 1, timeout: 2 }\n"),
             Catch::Contains("longer than the interval"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x, interval: 10ms }\n"),
             Catch::Contains("out of range"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x, interval: soon }\n"),
             Catch::Contains("is not a duration"));
  CHECK_THAT(bad("health-checks:\n  a: { http: { address: 1.2.3.4 } }\n"),
             Catch::Contains("required key 'port' is missing"));
  CHECK_THAT(bad("health-checks:\n  a: { http: { address: 1.2.3.4, port: 80, path: x } }\n"),
             Catch::Contains("not an absolute URL path"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x, rise: 0 }\n"), Catch::Contains("rise"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x }\noriginate:\n  - { prefix: 10.0.0.0/8, "
                 "track: b }\n"),
             Catch::Contains("tracks unknown health check 'b'"));
  CHECK_THAT(bad("health-checks:\n  fw1: { command: x }\noriginate:\n  - { prefix: 10.0.0.0/8, "
                 "track: fw2 }\n"),
             Catch::Contains("did you mean 'fw1'"));
  CHECK_THAT(bad("originate:\n  - { prefix: 10.0.0.0/8, track: b }\n"),
             Catch::Contains("there is no health-checks section"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x }\noriginate:\n  - { prefix: 10.0.0.0/8, "
                 "track: a, on-failure: drop }\n"),
             Catch::Contains("expected withdraw, {prepend: N} or {communities: [...]}"));
  CHECK_THAT(bad("originate:\n  - { prefix: 10.0.0.0/8, on-failure: withdraw }\n"),
             Catch::Contains("on-failure without track"));
  CHECK_THAT(bad("health-checks:\n  a: { command: x }\npeers:\n  - { name: p, address: 10.0.0.2, "
                 "asn: 65002, track: [a, a] }\n"),
             Catch::Contains("tracked twice"));
  CHECK_THAT(bad("shutdown: { drain-seconds: 5000 }\n"), Catch::Contains("drain-seconds"));
  CHECK_THAT(bad("shutdown: { message: '" + std::string(300, 'x') + "' }\n"),
             Catch::Contains("at most 255 fit"));
}

TEST_CASE("reloading health checks and tracking restarts no session") {
  const std::string peer = "peers:\n  - { name: rs0, address: 10.0.0.4, asn: 65515 }\n";
  auto a = parse(std::string(kHead) + kChecks + peer);
  auto b = parse(std::string(kHead) +
                 "health-checks:\n  fw: { command: 'true', interval: 1 }\n"
                 "peers:\n  - { name: rs0, address: 10.0.0.4, asn: 65515, track: fw }\n"
                 "shutdown: { drain-seconds: 10 }\n");
  INFO(all(a.errors) << all(b.errors));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const ReloadPlan plan = diff_configs(*a.config, *b.config);
  CHECK(plan.global.health);
  CHECK(plan.global.shutdown);
  CHECK_FALSE(plan.global.restart_all);
  REQUIRE(plan.find("rs0"));
  CHECK(plan.find("rs0")->action == PeerAction::RerunExport);
}
