// Golden tests: real messages from gobgpd 3.10 and BIRD 2.0.12 (tests/fixtures/wire/*.hex,
// made by tests/fixtures/wire/capture.sh) decode to the values those daemons were configured
// to send, and survive re-encoding.
#include <catch2/catch.hpp>

#include <fstream>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;

namespace {

const SessionParams k4{true, false};

std::vector<std::vector<std::uint8_t>> load(const std::string& name) {
  std::ifstream in(std::string(NVABGPD_WIRE_FIXTURES) + "/" + name);
  REQUIRE(in.good());
  std::vector<std::vector<std::uint8_t>> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(hex(line));
  return out;
}

const SessionParams k2{false, false};

// Files named *-2octet.hex come from a session without the 4-octet AS capability.
const SessionParams& params_for(const std::string& file) {
  return file.find("-2octet") != std::string::npos ? k2 : k4;
}

Message decode_ok(const std::vector<std::uint8_t>& bytes, const SessionParams& p = k4) {
  const auto r = decode(bytes, p);
  INFO(to_hex(bytes));
  REQUIRE(r.ok());
  return *r.message;
}

const char* const kFiles[] = {
    "bird-keepalive.hex",
    "bird-notification.hex",
    "bird-open.hex",
    "bird-route-refresh.hex",
    "bird-update.hex",
    "gobgp-keepalive.hex",
    "gobgp-open.hex",
    "gobgp-update.hex",
    "exabgp-open-2octet.hex",
    "exabgp-update-2octet.hex",
    "exabgp-keepalive-2octet.hex",
    "gobgp-open-2octet.hex",
    "gobgp-update-2octet.hex",
    "gobgp-keepalive-2octet.hex",
};

// The capture order of sessions varies, so messages are found by content.
template <typename T, typename Pred>
T find_message(const std::string& file, Pred pred) {
  for (const auto& bytes : load(file)) {
    const Message m = decode_ok(bytes, params_for(file));
    if (const T* t = std::get_if<T>(&m); t && pred(*t)) return *t;
  }
  FAIL("no matching message in " << file);
  return T{};
}

template <typename Pred>
std::pair<Update, std::vector<std::uint8_t>> find_update(const std::string& file, Pred pred) {
  for (const auto& bytes : load(file)) {
    const Message m = decode_ok(bytes, params_for(file));
    if (const auto* u = std::get_if<Update>(&m); u && pred(*u)) return {*u, bytes};
  }
  FAIL("no matching UPDATE in " << file);
  return {};
}

bool is_v4(const Open& o) { return o.caps.multiprotocol == std::vector{kIpv4Unicast}; }
bool is_v6(const Open& o) { return o.caps.multiprotocol == std::vector{kIpv6Unicast}; }

}  // namespace

TEST_CASE("every captured message decodes cleanly and re-encodes to the same value") {
  std::size_t n = 0;
  for (const char* f : kFiles) {
    const auto& p = params_for(f);
    for (const auto& bytes : load(f)) {
      INFO(f << ": " << to_hex(bytes));
      const Message m = decode_ok(bytes, p);
      const auto again = decode(encode(m, p), p);
      REQUIRE(again.ok());
      CHECK(*again.message == m);
      ++n;
    }
  }
  CHECK(n >= 30);
}

TEST_CASE("BIRD OPEN (IPv4 session)") {
  const auto o = find_message<Open>("bird-open.hex", is_v4);
  CHECK(o.my_as == 65002);
  CHECK(o.asn() == 65002);
  CHECK(o.hold_time == 240);
  CHECK(o.bgp_id == 0x0AFF0002);  // 10.255.0.2
  const auto& c = o.caps;
  CHECK(c.multiprotocol == std::vector{kIpv4Unicast});
  CHECK(c.route_refresh);
  CHECK(c.enhanced_route_refresh);
  CHECK(c.extended_message);
  CHECK(c.four_octet_as == 65002U);
  REQUIRE(c.graceful_restart);
  CHECK(c.graceful_restart->restart_time == 120);
  CHECK(c.graceful_restart->families ==
        std::vector{GracefulRestartCap::Family{kIpv4Unicast, false}});
  // Long-lived graceful restart (71) is not interpreted: kept and reported.
  CHECK(c.unknown == std::vector{RawCapability{71, {}}});
}

