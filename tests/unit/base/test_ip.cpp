#include <catch2/catch.hpp>

#include "nvabgpd/base/ip.hpp"

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;

TEST_CASE("IPv4 addresses parse and print") {
  auto a = IpAddress::parse("10.1.0.4");
  REQUIRE(a);
  CHECK(a->is_v4());
  CHECK(a->v4_value() == 0x0A010004U);
  CHECK(a->to_string() == "10.1.0.4");
  CHECK_FALSE(IpAddress::parse("10.1.0"));
  CHECK_FALSE(IpAddress::parse("10.1.0.256"));
  CHECK_FALSE(IpAddress::parse(""));
}

TEST_CASE("IPv6 addresses parse and print in RFC 5952 form") {
  auto a = IpAddress::parse("2001:DB8:0:0::1");
  REQUIRE(a);
  CHECK(a->is_v6());
  CHECK(a->to_string() == "2001:db8::1");
  CHECK(IpAddress::parse("fe80::1")->is_link_local());
  CHECK_FALSE(IpAddress::parse("2001:db8::1")->is_link_local());
}

TEST_CASE("Prefixes normalise and reject host bits unless asked") {
  CHECK(Prefix::parse("10.1.0.0/16")->to_string() == "10.1.0.0/16");
  CHECK_FALSE(Prefix::parse("10.1.0.1/16"));
  CHECK(Prefix::parse("10.1.0.1/16", true)->to_string() == "10.1.0.0/16");
  CHECK_FALSE(Prefix::parse("10.1.0.0/33"));
  CHECK_FALSE(Prefix::parse("10.1.0.0/"));
  CHECK(Prefix::parse("2001:db8::/32")->len() == 32);
  CHECK(Prefix::parse("10.1.1.4")->len() == 32);
  CHECK(Prefix::make(*IpAddress::parse("10.1.255.255"), 20).to_string() == "10.1.240.0/20");
}

TEST_CASE("Prefix containment: 10.1.0.0/20 covers the Route Server at 10.1.0.4") {
  auto p = *Prefix::parse("10.1.0.0/20");
  CHECK(p.contains(*IpAddress::parse("10.1.0.4")));
  CHECK_FALSE(p.contains(*IpAddress::parse("10.1.16.4")));
  CHECK(p.contains(*Prefix::parse("10.1.0.0/24")));
  CHECK_FALSE(p.contains(*Prefix::parse("10.1.0.0/16")));
  CHECK_FALSE(p.contains(*IpAddress::parse("::a01:4")));
}

TEST_CASE("Addresses order by family then bytes and hash consistently") {
  auto a = *IpAddress::parse("10.0.0.1");
  auto b = *IpAddress::parse("10.0.0.2");
  CHECK(a < b);
  CHECK(std::hash<IpAddress>{}(a) == std::hash<IpAddress>{}(*IpAddress::parse("10.0.0.1")));
  CHECK(fmt::format("{}", *Prefix::parse("1.2.3.0/24")) == "1.2.3.0/24");
}
