#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/print.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

LoadResult load_example(std::string_view name) {
  LoadOptions o;
  o.check_filter_files = false;  // printing does not need the filter files
  return load_config(fs::path(NVABGPD_SOURCE_DIR) / "config/examples" / name, o);
}

// Canonical print drops user template names (their values are expanded).
Config without_user_templates(Config c) {
  for (auto& p : c.peers) p.template_name = p.azure_route_server ? "azure-route-server" : "";
  return c;
}

// Compares with tests/unit/config/golden/<name>; NVABGPD_UPDATE_GOLDENS=1 rewrites it.
void check_golden(const std::string& name, const std::string& actual) {
  const fs::path golden = fs::path(NVABGPD_GOLDEN_DIR) / name;
  if (std::getenv("NVABGPD_UPDATE_GOLDENS")) {
    std::ofstream(golden) << actual;
    WARN("rewrote " << golden.string());
    return;
  }
  REQUIRE(fs::exists(golden));
  CHECK(read(golden) == actual);
}

}  // namespace

TEST_CASE("canonical print of the shipped examples matches the goldens") {
  for (const char* name : {"nva1.yaml", "nva2.yaml", "minimal.yaml", "route-reflector.yaml"}) {
    INFO(name);
    auto r = load_example(name);
    INFO(all(r.errors));
    REQUIRE(r.ok());
    check_golden(name, to_yaml(*r.config));
  }
}

TEST_CASE("printing then loading gives the same config") {
  for (const char* name : {"nva1.yaml", "nva2.yaml", "minimal.yaml", "route-reflector.yaml"}) {
    INFO(name);
    auto r = load_example(name);
    REQUIRE(r.ok());
    const std::string text = to_yaml(*r.config, PrintOptions{true});
    auto again = parse_config(text, "printed.yaml",
                              fs::path(NVABGPD_SOURCE_DIR) / "config/examples", LoadOptions{false});
    INFO(text);
    INFO(all(again.errors));
    REQUIRE(again.ok());
    CHECK(*again.config == without_user_templates(*r.config));
    // Printing is a fixed point (once user template names, printed as comments, are gone).
    const std::string text2 = to_yaml(*again.config, PrintOptions{true});
    CHECK(text2 == to_yaml(without_user_templates(*r.config), PrintOptions{true}));
    auto third = parse_config(text2, "printed.yaml",
                              fs::path(NVABGPD_SOURCE_DIR) / "config/examples", LoadOptions{false});
    REQUIRE(third.ok());
    CHECK(to_yaml(*third.config, PrintOptions{true}) == text2);
  }
}

TEST_CASE("passwords are hidden unless asked for") {
  auto r = cfgtest::parse(
      "router-id: 1.1.1.1\nasn: 65001\npeers:\n"
      "  - { name: a, address: 10.0.0.2, asn: 65001, password: 'p: w#1' }\n");
  REQUIRE(r.ok());
  const std::string hidden = to_yaml(*r.config);
  CHECK(hidden.find("p: w#1") == std::string::npos);
  CHECK(hidden.find("# password: set (hidden)") != std::string::npos);
  const std::string shown = to_yaml(*r.config, PrintOptions{true});
  auto again = cfgtest::parse(shown);
  REQUIRE(again.ok());
  CHECK(again.config->peers[0].password == "p: w#1");
}

TEST_CASE("strings that need quoting survive the round trip") {
  auto r = cfgtest::parse(
      "router-id: 1.1.1.1\nasn: 65001\ntemplates:\n"
      "  - { name: t, description: 'x' }\npeers:\n"
      "  - { name: a, template: t, address: 10.0.0.2, asn: 65001, "
      "description: \"- [weird]: 'text' # not a comment\" }\n"
      "  - { name: b, address: 10.0.0.3, asn: 65001, description: '' }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  auto again = cfgtest::parse(to_yaml(*r.config));
  INFO(to_yaml(*r.config));
  REQUIRE(again.ok());
  CHECK(again.config->peers[0].description == "- [weird]: 'text' # not a comment");
  CHECK(again.config->peers[1].description.empty());
  CHECK(*again.config == without_user_templates(*r.config));
}
