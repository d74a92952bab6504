// Per-peer `bfd:`: forms, defaults, ranges, templates, print, reload diff, and the Azure Route
// Server template's refusal.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/print.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;

namespace {
LoadResult with(std::string_view body) {
  return cfgtest::parse(std::string(cfgtest::kHead) + std::string(body));
}
}  // namespace

TEST_CASE("bfd: off by default, `true` for the defaults, a mapping for the rest") {
  auto r = with(R"(peers:
  - { name: p0, address: 10.0.0.2, asn: 65002 }
  - { name: p1, address: 10.0.0.3, asn: 65002, bfd: true }
  - name: p2
    address: 10.0.0.4
    asn: 65002
    bfd: { min-tx: 100, min-rx: 150, multiplier: 5 }
  - name: p3
    address: 10.9.0.4
    asn: 65002
    multihop: 4
    bfd: { min-tx: 100 }
  - name: p4
    address: 10.9.0.5
    asn: 65002
    multihop: 4
    bfd: { multihop: false, enabled: false }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const auto& ps = r.config->peers;
  CHECK_FALSE(ps[0].bfd.enabled);
  CHECK(ps[1].bfd == BfdConfig{true, 300, 300, 3, false});
  CHECK(ps[2].bfd == BfdConfig{true, 100, 150, 5, false});
  CHECK(ps[3].bfd == BfdConfig{true, 100, 300, 3, true});  // multihop follows the peer's
  CHECK(ps[4].bfd == BfdConfig{false, 300, 300, 3, false});
}

TEST_CASE("bfd: bad values and unknown keys are errors at their line") {
  auto r = with(R"(peers:
  - name: p1
    address: 10.0.0.2
    asn: 65002
    bfd: { min-tx: 5, min-rx: 60001, multiplier: 0, interval: 3 }
  - { name: p2, address: 10.0.0.3, asn: 65002, bfd: maybe }
)");
  CHECK_FALSE(r.ok());
  CHECK(has(r.errors, "peers[p1].bfd.min-tx"));
  CHECK(has(r.errors, "peers[p1].bfd.min-rx"));
  CHECK(has(r.errors, "peers[p1].bfd.multiplier"));
  CHECK(has(r.errors, "interval"));
  CHECK(has(r.errors, "peers[p2].bfd"));
}

TEST_CASE("bfd: from a template, the peer's own value wins") {
  auto r = with(R"(templates:
  - { name: nva, asn: 65002, bfd: { min-tx: 100, min-rx: 100 } }
peers:
  - { name: a, template: nva, address: 10.0.0.2 }
  - { name: b, template: nva, address: 10.0.0.3, bfd: false }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(r.config->peers[0].bfd == BfdConfig{true, 100, 100, 3, false});
  CHECK_FALSE(r.config->peers[1].bfd.enabled);
}

TEST_CASE("bfd: the azure-route-server template refuses it") {
  auto r = cfgtest::parse(R"(router-id: 10.1.1.4
asn: 65001
peers:
  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, export: all, bfd: true }
  - { name: rs1, template: azure-route-server, address: 10.1.0.5, import: all, export: all, bfd: false }
)");
  CHECK_FALSE(r.ok());
  CHECK(has(r.errors,
            "peers[rs0].bfd: 'bfd' is locked by template azure-route-server: Azure "
            "Route Server has no BFD"));
  CHECK_FALSE(has(r.errors, "peers[rs1].bfd"));
}

TEST_CASE("bfd: printed when on, and a change is applied in place on reload") {
  auto r = with(R"(peers:
  - { name: a, address: 10.0.0.2, asn: 65002, bfd: { min-tx: 100, min-rx: 100 } }
  - { name: b, address: 10.0.0.3, asn: 65002 }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const std::string text = to_yaml(*r.config);
  CHECK(text.find("bfd:") != std::string::npos);
  CHECK(text.find("min-tx: 100") != std::string::npos);
  auto again = cfgtest::parse(text);
  INFO(all(again.errors));
  REQUIRE(again.ok());
  CHECK(again.config->peers == r.config->peers);

  Config b = *r.config;
  b.peers[0].bfd.min_tx_ms = 50;
  b.peers[1].bfd.enabled = true;
  const ReloadPlan plan = diff_configs(*r.config, b);
  CHECK(plan.find("a")->action == PeerAction::UpdateInPlace);
  CHECK(plan.find("b")->action == PeerAction::UpdateInPlace);
}