TEST_CASE("BIRD OPEN (IPv6 session) is graceful-restart aware without families") {
  const auto o = find_message<Open>("bird-open.hex", is_v6);
  CHECK(o.caps.multiprotocol == std::vector{kIpv6Unicast});
  REQUIRE(o.caps.graceful_restart);
  CHECK(o.caps.graceful_restart->families.empty());
  CHECK_FALSE(o.caps.extended_message);
}

TEST_CASE("gobgpd OPEN with a 4-octet ASN carries AS_TRANS") {
  const auto o = find_message<Open>("gobgp-open.hex", is_v4);
  CHECK(o.my_as == kAsTrans);
  CHECK(o.asn() == 4200000001U);
  CHECK(o.hold_time == 90);
  CHECK(o.bgp_id == 0x0AFF0001);
  CHECK(o.caps.multiprotocol == std::vector{kIpv4Unicast});
  CHECK(o.caps.route_refresh);
  REQUIRE(o.caps.fqdn);
  CHECK(o.caps.fqdn->domain.empty());
  REQUIRE(o.caps.graceful_restart);
  CHECK(o.caps.graceful_restart->restart_time == 120);
  // Extended next hop (5, RFC 8950) is kept as unknown.
  CHECK(o.caps.unknown == std::vector{RawCapability{5, hex("0001 0001 0002")}});
}

TEST_CASE("BIRD NOTIFICATION carries the shutdown communication") {
  const auto bytes = load("bird-notification.hex").at(0);
  const auto n = std::get<Notification>(decode_ok(bytes));
  CHECK(n.code == err::kCease);
  CHECK(n.subcode == err::kCeaseAdminShutdown);
  CHECK(decode_shutdown_communication(n) == "maintenance window 42");
  CHECK(describe(n) == "Cease/Administrative Shutdown: \"maintenance window 42\"");
  CHECK(encode(n, k4) == bytes);
}

TEST_CASE("BIRD ROUTE-REFRESH") {
  const auto bytes = load("bird-route-refresh.hex").at(0);
  CHECK(std::get<RouteRefresh>(decode_ok(bytes)) == RouteRefresh{kIpv4Unicast, 0});
  CHECK(encode(RouteRefresh{kIpv4Unicast, 0}, k4) == bytes);
}

TEST_CASE("KEEPALIVEs from both daemons") {
  for (const char* f : {"bird-keepalive.hex", "gobgp-keepalive.hex"})
    for (const auto& bytes : load(f)) CHECK(encode(decode_ok(bytes), k4) == bytes);
}

TEST_CASE("BIRD UPDATEs: IPv6 MP_REACH with link-local next hop, IPv4 with communities, EoR") {
  const std::string f = "bird-update.hex";
  const auto [v6, v6_bytes] =
      find_update(f, [](const Update& u) { return u.mp_reach.has_value(); });
  CHECK(v6.mp_reach->af == kIpv6Unicast);
  CHECK(v6.mp_reach->next_hop == ip("fd00:255::2"));
  REQUIRE(v6.mp_reach->link_local_next_hop);
  CHECK(v6.mp_reach->link_local_next_hop->is_link_local());
  CHECK(v6.mp_reach->nlri == std::vector{pfx("2001:db8:100::/48"), pfx("2001:db8:200::/56")});
  CHECK(v6.attrs.as_path.to_string() == "65002");
  CHECK(v6.attrs.origin == Origin::Igp);

  find_update(f, [](const Update& u) { return u.end_of_rib() == kIpv6Unicast; });
  const auto [eor4, eor4_bytes] =
      find_update(f, [](const Update& u) { return u.end_of_rib() == kIpv4Unicast; });
  CHECK(encode(eor4, k4) == eor4_bytes);

  const auto [plain, plain_bytes] =
      find_update(f, [](const Update& u) { return u.nlri.size() == 2; });
  CHECK(plain.nlri == std::vector{pfx("172.16.8.0/22"), pfx("172.16.2.0/23")});
  CHECK(plain.attrs.next_hop == ip("10.255.0.2"));
  CHECK(encode(plain, k4) == plain_bytes);

  const auto [tagged, tagged_bytes] =
      find_update(f, [](const Update& u) { return u.nlri == std::vector{pfx("172.16.1.0/24")}; });
  CHECK(tagged.attrs.med == 5U);
  CHECK(tagged.attrs.communities ==
        std::vector{Community::of(65002, 10), Community::of(65002, 20)});
  CHECK(tagged.attrs.large_communities == std::vector{LargeCommunity{65002, 1, 1}});
  CHECK(encode(tagged, k4) == tagged_bytes);
}

