#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "nvabgpd/config/load.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;
using cfgtest::parse;

TEST_CASE("a minimal config loads with every default filled in") {
  auto r = parse("router-id: 10.0.0.1\nasn: 65001\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.router_id == *base::IpAddress::parse("10.0.0.1"));
  CHECK(c.asn == 65001);
  REQUIRE(c.listen.size() == 1);
  CHECK(c.listen[0].address == base::IpAddress::v4(0));
  CHECK(c.listen[0].port == 179);
  CHECK(c.kernel.table == 254);
  CHECK(c.kernel.protocol == 186);
  CHECK(c.kernel.enabled);
  CHECK_FALSE(c.kernel.persist);
  CHECK(c.control.socket == "/run/nvabgpd/nvabgpd.ctl");
  CHECK_FALSE(c.metrics.enabled);
  CHECK(c.log_level == LogLevel::Info);
  CHECK(c.peers.empty());
  CHECK(r.warnings.empty());
}

TEST_CASE("router-id and asn are required, reported together") {
  auto r = parse("listen: []\n");
  CHECK_FALSE(r.ok());
  CHECK(has(r.errors, "test.yaml:1:1: router-id: required key 'router-id' is missing"));
  CHECK(has(r.errors, "test.yaml:1:1: asn: required key 'asn' is missing"));
  auto empty = parse("");
  CHECK_FALSE(empty.ok());
  CHECK(has(empty.errors, "router-id and asn are required"));
}

TEST_CASE("unknown keys are rejected with position and a suggestion") {
  auto r = parse("router-id: 10.0.0.1\nasn: 65001\nkernal:\n  table: main\n");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() ==
        "test.yaml:3:1: kernal: unknown key 'kernal' (did you mean 'kernel'?)");
  auto r2 = parse("router-id: 10.0.0.1\nasn: 65001\nkernel:\n  max_paths: 4\n");
  CHECK(has(r2.errors,
            "test.yaml:4:3: kernel.max_paths: unknown key 'max_paths' (did you mean "
            "'max-paths'?)"));
  auto r3 = parse("router-id: 10.0.0.1\nasn: 65001\nzzzzzzzz: 1\n");
  CHECK(has(r3.errors, "unknown key 'zzzzzzzz'"));
  CHECK_FALSE(has(r3.errors, "did you mean"));
}

TEST_CASE("bad values name the file, line, column and field") {
  auto r = parse(
      "router-id: 10.0.0.256\nasn: 4294967296\nlisten:\n  - address: 10.0.0.1/24\n"
      "    port: 0\n");
  REQUIRE_FALSE(r.ok());
  INFO(all(r.errors));
  CHECK(has(r.errors, "test.yaml:1:12: router-id: '10.0.0.256' is not an IPv4 address"));
  CHECK(has(r.errors, "test.yaml:2:6: asn: AS number 4294967296 is out of range"));
  CHECK(has(r.errors,
            "test.yaml:4:14: listen[0].address: '10.0.0.1/24' is not an IPv4 or IPv6 "
            "address (a prefix length is not allowed here)"));
  CHECK(has(r.errors, "test.yaml:5:11: listen[0].port: 0 is out of range (1..65535)"));
  CHECK(r.errors.size() == 4);
}

TEST_CASE("ASN forms and reserved values") {
  CHECK(parse("router-id: 1.1.1.1\nasn: 1.10\n").config->asn == 65546);  // asdot
  CHECK(parse("router-id: 1.1.1.1\nasn: 4200000000\n").config->asn == 4200000000U);
  CHECK(has(parse("router-id: 1.1.1.1\nasn: 0\n").errors, "out of range"));
  CHECK(has(parse("router-id: 1.1.1.1\nasn: 23456\n").errors, "AS_TRANS"));
  CHECK(has(parse("router-id: 1.1.1.1\nasn: -5\n").errors, "expected an AS number"));
  CHECK(has(parse("router-id: 1.1.1.1\nasn: [1]\n").errors, "expected an AS number, got a list"));
  CHECK(has(parse("router-id: 0.0.0.0\nasn: 1\n").errors, "router-id 0.0.0.0 is not allowed"));
  CHECK(has(parse("router-id: 2001:db8::1\nasn: 1\n").errors, "not an IPv4 address"));
}

TEST_CASE("YAML syntax errors carry the parser's position") {
  auto r = parse("router-id: 10.0.0.1\nasn: [65001\n");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("YAML syntax error") == 0);
  CHECK(r.errors[0].where.line >= 2);
}

TEST_CASE("a key given twice is an error") {
  auto r = parse("router-id: 10.0.0.1\nasn: 65001\nasn: 65002\n");
  CHECK(has(r.errors, "test.yaml:3:1: asn: key 'asn' is given twice"));
}

