#include <catch2/catch.hpp>

#include <filesystem>

#include "helpers.hpp"
#include "nvabgpd/config/load.hpp"

using namespace nvabgpd;
using namespace nvabgpd::config;
using cfgtest::all;

namespace fs = std::filesystem;

TEST_CASE("every shipped example loads, filter files included") {
  const fs::path dir = fs::path(NVABGPD_SOURCE_DIR) / "config/examples";
  int count = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++count;
    INFO(e.path().string());
    auto r = load_config(e.path());
    INFO(all(r.errors));
    CHECK(r.ok());
    // Shipped examples are clean: no warnings either.
    INFO(all(r.warnings));
    CHECK(r.warnings.empty());
  }
  CHECK(count >= 4);
}

TEST_CASE("the seed's NVA1 example says what the seed says") {
  auto r =
      load_config(fs::path(NVABGPD_SOURCE_DIR) / "config/examples/nva1.yaml", LoadOptions{false});
  INFO(all(r.errors));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.router_id == *base::IpAddress::parse("10.1.1.4"));
  CHECK(c.asn == 65001);
  REQUIRE(c.originate.size() == 1);
  CHECK(c.originate[0].prefix == *base::Prefix::parse("10.1.0.0/16"));
  REQUIRE(c.filters.size() == 1);
  CHECK(fs::path(c.filters[0].path).filename() == "nva1_to_rs.conf");
  const PeerConfig* rs0 = c.find_peer("rs0");
  const PeerConfig* rs1 = c.find_peer("rs1");
  const PeerConfig* hub2 = c.find_peer("hub2");
  REQUIRE((rs0 && rs1 && hub2));
  CHECK(rs0->address == *base::IpAddress::parse("10.1.0.4"));
  CHECK(rs1->address == *base::IpAddress::parse("10.1.0.5"));
  CHECK(rs0->asn == 65515);
  CHECK(rs0->azure_route_server);
  CHECK(rs0->export_filter == FilterRef::named("TO_RS"));
  CHECK(hub2->address == *base::IpAddress::parse("192.168.0.2"));
  CHECK(hub2->asn == 65002);
  CHECK(referenced_filters(c) == std::vector<std::string>{"TO_RS"});
}
