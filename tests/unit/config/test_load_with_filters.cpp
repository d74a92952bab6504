#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/load_with_filters.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;

namespace fs = std::filesystem;

namespace {

// A config directory of its own, with nvabgpd.yaml and policy/a.conf written by the test.
struct ConfigDir {
  fs::path dir = fs::temp_directory_path() / fmt::format("nvbt-lwf-{}", ::getpid());
  ConfigDir() { fs::create_directories(dir / "policy"); }
  ~ConfigDir() { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

std::string joined(const LoadedConfig& l) {
  std::string s;
  for (const auto& e : l.errors) s += e + "\n";
  return s;
}

constexpr const char* kYaml =
    "router-id: 10.0.0.1\nasn: 65001\nfilters: [policy/a.conf]\npeers:\n"
    "  - { name: p, address: 10.0.0.2, asn: 65002, import: all, export: OUT }\n";

}  // namespace

TEST_CASE("load_with_filters: the config and its compiled filters, all or nothing") {
  ConfigDir d;
  const std::string filter = "filter OUT { if net ~ [ 10.0.0.0/8+ ] then accept; reject; }\n";
  const fs::path conf = d.write("policy/a.conf", filter);
  LoadedConfig ok = load_with_filters(d.write("nvabgpd.yaml", kYaml));
  INFO(joined(ok));
  REQUIRE(ok.ok());
  REQUIRE(ok.program);
  CHECK(ok.program->find_filter("OUT") != nullptr);
  CHECK(ok.errors.empty());
  REQUIRE(ok.filter_texts.size() == 1);
  CHECK(ok.filter_texts.at(conf.string()) == filter);
  CHECK(ok.config->peers.at(0).export_filter == FilterRef::named("OUT"));
}

TEST_CASE("load_with_filters: a filter compile error is reported at its file:line:col") {
  ConfigDir d;
  const fs::path conf = d.write("policy/a.conf", "filter OUT {\n  accept\n}\n");
  LoadedConfig r = load_with_filters(d.write("nvabgpd.yaml", kYaml));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.program);
  REQUIRE_FALSE(r.errors.empty());
  INFO(joined(r));
  CHECK(r.errors[0].rfind(conf.string() + ":3:", 0) == 0);
}

TEST_CASE("load_with_filters: a filter name no file defines is an error at the config line") {
  ConfigDir d;
  d.write("policy/a.conf", "filter OTHER { accept; }\n");
  const fs::path yaml = d.write("nvabgpd.yaml", kYaml);
  LoadedConfig r = load_with_filters(yaml);
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.program);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] ==
        yaml.string() + ":5:68: peers[p].export: filter 'OUT' is not defined in any filter file");
}

TEST_CASE("load_with_filters: YAML errors stop before the filters, counted past the list") {
  ConfigDir d;
  std::string yaml = "router-id: 10.0.0.1\nasn: 65001\npeers:\n";
  for (int i = 0; i < 30; ++i) yaml += fmt::format("  - {{ name: p{}, address: bad }}\n", i);
  LoadedConfig r = load_with_filters(d.write("nvabgpd.yaml", yaml));
  CHECK_FALSE(r.ok());
  CHECK(r.filter_texts.empty());
  // kMaxShownDiagnostics listed, then one "... and N more" line; the count has them all.
  CHECK(r.errors.size() == kMaxShownDiagnostics + 1);
  CHECK(r.error_count > kMaxShownDiagnostics);
}

TEST_CASE("every shipped example loads with its filter files compiled") {
  const fs::path dir = fs::path(NVABGPD_SOURCE_DIR) / "config/examples";
  int with_filters = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    LoadedConfig r = load_with_filters(e.path());
    INFO(joined(r));
    CHECK(r.ok());
    CHECK(r.program);
    if (r.ok() && !r.config->filters.empty()) ++with_filters;
  }
  CHECK(with_filters >= 2);
}