TEST_CASE("kernel section") {
  auto r = parse(std::string(cfgtest::kHead) +
                 "kernel: { table: 100, protocol: 200, metric: 10, persist: true, max-paths: 4, "
                 "enabled: false }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(r.config->kernel == KernelConfig{false, 100, 200, 10, true, 4});
  CHECK(
      parse(std::string(cfgtest::kHead) + "kernel: { protocol: bgp }\n").config->kernel.protocol ==
      186);
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { protocol: 4 }\n").errors,
            "belongs to the kernel or static routes"));
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { table: local }\n").errors,
            "reserved for the kernel"));
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { table: 255 }\n").errors,
            "reserved for the kernel"));
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { persist: yes }\n").errors,
            "expected true or false, got 'yes'"));
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { max-paths: 0 }\n").errors,
            "out of range (1..256)"));
}

TEST_CASE("kernel resolve-table: next hops resolve through main unless told otherwise") {
  auto dflt = parse(std::string(cfgtest::kHead) + "kernel: { table: 100 }\n");
  REQUIRE(dflt.ok());
  CHECK(dflt.config->kernel.table == 100);
  CHECK(dflt.config->kernel.resolve_table == 254);
  auto set = parse(std::string(cfgtest::kHead) + "kernel: { table: 100, resolve-table: 100 }\n");
  INFO(all(set.errors));
  REQUIRE(set.ok());
  CHECK(set.config->kernel.resolve_table == 100);
  CHECK(parse(std::string(cfgtest::kHead) + "kernel: { table: 100, resolve-table: main }\n")
            .config->kernel.resolve_table == 254);
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { resolve-table: local }\n").errors,
            "reserved for the kernel"));
  CHECK(has(parse(std::string(cfgtest::kHead) + "kernel: { resolve-table: 0 }\n").errors,
            "out of range"));
}

TEST_CASE("originate with attributes") {
  auto r = parse(std::string(cfgtest::kHead) +
                 "originate:\n"
                 "  - prefix: 10.1.0.0/16\n"
                 "    communities: [65535:65282, no-export, 65001:7]\n"
                 "    large-communities: ['65001:1:2']\n"
                 "    med: 50\n    local-pref: 200\n    origin: incomplete\n"
                 "    as-path-prepend: 2\n    next-hop: 10.0.0.9\n"
                 "  - prefix: 2001:db8::/32\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  REQUIRE(r.config->originate.size() == 2);
  const Originate& o = r.config->originate[0];
  CHECK(o.prefix == *base::Prefix::parse("10.1.0.0/16"));
  CHECK(o.communities == std::vector<wire::Community>{wire::kNoAdvertise, wire::kNoExport,
                                                      wire::Community::of(65001, 7)});
  CHECK(o.large_communities == std::vector<wire::LargeCommunity>{{65001, 1, 2}});
  CHECK(o.med == 50U);
  CHECK(o.local_pref == 200U);
  CHECK(o.origin == wire::Origin::Incomplete);
  CHECK(o.as_path_prepend == 2);
  CHECK(o.next_hop == base::IpAddress::parse("10.0.0.9"));
  CHECK(r.config->originate[1].origin == wire::Origin::Igp);
}

TEST_CASE("originate mistakes") {
  auto bad = [](std::string body) { return parse(std::string(cfgtest::kHead) + body).errors; };
  CHECK(has(bad("originate: [ { prefix: 10.1.0.1/16 } ]\n"),
            "'10.1.0.1/16' has host bits set; did you mean 10.1.0.0/16?"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0 } ]\n"), "expected ADDRESS/LENGTH"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0/33 } ]\n"), "not a valid prefix"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0/16 }, { prefix: 10.1.0.0/16 } ]\n"),
            "originated twice"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0/16, communities: [65536:1] } ]\n"),
            "'65536:1' is not a valid community"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0/16, next-hop: '2001:db8::1' } ]\n"),
            "is not in the family of"));
  CHECK(has(bad("originate: [ { med: 5 } ]\n"), "required key 'prefix' is missing"));
  CHECK(has(bad("originate: [ { prefix: 10.1.0.0/16, origin: bgp } ]\n"),
            "expected igp, egp or incomplete"));
}

