#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "nvabgpd/config/azure.hpp"
#include "nvabgpd/config/load.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;

namespace {
LoadResult ars(std::string_view asn, std::string_view peers) {
  return cfgtest::parse(
      fmt::format("router-id: 10.1.1.4\nasn: {}\nfilters: [f.conf]\npeers:\n{}", asn, peers));
}
constexpr std::string_view kPair =
    "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, export: TO_RS "
    "}\n"
    "  - { name: rs1, template: azure-route-server, address: 10.1.0.5, import: all, export: TO_RS "
    "}\n";
}  // namespace

TEST_CASE("azure-route-server fills in what Route Server requires") {
  auto r = ars("65001", kPair);
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(r.warnings.empty());
  for (const auto& p : r.config->peers) {
    CHECK(p.azure_route_server);
    CHECK(p.asn == 65515);
    CHECK(p.multihop == std::uint8_t{64});
    CHECK(p.hold_time == 180);
    CHECK(p.keepalive == 60);
    CHECK(p.families == std::vector{wire::kIpv4Unicast});
    CHECK(p.route_refresh);
    CHECK_FALSE(p.ttl_security);
    CHECK(p.export_limit == PrefixLimit{950, LimitAction::Block, 60});
    CHECK(p.export_filter == FilterRef::named("TO_RS"));
  }
}

TEST_CASE("the local ASN toward Route Server must be 2-octet and not reserved") {
  for (std::uint32_t asn :
       {8074U, 8075U, 12076U, 65515U, 65517U, 65518U, 65519U, 65520U, 64496U, 64511U, 65535U}) {
    auto r = ars(std::to_string(asn), kPair);
    INFO(asn);
    CHECK_FALSE(r.ok());
    CHECK(
        has(r.errors, fmt::format("test.yaml:2:6: asn: AS {} is reserved by Azure or IANA", asn)));
  }
  // 4-octet, including the top of the IANA-reserved 65535-65551 range (only in 4-octet space).
  for (std::uint32_t asn : {65536U, 65551U, 4200000000U}) {
    auto r = ars(std::to_string(asn), kPair);
    INFO(asn);
    CHECK(has(r.errors, "must be a 2-octet ASN"));
  }
  CHECK(ars("65516", kPair).ok());
  CHECK(ars("64512", kPair).ok());
  CHECK(ars("64495", kPair).ok());
  CHECK(azure::is_reserved_asn(23456));
  CHECK_FALSE(azure::is_reserved_asn(65552));
  // Without a Route Server peer a 4-octet or reserved ASN is fine.
  CHECK(cfgtest::parse("router-id: 1.1.1.1\nasn: 4200000000\n").ok());
}

TEST_CASE("only one instance, or different policy, gives a warning") {
  auto one = ars("65001",
                 "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, "
                 "import: all, export: all }\n");
  REQUIRE(one.ok());
  CHECK(has(one.warnings, "test.yaml:5:5: peers[rs0]: only one Azure Route Server instance"));
  auto diff = ars("65001",
                  "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, "
                  "export: TO_RS }\n"
                  "  - { name: rs1, template: azure-route-server, address: 10.1.0.5, import: all, "
                  "export: all }\n");
  REQUIRE(diff.ok());
  CHECK(has(diff.warnings,
            "test.yaml:6:5: peers[rs1]: Azure Route Server peers rs0 and rs1 have "
            "different policy"));
  CHECK_FALSE(has(diff.warnings, "only one"));
}

TEST_CASE("locked template values cannot be overridden") {
  auto r = ars("65001",
               "  - name: rs0\n    template: azure-route-server\n    address: 10.1.0.4\n"
               "    asn: 65516\n    hold-time: 90\n    keepalive: 30\n"
               "    families: [ipv4-unicast, ipv6-unicast]\n    multihop: 1\n"
               "    ttl-security: true\n    route-refresh: false\n"
               "    export-limit: { max: 900, action: warn }\n"
               "    import: all\n    export: all\n"
               "  - { name: rs1, template: azure-route-server, address: '2001:db8::5', import: "
               "all, export: all }\n");
  REQUIRE_FALSE(r.ok());
  INFO(all(r.errors));
  CHECK(has(r.errors,
            "test.yaml:8:10: peers[rs0].asn: 'asn' is locked by template azure-route-server"));
  CHECK(has(r.errors, "peers[rs0].hold-time: 'hold-time' is locked"));
  CHECK(has(r.errors, "peers[rs0].keepalive: 'keepalive' is locked"));
  CHECK(has(r.errors,
            "peers[rs0].families: 'families' is locked by template azure-route-server: "
            "Azure Route Server supports IPv4 unicast only"));
  CHECK(has(r.errors, "peers[rs0].multihop: 'multihop' is locked"));
  CHECK(has(r.errors, "peers[rs0].ttl-security: 'ttl-security' is locked"));
  CHECK(has(r.errors, "peers[rs0].route-refresh: 'route-refresh' is locked"));
  CHECK(has(r.errors, "peers[rs0].export-limit: action is locked to block"));
  CHECK(has(r.errors, "peers[rs1].address: Azure Route Server instances have IPv4 addresses"));
}

