#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/load.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;

namespace {

Config base_config() {
  auto r = cfgtest::parse(R"(router-id: 10.0.0.1
asn: 65001
filters: [f.conf]
originate: [ { prefix: 10.1.0.0/16 } ]
peers:
  - { name: a, address: 10.0.0.2, asn: 65002, import: IMP, export: EXP }
  - { name: b, address: 10.0.0.3, asn: 65003, import: all, export: EXP }
  - { name: c, address: 10.0.0.4, asn: 65001 }
)");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  return *r.config;
}

PeerConfig& peer(Config& c, std::string_view name) {
  for (auto& p : c.peers)
    if (p.name == name) return p;
  FAIL("no peer " << name);
  return c.peers.front();
}

PeerAction action(const ReloadPlan& plan, std::string_view name) {
  const PeerChange* c = plan.find(name);
  REQUIRE(c != nullptr);
  return c->action;
}

}  // namespace

TEST_CASE("identical configs: every peer kept, plan empty") {
  const Config a = base_config();
  auto plan = diff_configs(a, a);
  CHECK(plan.empty());
  CHECK(plan.peers.size() == 3);
  for (const auto& p : plan.peers) CHECK(p.action == PeerAction::Keep);
  CHECK(format_plan(plan).find("no changes") != std::string::npos);
}

TEST_CASE("each peer setting maps to its least disruptive action") {
  struct Case {
    const char* what;
    void (*change)(PeerConfig&);
    PeerAction expected;
  };
  const Case cases[] = {
      {"description", [](PeerConfig& p) { p.description = "new"; }, PeerAction::UpdateInPlace},
      {"connect-retry", [](PeerConfig& p) { p.connect_retry = 7; }, PeerAction::UpdateInPlace},
      {"passive", [](PeerConfig& p) { p.passive = true; }, PeerAction::UpdateInPlace},
      {"import filter", [](PeerConfig& p) { p.import_filter = FilterRef::all(); },
       PeerAction::RerunImport},
      {"import limit",
       [](PeerConfig& p) {
         p.import_limit = PrefixLimit{10, LimitAction::Block, 60};
       },
       PeerAction::RerunImport},
      {"allowas-in", [](PeerConfig& p) { p.allowas_in = 1; }, PeerAction::RerunImport},
      {"soft-reconfiguration", [](PeerConfig& p) { p.soft_reconfiguration = true; },
       PeerAction::RerunImport},
      {"export filter", [](PeerConfig& p) { p.export_filter = FilterRef::none(); },
       PeerAction::RerunExport},
      {"export limit",
       [](PeerConfig& p) {
         p.export_limit = PrefixLimit{10, LimitAction::Block, 60};
       },
       PeerAction::RerunExport},
      {"next-hop-self", [](PeerConfig& p) { p.next_hop_self = true; }, PeerAction::RerunExport},
      {"both filters",
       [](PeerConfig& p) {
         p.import_filter = FilterRef::all();
         p.export_filter = FilterRef::all();
       },
       PeerAction::RerunImportExport},
      {"default-local-pref", [](PeerConfig& p) { p.default_local_pref = 200; },
       PeerAction::Restart},
      {"address", [](PeerConfig& p) { p.address = base::IpAddress::v4(0x0A000063); },
       PeerAction::Restart},
      {"asn", [](PeerConfig& p) { p.asn = 65099; }, PeerAction::Restart},
      {"port", [](PeerConfig& p) { p.port = 1179; }, PeerAction::Restart},
      {"password", [](PeerConfig& p) { p.password = "x"; }, PeerAction::Restart},
      {"multihop", [](PeerConfig& p) { p.multihop = 2; }, PeerAction::Restart},
      {"hold-time", [](PeerConfig& p) { p.hold_time = 30; }, PeerAction::Restart},
      {"families", [](PeerConfig& p) { p.families.push_back(wire::kIpv6Unicast); },
       PeerAction::Restart},
      {"local-address", [](PeerConfig& p) { p.local_address = base::IpAddress::v4(0x0A000001); },
       PeerAction::Restart},
      {"ipv6-next-hop", [](PeerConfig& p) { p.ipv6_next_hop = base::IpAddress::parse("fd00::1"); },
       PeerAction::Restart},
      {"graceful-restart", [](PeerConfig& p) { p.graceful_restart.enabled = true; },
       PeerAction::Restart},
      {"enabled", [](PeerConfig& p) { p.enabled = false; }, PeerAction::Restart},
      {"restart wins over filters",
       [](PeerConfig& p) {
         p.hold_time = 30;
         p.export_filter = FilterRef::all();
       },
       PeerAction::Restart},
  };
  for (const Case& k : cases) {
    INFO(k.what);
    const Config a = base_config();
    Config b = a;
    k.change(peer(b, "a"));
    auto plan = diff_configs(a, b);
    CHECK(action(plan, "a") == k.expected);
    CHECK(action(plan, "b") == PeerAction::Keep);
    CHECK(action(plan, "c") == PeerAction::Keep);
    CHECK_FALSE(plan.empty());
    CHECK_FALSE(plan.find("a")->changes.empty());
  }
}