TEST_CASE("control, metrics and log") {
  auto r = parse(std::string(cfgtest::kHead) +
                 "control: { socket: /tmp/x.ctl }\nmetrics: { enabled: true, listen: "
                 "'[::1]:9100' }\nlog: { level: debug }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  CHECK(r.config->control.socket == "/tmp/x.ctl");
  CHECK(r.config->metrics.enabled);
  CHECK(r.config->metrics.address == *base::IpAddress::parse("::1"));
  CHECK(r.config->metrics.port == 9100);
  CHECK(r.config->log_level == LogLevel::Debug);
  auto bad = [](std::string body) { return parse(std::string(cfgtest::kHead) + body).errors; };
  CHECK(has(bad("metrics: { listen: 0.0.0.0:9100 }\n"), "must listen on a loopback address"));
  CHECK(has(bad("metrics: { listen: 127.0.0.1:99999 }\n"), "bad port"));
  CHECK(has(bad("control: { socket: relative.ctl }\n"), "must be an absolute path"));
  CHECK(has(bad("log: { level: verbose }\n"), "unknown log level 'verbose'"));
}

TEST_CASE("filter files resolve against the config directory and must exist") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("nvbt-config-{}", ::getpid());
  fs::create_directories(dir / "policy");
  { std::ofstream(dir / "policy" / "a.conf") << "filter A { accept; }\n"; }
  {
    std::ofstream(dir / "nvabgpd.yaml")
        << "router-id: 10.0.0.1\nasn: 65001\nfilters:\n  - policy/a.conf\n  - missing.conf\n";
  }
  auto r = load_config(dir / "nvabgpd.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where.line == 5);
  CHECK(r.errors[0].field == "filters[1]");
  CHECK(r.errors[0].message.find("does not exist") != std::string::npos);
  {
    std::ofstream(dir / "nvabgpd.yaml")
        << "router-id: 10.0.0.1\nasn: 65001\nfilters: [policy/a.conf]\n";
  }
  auto ok = load_config(dir / "nvabgpd.yaml");
  INFO(all(ok.errors));
  REQUIRE(ok.ok());
  REQUIRE(ok.config->filters.size() == 1);
  CHECK(ok.config->filters[0].written == "policy/a.conf");
  CHECK(ok.config->filters[0].path == (dir / "policy" / "a.conf").string());
  CHECK(ok.sources.at("filters[0]").line == 3);
  fs::remove_all(dir);
  auto missing = load_config(dir / "nope.yaml");
  CHECK(has(missing.errors, "cannot open the configuration file"));
}

TEST_CASE("oversized or binary input is refused without parsing") {
  CHECK(has(parse(std::string(kMaxConfigBytes + 1, '#')).errors, "larger than"));
  CHECK(has(parse(std::string("router-id: 1.1.1.1\0asn: 1\n", 26)).errors, "NUL byte"));
}

TEST_CASE("hostile YAML shapes are errors, not crashes") {
  CHECK_FALSE(parse(std::string(100000, '[')).ok());
  CHECK_FALSE(parse("router-id: 1.1.1.1\nasn: 1\npeers: " + std::string(50000, '{')).ok());
  // Aliases are resolved by yaml-cpp; a repeated anchor is just a repeated value.
  auto r = parse(
      "router-id: &r 10.0.0.1\nasn: 65001\npeers:\n"
      "  - &p { name: a, address: 10.0.0.2, asn: 65001 }\n  - *p\n");
  CHECK(cfgtest::has(r.errors, "peer name 'a' is already used"));
  CHECK_FALSE(parse("? [a, b]\n: c\nrouter-id: 1.1.1.1\nasn: 1\n").ok());
  CHECK_FALSE(parse("--- !!binary AAAA\n").ok());
  CHECK(cfgtest::has(parse("router-id: 1.1.1.1\nasn: 1\n---\nasn: 2\n").errors,
                     "test.yaml:3:1: the file holds more than one YAML document"));
}

TEST_CASE("the file must be UTF-8; the first bad byte is located") {
  CHECK(parse("router-id: 10.0.0.1\nasn: 65001\nlog: { level: info }  # caf\xc3\xa9 \xe2\x9c\x93\n")
            .ok());
  auto r = parse("router-id: 10.0.0.1\nasn: 65001\ncontrol: { socket: /run/x\xff.ctl }\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() == "test.yaml:3:26: the file is not valid UTF-8");
  CHECK_FALSE(parse("router-id: 10.0.0.1\n# \xc0\xaf overlong\n").ok());
  CHECK_FALSE(parse("router-id: 10.0.0.1\n# \xed\xa0\x80 surrogate\n").ok());
  CHECK_FALSE(parse("router-id: 10.0.0.1\n# truncated \xe2\x9c").ok());
}

TEST_CASE("input on which yaml-cpp yields documents forever is rejected, not looped on") {
  // A leading flow indicator makes yaml-cpp 0.7's parser return empty documents endlessly.
  auto r = parse(",roog# Nlog in\"2 of the.0 se.1");
  CHECK_FALSE(r.ok());
  CHECK(cfgtest::has(r.errors, "more than one YAML document"));
}