TEST_CASE("gobgpd UPDATEs: 4-octet AS path, communities, withdrawal, IPv6") {
  const std::string f = "gobgp-update.hex";
  const auto [v6, v6_bytes] =
      find_update(f, [](const Update& u) { return u.mp_reach.has_value(); });
  CHECK(v6.mp_reach->next_hop == ip("fd00:255::1"));
  CHECK_FALSE(v6.mp_reach->link_local_next_hop);
  CHECK(v6.mp_reach->nlri == std::vector{pfx("2001:db8:1::/48")});
  CHECK(v6.attrs.communities == std::vector{Community::of(65001, 600)});

  const auto [tagged, tagged_bytes] =
      find_update(f, [](const Update& u) { return u.nlri == std::vector{pfx("10.1.0.0/24")}; });
  CHECK(tagged.attrs.as_path.to_string() == "4200000001");
  CHECK(tagged.attrs.med == 10U);
  CHECK(tagged.attrs.communities == std::vector{Community::of(65001, 100), kNoExport});
  CHECK(tagged.attrs.large_communities == std::vector{LargeCommunity{4200000001U, 1, 2}});
  CHECK(encode(tagged, k4) == tagged_bytes);

  const auto [incomplete, incomplete_bytes] =
      find_update(f, [](const Update& u) { return u.nlri == std::vector{pfx("10.2.0.0/16")}; });
  CHECK(incomplete.attrs.origin == Origin::Incomplete);

  const auto [withdraw, withdraw_bytes] = find_update(
      f, [](const Update& u) { return u.withdrawn == std::vector{pfx("10.2.0.0/16")}; });
  CHECK_FALSE(withdraw.has_attributes);
  CHECK(encode(withdraw, k4) == withdraw_bytes);
}

TEST_CASE("gobgpd to a 2-octet peer: AS_TRANS in AS_PATH, real path in AS4_PATH") {
  const std::string f = "gobgp-update-2octet.hex";
  // Its own route: AS_PATH 23456, AS4_PATH 4200000001.
  const auto [own, own_bytes] =
      find_update(f, [](const Update& u) { return u.nlri == std::vector{pfx("10.1.0.0/24")}; });
  CHECK(own.attrs.as_path.to_string() == "4200000001");
  // gobgpd writes AS4_PATH after LARGE_COMMUNITY; we write type-code order, so compare values.
  CHECK(std::get<Update>(decode_ok(encode(own, k2), k2)) == own);
  // BIRD's route passed on: AS_PATH 23456 65002, AS4_PATH 4200000001 65002.
  const auto [relayed, relayed_bytes] =
      find_update(f, [](const Update& u) { return u.nlri == std::vector{pfx("172.16.1.0/24")}; });
  CHECK(relayed.attrs.as_path.to_string() == "4200000001 65002");
  CHECK(relayed.attrs.communities ==
        std::vector{Community::of(65002, 10), Community::of(65002, 20)});
  CHECK(std::get<Update>(decode_ok(encode(relayed, k2), k2)) == relayed);
  CHECK(encode(relayed, k2).size() == relayed_bytes.size());
  // Read as a 4-octet session would (wrongly) read it, the same bytes are malformed: the
  // session parameters matter.
  CHECK_FALSE(decode(own_bytes, k4).ok());
}

TEST_CASE("ExaBGP as a 2-octet speaker") {
  const auto o = find_message<Open>("exabgp-open-2octet.hex", [](const Open&) { return true; });
  CHECK(o.my_as == 65003);
  CHECK_FALSE(o.caps.four_octet_as);
  CHECK(o.asn() == 65003);
  const auto [u, bytes] =
      find_update("exabgp-update-2octet.hex", [](const Update& x) { return !x.nlri.empty(); });
  CHECK(u.nlri == std::vector{pfx("172.20.0.0/24")});
  CHECK(u.attrs.as_path.to_string() == "65003");
  CHECK(u.attrs.communities == std::vector{Community::of(65003, 1)});
  CHECK(encode(u, k2) == bytes);
}