TEST_CASE("a password change is reported without the password") {
  const Config a = base_config();
  Config b = a;
  peer(b, "a").password = "topsecret";
  const std::string text = format_plan(diff_configs(a, b));
  CHECK(text.find("password changed") != std::string::npos);
  CHECK(text.find("topsecret") == std::string::npos);
}

TEST_CASE("peers added and removed") {
  const Config a = base_config();
  Config b = a;
  b.peers.erase(b.peers.begin() + 1);  // b
  PeerConfig d = a.peers[0];
  d.name = "d";
  d.address = base::IpAddress::v4(0x0A000005);
  b.peers.push_back(d);
  auto plan = diff_configs(a, b);
  CHECK(action(plan, "a") == PeerAction::Keep);
  CHECK(action(plan, "b") == PeerAction::Remove);
  CHECK(action(plan, "d") == PeerAction::Add);
  CHECK(plan.peers.size() == 4);
}

TEST_CASE("router-id or asn change restarts every remaining peer") {
  const Config a = base_config();
  Config b = a;
  b.router_id = base::IpAddress::v4(0x0A0000FE);
  auto plan = diff_configs(a, b);
  CHECK(plan.global.restart_all);
  for (const auto& p : plan.peers) CHECK(p.action == PeerAction::Restart);
  Config c = a;
  c.asn = 65010;
  CHECK(diff_configs(a, c).global.restart_all);
}

TEST_CASE("changed filters re-run only the peers and directions that use them") {
  const Config a = base_config();
  auto plan = diff_configs(a, a, {"EXP"});
  CHECK(action(plan, "a") == PeerAction::RerunExport);
  CHECK(action(plan, "b") == PeerAction::RerunExport);
  CHECK(action(plan, "c") == PeerAction::Keep);
  auto imp = diff_configs(a, a, {"IMP"});
  CHECK(action(imp, "a") == PeerAction::RerunImport);
  CHECK(action(imp, "b") == PeerAction::Keep);
  auto both = diff_configs(a, a, {"IMP", "EXP"});
  CHECK(action(both, "a") == PeerAction::RerunImportExport);
  CHECK(diff_configs(a, a, {"UNUSED"}).empty());
}

TEST_CASE("global changes are listed and touch no session") {
  const Config a = base_config();
  Config b = a;
  b.kernel.metric = 99;
  b.listen.push_back({base::IpAddress::v4(0x7F000001), 1179});
  b.originate.clear();
  b.log_level = LogLevel::Debug;
  b.metrics.enabled = true;
  b.control.socket = "/tmp/other.ctl";
  b.filters.push_back({"g.conf", "/etc/nvabgpd/g.conf"});
  auto plan = diff_configs(a, b);
  const GlobalChanges& g = plan.global;
  CHECK(g.kernel);
  CHECK(g.listen);
  CHECK(g.originate);
  CHECK(g.log);
  CHECK(g.metrics);
  CHECK(g.control);
  CHECK(g.filter_files);
  CHECK_FALSE(g.restart_all);
  CHECK(g.changes.size() == 7);
  Config c = a;
  c.kernel.resolve_table = 100;
  CHECK(diff_configs(a, c).global.kernel);
  for (const auto& p : plan.peers) CHECK(p.action == PeerAction::Keep);
  const std::string text = format_plan(plan);
  CHECK(text.find("global: log level: info -> debug") != std::string::npos);
  CHECK(text.find("peer a: keep") != std::string::npos);
}

TEST_CASE("the plan text names each peer action and its reasons") {
  const Config a = base_config();
  Config b = a;
  peer(b, "a").hold_time = 30;
  peer(b, "b").description = "hello";
  const std::string text = format_plan(diff_configs(a, b));
  CHECK(text ==
        "peer a: restart session (hold-time: 90 -> 30)\n"
        "peer b: update in place (description: \"\" -> hello)\n"
        "peer c: keep\n");
}