TEST_CASE("safe overrides are accepted and export limits above 1000 warn, at 4000 fail") {
  auto r = ars("65001",
               "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, "
               "export: all, multihop: 2, description: east, passive: true, export-limit: { max: "
               "500, action: block } }\n"
               "  - { name: rs1, template: azure-route-server, address: 10.1.0.5, import: all, "
               "export: all, multihop: 2, description: west, passive: true, export-limit: { max: "
               "500, action: block } }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(r.config->peers[0].multihop == std::uint8_t{2});
  CHECK(r.config->peers[0].export_limit->max == 500);
  CHECK(r.warnings.empty());
  auto hi = ars("65001",
                fmt::format("{}", kPair) +
                    "  - { name: rs2, template: azure-route-server, address: 10.1.0.6, "
                    "import: all, export: TO_RS, export-limit: { max: 3000, action: block } }\n");
  REQUIRE(hi.ok());
  CHECK(has(hi.warnings, "only safe if Microsoft raised your limit"));
  auto over = ars("65001",
                  "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, "
                  "export-limit: { max: 4000, action: block } }\n");
  CHECK(has(over.errors, "max 4000 is at or above Azure Route Server's highest limit"));
  // RFC 8212 applies to Route Server peers too: no policy, nothing exchanged.
  CHECK(has(over.warnings, "peers[rs0]: eBGP peer without import or export policy"));
}

TEST_CASE("export-limit merges key by key with the template: max alone keeps block") {
  auto r = ars("65001",
               "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, "
               "import: all, export: all, export-limit: { max: 30 } }\n"
               "  - { name: rs1, template: azure-route-server, address: 10.1.0.5, "
               "import: all, export: all, export-limit: { restart-delay: 5 } }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const auto& l = *r.config->peers[0].export_limit;
  CHECK(l.max == 30);
  CHECK(l.action == nvabgpd::config::LimitAction::Block);
  // The template's max stays when the peer sets another key only.
  CHECK(r.config->peers[1].export_limit->max == nvabgpd::config::azure::kDefaultExportLimit);
  // Changing the locked action is still refused, at the peer's line.
  auto bad = ars("65001",
                 "  - { name: rs0, template: azure-route-server, address: 10.1.0.4, "
                 "export-limit: { action: warn } }\n");
  CHECK(has(bad.errors, "peers[rs0].export-limit: action is locked to block"));
}

TEST_CASE("a user template may build on azure-route-server") {
  auto r = ars("65001", R"(  - { name: rs0, template: ars, address: 10.1.0.4 }
  - { name: rs1, template: ars, address: 10.1.0.5 }
templates:
  - { name: ars, template: azure-route-server, import: all, export: TO_RS, hold-time: 60 }
)");
  REQUIRE_FALSE(r.ok());
  // The lock applies at the template's line, once (not once per peer).
  INFO(all(r.errors));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string().find("test.yaml:8:") == 0);
  CHECK(r.errors[0].field == "templates[ars].hold-time");
  auto ok = ars("65001", R"(  - { name: rs0, template: ars, address: 10.1.0.4 }
  - { name: rs1, template: ars, address: 10.1.0.5 }
templates:
  - { name: ars, template: azure-route-server, import: all, export: TO_RS }
)");
  INFO(all(ok.errors));
  REQUIRE(ok.ok());
  CHECK(ok.config->peers[1].azure_route_server);
  CHECK(ok.config->peers[1].template_name == "ars");
  CHECK(ok.config->peers[1].hold_time == 180);
}
