#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "nvabgpd/config/load.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;

namespace {
LoadResult with(std::string_view body) {
  return cfgtest::parse(std::string(cfgtest::kHead) + std::string(body));
}
}  // namespace

TEST_CASE("a peer with every key set") {
  auto r = with(R"(filters: [f.conf]
peers:
  - name: p1
    address: 2001:db8::2
    port: 1179
    asn: 65002
    description: "lab peer"
    local-address: 2001:db8::1
    multihop: 3
    ttl-security: true
    password: pw
    hold-time: 9
    keepalive: 3
    connect-retry: 5
    passive: true
    families: [ipv6-unicast, ipv4-unicast]
    import: IMP
    export: none
    next-hop-self: true
    allowas-in: 2
    default-local-pref: 200
    always-compare-med: true
    import-limit: { max: 100, action: restart, restart-delay: 30 }
    export-limit: { max: 50, action: block }
    graceful-restart: { restart-time: 90, stale-time: 100 }
    soft-reconfiguration: true
    route-refresh: false
    enabled: false
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const PeerConfig& p = r.config->peers.at(0);
  CHECK(p.name == "p1");
  CHECK(p.address == *base::IpAddress::parse("2001:db8::2"));
  CHECK(p.port == 1179);
  CHECK(p.asn == 65002);
  CHECK(p.description == "lab peer");
  CHECK(p.local_address == base::IpAddress::parse("2001:db8::1"));
  CHECK(p.multihop == std::uint8_t{3});
  CHECK(p.ttl_security);
  CHECK(p.password == "pw");
  CHECK(p.hold_time == 9);
  CHECK(p.keepalive == 3);
  CHECK(p.connect_retry == 5);
  CHECK(p.passive);
  CHECK(p.families == std::vector{wire::kIpv6Unicast, wire::kIpv4Unicast});
  CHECK(p.import_filter == FilterRef::named("IMP"));
  CHECK(p.export_filter == FilterRef::none());
  CHECK(p.next_hop_self);
  CHECK(p.allowas_in == 2);
  CHECK(p.default_local_pref == 200U);
  CHECK(p.always_compare_med);
  CHECK(p.import_limit == PrefixLimit{100, LimitAction::Restart, 30});
  CHECK(p.export_limit == PrefixLimit{50, LimitAction::Block, 60});
  CHECK(p.graceful_restart == GracefulRestart{true, 90, 100});
  CHECK(p.soft_reconfiguration);
  CHECK_FALSE(p.route_refresh);
  CHECK_FALSE(p.enabled);
  CHECK(r.sources.at("peers[p1].import").line == 19);
  REQUIRE(r.warnings.size() == 1);
  CHECK(has(r.warnings, "graceful restart without route refresh"));
}

TEST_CASE("peer defaults depend on the session type and address family") {
  auto r = with(
      "peers:\n"
      "  - { name: ib, address: 10.0.0.2, asn: 65001 }\n"
      "  - { name: eb, address: '2001:db8::9', asn: 65009, hold-time: 30 }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const PeerConfig& ib = r.config->peers[0];
  CHECK(ib.import_filter == FilterRef::all());  // iBGP: everything
  CHECK(ib.export_filter == FilterRef::all());
  CHECK(ib.families == std::vector{wire::kIpv4Unicast});
  CHECK(ib.hold_time == 90);
  CHECK(ib.keepalive == 30);
  const PeerConfig& eb = r.config->peers[1];
  CHECK(eb.import_filter == FilterRef::none());  // RFC 8212
  CHECK(eb.export_filter == FilterRef::none());
  CHECK(eb.families == std::vector{wire::kIpv6Unicast});
  CHECK(eb.keepalive == 10);
  CHECK(has(r.warnings,
            "test.yaml:5:5: peers[eb]: eBGP peer without import or export policy: per "
            "RFC 8212 nothing is accepted or advertised"));
}

TEST_CASE("every peer mistake is collected, each at its own line") {
  auto r = with(R"(peers:
  - name: a
    address: 10.0.0.300
    asn: 70000000000
    hold-time: 2
    famillies: [ipv4-unicast]
  - name: b
    address: 10.0.0.2
    asn: 65002
    families: [ipv4-multicast]
    import: "bad name"
    import-limit: { max: 0, action: drop }
    export-limit: { max: 10, action: restart }
    allowas-in: 99
    password: ""
  - address: 10.0.0.3
    asn: 65003
)");
  REQUIRE_FALSE(r.ok());
  INFO(all(r.errors));
  CHECK(has(r.errors,
            "test.yaml:5:14: peers[a].address: '10.0.0.300' is not an IPv4 or IPv6 address"));
  CHECK(has(r.errors, "test.yaml:6:10: peers[a].asn: AS number 70000000000 is out of range"));
  CHECK(has(r.errors, "test.yaml:7:16: peers[a].hold-time: hold time must be 0 or at least 3"));
  CHECK(
      has(r.errors,
          "test.yaml:8:5: peers[a].famillies: unknown key 'famillies' (did you mean 'families'?)"));
  CHECK(has(r.errors,
            "test.yaml:12:16: peers[b].families[0]: unknown address family 'ipv4-multicast'"));
  CHECK(has(r.errors,
            "test.yaml:13:13: peers[b].import: 'bad name' is not all, none or a filter name"));
  CHECK(has(r.errors, "peers[b].import-limit.max: 0 is out of range"));
  CHECK(has(r.errors, "peers[b].import-limit.action: expected warn, block or restart, got 'drop'"));
  CHECK(has(r.errors, "peers[b].export-limit.action: expected warn or block, got 'restart'"));
  CHECK(has(r.errors, "test.yaml:16:17: peers[b].allowas-in: 99 is out of range (0..16)"));
  CHECK(has(r.errors, "peers[b].password: a TCP-MD5 password has 1 to 80 characters"));
  CHECK(has(r.errors, "test.yaml:18:5: peers[2].name: required key 'name' is missing"));
  CHECK(r.errors.size() == 12);
}

TEST_CASE("duplicate peer names and addresses") {
  auto r = with(
      "peers:\n"
      "  - { name: a, address: 10.0.0.2, asn: 65001 }\n"
      "  - { name: a, address: 10.0.0.3, asn: 65001 }\n"
      "  - { name: c, address: 10.0.0.2, asn: 65001, port: 1179 }\n");
  INFO(all(r.errors));
  CHECK(has(r.errors, "test.yaml:5:13: peers[a].name: peer name 'a' is already used at line 4"));
  CHECK(has(r.errors,
            "test.yaml:6:25: peers[c].address: peer address 10.0.0.2 is already used by "
            "peer 'a'"));
}

TEST_CASE("timer, reflection and route-server rules") {
  auto err = [](std::string_view peer) {
    return with(std::string("peers:\n  - ") + std::string(peer) + "\n").errors;
  };
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65001, hold-time: 9, keepalive: 9 }"),
            "keepalive 9 must be less than hold-time 9"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65001, hold-time: 0, keepalive: 5 }"),
            "keepalive must be 0 when hold-time is 0"));
  CHECK(with("peers:\n  - { name: a, address: 10.0.0.2, asn: 65001, hold-time: 0 }\n").ok());
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, route-reflector-client: true, import: "
                "all, export: all }"),
            "route reflection applies to iBGP peers only"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65001, route-server-client: true }"),
            "a route server client must be an eBGP peer"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, route-server-client: true, "
                "next-hop-self: true, import: all, export: all }"),
            "conflicts with route-server-client"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, local-address: '::1', import: all, "
                "export: all }"),
            "are of different families"));
  CHECK(has(err("{ name: a, address: 224.0.0.5, asn: 65002, import: all, export: all }"),
            "multicast"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, ipv6-next-hop: 10.0.0.1, import: all, "
                "export: all }"),
            "is not an IPv6 address"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, ipv6-next-hop: 'fe80::1', import: all, "
                "export: all }"),
            "is not a global unicast address"));
  CHECK(with("peers:\n  - { name: a, address: 10.0.0.2, asn: 65002, ipv6-next-hop: 'fd00::1', "
             "import: all, "
             "export: all }\n")
            .ok());
  CHECK(has(err("{ name: a, address: 'fe80::1', asn: 65002, import: all, export: all }"),
            "link-local"));
  CHECK(has(err("{ name: a, address: 10.0.0.2, asn: 65002, import: ALLOW, export: all }"),
            "filter 'ALLOW' is named but no filter files are listed"));
  auto w = with(
      "peers:\n  - { name: a, address: 10.0.0.2, asn: 65001, hold-time: 9, keepalive: "
      "4, cluster-id: 1.2.3.4 }\n");
  REQUIRE(w.ok());
  CHECK(has(w.warnings, "keepalive 4 is more than a third of hold-time 9"));
  CHECK(has(w.warnings, "cluster-id has no effect"));
  CHECK(w.config->peers[0].cluster_id == 0x01020304U);
}

