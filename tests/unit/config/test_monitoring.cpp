// The `bmp` and `mrt` sections: defaults, validation, relative file patterns.
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"
#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/print.hpp"

#include <fmt/format.h>

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;
using cfgtest::has;
using cfgtest::kHead;
using cfgtest::parse;

TEST_CASE("bmp stations load with defaults; mrt patterns resolve against the config dir") {
  auto r = parse(std::string(kHead) +
                 "bmp:\n"
                 "  - { address: 192.0.2.9, port: 1790 }\n"
                 "  - { address: '2001:db8::9', port: 11019, buffer: 1048576, stats-interval: 0 }\n"
                 "mrt: { file: 'mrt/%Y%m%d.%H%M.mrt', interval: 300 }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  REQUIRE(c.bmp.size() == 2);
  CHECK(c.bmp[0].address == *base::IpAddress::parse("192.0.2.9"));
  CHECK(c.bmp[0].port == 1790);
  CHECK(c.bmp[0].buffer == 16u << 20);
  CHECK(c.bmp[0].stats_interval == 60);
  CHECK(c.bmp[1].buffer == 1048576);
  CHECK(c.bmp[1].stats_interval == 0);
  CHECK(c.mrt.enabled);
  CHECK(c.mrt.file == "mrt/%Y%m%d.%H%M.mrt");
  CHECK(c.mrt.path == "/etc/nvabgpd/mrt/%Y%m%d.%H%M.mrt");
  CHECK(c.mrt.interval == 300);
  CHECK(c.mrt.table_dump);
  CHECK(c.mrt.messages);
}

TEST_CASE("no bmp or mrt section: nothing is exported") {
  auto r = parse(kHead);
  REQUIRE(r.ok());
  CHECK(r.config->bmp.empty());
  CHECK_FALSE(r.config->mrt.enabled);
}

TEST_CASE("bad bmp stations are reported with their position") {
  auto r = parse(std::string(kHead) +
                 "bmp:\n"
                 "  - { address: 192.0.2.9 }\n"
                 "  - { address: 0.0.0.0, port: 1790 }\n"
                 "  - { address: 192.0.2.9, port: 70000 }\n"
                 "  - { address: 192.0.2.9, port: 1790, buffer: 10 }\n"
                 "  - { address: 192.0.2.9, port: 1790, colour: red }\n"
                 "  - { address: 192.0.2.8, port: 1790 }\n"
                 "  - { address: 192.0.2.8, port: 1790 }\n");
  CHECK_FALSE(r.ok());
  INFO(all(r.errors));
  CHECK(has(r.errors, "bmp[0].port: required key 'port' is missing"));
  CHECK(has(r.errors, "bmp[1].address: a BMP station needs a real address"));
  CHECK(has(r.errors, "bmp[2].port"));
  CHECK(has(r.errors, "bmp[3].buffer"));
  CHECK(has(r.errors, "colour"));
  CHECK(has(r.errors, "bmp[6]: BMP station 192.0.2.8 port 1790 is listed twice"));
}

TEST_CASE("bad mrt settings are reported") {
  CHECK(has(parse(std::string(kHead) + "mrt: { interval: 60 }\n").errors,
            "mrt.file: required key 'file' is missing"));
  CHECK(has(parse(std::string(kHead) + "mrt: { file: /var/lib/x/ }\n").errors,
            "is not a file name pattern"));
  CHECK(has(
      parse(std::string(kHead) + "mrt: { file: x, table-dump: false, messages: false }\n").errors,
      "nothing to write"));
  CHECK(has(parse(std::string(kHead) + "mrt: { file: x, interval: -1 }\n").errors, "mrt.interval"));
}

TEST_CASE("bmp and mrt print back to a config that loads the same") {
  auto r = parse(std::string(kHead) +
                 "bmp: [{ address: 192.0.2.9, port: 1790, stats-interval: 5 }]\n"
                 "mrt: { file: 'mrt/%H%M.mrt', interval: 60, messages: false }\n");
  REQUIRE(r.ok());
  const std::string text = to_yaml(*r.config, {});
  auto again = parse(text);
  INFO(text << all(again.errors));
  REQUIRE(again.ok());
  CHECK(again.config->bmp == r.config->bmp);
  CHECK(again.config->mrt == r.config->mrt);
}

TEST_CASE("a reload plan reports bmp and mrt changes (applied at restart)") {
  auto a = parse(std::string(kHead) + "bmp: [{ address: 192.0.2.9, port: 1790 }]\n");
  auto b = parse(std::string(kHead) + "bmp: [{ address: 192.0.2.9, port: 1791 }]\n" +
                 "mrt: { file: x.mrt }\n");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const ReloadPlan same = diff_configs(*a.config, *a.config, {});
  CHECK(same.empty());
  const ReloadPlan plan = diff_configs(*a.config, *b.config, {});
  CHECK_FALSE(plan.empty());
  CHECK(plan.global.monitoring);
  const std::string changes = fmt::format("{}", fmt::join(plan.global.changes, "; "));
  CHECK(changes.find("bmp stations changed (applied at restart)") != std::string::npos);
  CHECK(changes.find("mrt settings changed (applied at restart)") != std::string::npos);
}