TEST_CASE("user templates expand in order and the peer wins") {
  auto r = with(R"(templates:
  - name: base
    hold-time: 30
    description: from base
    import: all
  - name: ibgp
    template: base
    asn: 65001
    hold-time: 60
peers:
  - { name: a, template: ibgp, address: 10.0.0.2 }
  - { name: b, template: ibgp, address: 10.0.0.3, hold-time: 12, description: mine }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const auto& a = r.config->peers[0];
  CHECK(a.asn == 65001);
  CHECK(a.hold_time == 60);
  CHECK(a.keepalive == 20);
  CHECK(a.description == "from base");
  CHECK(a.template_name == "ibgp");
  CHECK(r.sources.at("peers[a].hold-time").line == 11);  // the template's line
  const auto& b = r.config->peers[1];
  CHECK(b.hold_time == 12);
  CHECK(b.keepalive == 4);
  CHECK(b.description == "mine");
}

TEST_CASE("limit and graceful-restart maps merge key by key through a template chain") {
  auto r = with(R"(templates:
  - name: base
    asn: 65001
    import-limit: { max: 100, action: restart, restart-delay: 30 }
    graceful-restart: { restart-time: 40, stale-time: 500 }
  - name: mid
    template: base
    import-limit: { max: 200 }
peers:
  - { name: a, template: mid, address: 10.0.0.2, import-limit: { restart-delay: 9 },
      graceful-restart: { stale-time: 60 } }
  - { name: b, template: mid, address: 10.0.0.3, graceful-restart: false }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const auto& a = r.config->peers[0];
  REQUIRE(a.import_limit);
  CHECK(a.import_limit->max == 200);
  CHECK(a.import_limit->action == nvabgpd::config::LimitAction::Restart);
  CHECK(a.import_limit->restart_delay == 9);
  CHECK(a.graceful_restart.enabled);
  CHECK(a.graceful_restart.restart_time == 40);
  CHECK(a.graceful_restart.stale_time == 60);
  CHECK_FALSE(r.config->peers[1].graceful_restart.enabled);  // a scalar replaces the map
  // Without a template, max is still required.
  auto bad = with(
      "peers:\n  - { name: a, asn: 65002, address: 10.0.0.2, import-limit: { action: warn } }\n");
  CHECK(has(bad.errors, "peers[a].import-limit.max: required key 'max' is missing"));
}

TEST_CASE("template mistakes") {
  auto r = with(R"(templates:
  - { name: x, template: y }
  - { name: y, template: x }
  - { name: z, hold-time: 1, address: 10.0.0.9 }
  - { name: azure-route-server }
peers:
  - { name: a, template: x, address: 10.0.0.2, asn: 65001 }
  - { name: b, template: azure-route-sever, address: 10.0.0.3 }
)");
  REQUIRE_FALSE(r.ok());
  INFO(all(r.errors));
  CHECK(has(r.errors, "templates form a cycle"));
  CHECK(has(r.errors, "test.yaml:6:27: templates[z].hold-time: hold time must be 0 or at least 3"));
  CHECK(has(r.errors, "templates[z].address: a template cannot set 'address'"));
  CHECK(has(r.errors, "'azure-route-server' is a built-in template and cannot be redefined"));
  CHECK(has(r.errors, "unknown template 'azure-route-sever' (did you mean 'azure-route-server'?)"));
  CHECK(r.errors.size() == 5);  // no follow-on errors (e.g. asn missing for b)
}

TEST_CASE("filter names are checked through a callback, at the line that names them") {
  auto r = with(R"(filters: [a.conf]
peers:
  - { name: a, address: 10.0.0.2, asn: 65002, import: KNOWN, export: UNKNOWN }
  - { name: b, address: 10.0.0.3, asn: 65003, import: all, export: KNOWN }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(referenced_filters(*r.config) == std::vector<std::string>{"KNOWN", "UNKNOWN"});
  auto d =
      check_filter_names(*r.config, r.sources, [](std::string_view n) { return n == "KNOWN"; });
  REQUIRE(d.size() == 1);
  CHECK(d[0].to_string() ==
        "test.yaml:5:70: peers[a].export: filter 'UNKNOWN' is not defined in any filter file");
  CHECK(check_filter_names(*r.config, r.sources, [](std::string_view) { return true; }).empty());
}

TEST_CASE("damping, send hold time and send-queue limit (issue 18)") {
  auto r = with(R"(peers:
  - name: p1
    address: 10.0.0.2
    asn: 65002
    idle-hold: 10
    idle-hold-max: 600
    send-hold-time: 300
    send-queue-limit: 1048576
  - name: p2
    address: 10.0.0.3
    asn: 65002
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const PeerConfig& p = r.config->peers.at(0);
  CHECK(p.idle_hold == 10);
  CHECK(p.idle_hold_max == 600);
  CHECK(p.send_hold_time == std::optional<std::uint16_t>(300));
  CHECK(p.send_queue_limit == 1048576);
  const PeerConfig& d = r.config->peers.at(1);
  CHECK(d.idle_hold == 5);
  CHECK(d.idle_hold_max == 120);
  CHECK_FALSE(d.send_hold_time);  // max(480, 2 x hold-time)
  CHECK(d.send_queue_limit == (std::uint64_t{64} << 20));

  auto bad = with(R"(peers:
  - name: p1
    address: 10.0.0.2
    asn: 65002
    send-hold-time: 0
    send-queue-limit: 100
)");
  CHECK(has(bad.errors, "send-hold-time"));
  CHECK(has(bad.errors, "send-queue-limit"));
}

TEST_CASE("idle-hold-max below idle-hold is an error") {
  auto r = with(R"(peers:
  - name: p1
    address: 10.0.0.2
    asn: 65002
    idle-hold: 60
    idle-hold-max: 30
)");
  CHECK(has(r.errors, "idle-hold-max 30 is less than idle-hold 60"));
}
