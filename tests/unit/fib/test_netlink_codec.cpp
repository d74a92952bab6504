// The private rtnetlink codec of lib/fib: what we build parses back to the same route, and
// truncated or corrupted messages never read out of bounds (run under ASan in CI).
// <net/if.h> before the linux headers (<linux/if_tunnel.h> pulls in <linux/if.h>).
#include <net/if.h>
// (a separate include block, so clang-format keeps the order)

#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "helpers.hpp"
#include "netlink_socket.hpp"

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;
using namespace nvabgpd::fib;
using nvabgpd::fib::test::ip;
using nvabgpd::fib::test::pfx;

namespace {
std::vector<nl::ParsedRoute> parse_all(const std::vector<std::uint8_t>& buf) {
  std::vector<nl::ParsedRoute> out;
  nl::for_each_message(buf, [&](const nlmsghdr& h) {
    if (auto r = nl::parse_route(h)) out.push_back(*r);
    return true;
  });
  return out;
}
}  // namespace

TEST_CASE("route requests parse back to the route they describe") {
  KernelRoute v4{pfx("1.2.3.0/24"), 20, {{ip("10.1.1.1"), 2}}};
  KernelRoute v6{
      pfx("2001:db8:100::/48"), 30, {{ip("2001:db8:2::2"), 3}, {ip("2001:db8:2::3"), 4}}};
  KernelRoute def{pfx("0.0.0.0/0"), 20, {{ip("10.1.1.1"), 2}}};
  std::vector<std::uint8_t> buf;
  nl::append_route(buf, KernelOp{KernelOp::Kind::Replace, v4}, 254, 186, 1, false);
  nl::append_route(buf, KernelOp{KernelOp::Kind::Replace, v6}, 1000, 186, 2, true);
  nl::append_route(buf, KernelOp{KernelOp::Kind::Replace, def}, 254, 186, 3, false);
  nl::append_route(buf, KernelOp{KernelOp::Kind::Delete, v4}, 254, 186, 4, false);
  auto routes = parse_all(buf);
  REQUIRE(routes.size() == 4);
  CHECK(nl::to_kernel_route(routes[0].route) == v4);
  CHECK(routes[0].route.table == 254);
  CHECK(routes[0].route.protocol == 186);
  CHECK(nl::to_kernel_route(routes[1].route) == v6);
  CHECK(routes[1].route.table == 1000);  // > 255: carried in RTA_TABLE
  CHECK(nl::to_kernel_route(routes[2].route) == def);
  CHECK(routes[3].route.nexthops.empty());  // a delete names the route, not its next hops
  CHECK(routes[3].route.prefix == v4.prefix);
  CHECK(routes[3].route.metric == 20);
  // Flags: create+replace on RTM_NEWROUTE, ack only where asked.
  std::vector<std::uint16_t> flags;
  nl::for_each_message(buf, [&](const nlmsghdr& h) {
    flags.push_back(h.nlmsg_flags);
    return true;
  });
  CHECK((flags[0] & NLM_F_ACK) == 0);
  CHECK((flags[1] & NLM_F_ACK) != 0);
  CHECK((flags[0] & NLM_F_REPLACE) != 0);
  CHECK((flags[3] & NLM_F_REPLACE) == 0);
  nl::request_ack(buf, 0);
  nl::for_each_message(buf, [&](const nlmsghdr& h) {
    CHECK((h.nlmsg_flags & NLM_F_ACK) != 0);
    return false;
  });
}

TEST_CASE("truncated and corrupted route messages never crash the parser") {
  KernelRoute v6{
      pfx("2001:db8:100::/48"), 30, {{ip("2001:db8:2::2"), 3}, {ip("2001:db8:2::3"), 4}}};
  std::vector<std::uint8_t> good;
  nl::append_route(good, KernelOp{KernelOp::Kind::Replace, v6}, 254, 186, 1, true);
  for (std::size_t len = 0; len <= good.size(); ++len) {
    // Truncated buffer, with the header still claiming the full length...
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<long>(len));
    CHECK(parse_all(cut).size() <= 1);
    // ...and with the header claiming exactly what is there.
    if (len >= sizeof(nlmsghdr)) {
      auto fixed = cut;
      const auto n = static_cast<std::uint32_t>(len);
      std::memcpy(fixed.data(), &n, sizeof n);
      for (const auto& r : parse_all(fixed)) CHECK(r.route.prefix.len() <= 128);
    }
  }
  // Every byte flipped in turn (lengths, attribute types, nexthop lengths).
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0xff;
    for (const auto& r : parse_all(bad)) CHECK(r.route.nexthops.size() <= 2);
  }
}

TEST_CASE("link messages: usable means up and running") {
  std::vector<std::uint8_t> buf(NLMSG_SPACE(sizeof(ifinfomsg)), 0);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(buf.size());
  h.nlmsg_type = RTM_NEWLINK;
  ifinfomsg ifi{};
  ifi.ifi_index = 7;
  ifi.ifi_flags = IFF_UP;
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
  auto parse = [&] {
    std::optional<nl::ParsedLink> out;
    nl::for_each_message(buf, [&](const nlmsghdr& m) {
      out = nl::parse_link(m);
      return false;
    });
    return out;
  };
  REQUIRE(parse());
  CHECK(parse()->ifindex == 7);
  CHECK_FALSE(parse()->usable);  // no carrier
  ifi.ifi_flags = IFF_UP | IFF_RUNNING;
  std::memcpy(buf.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
  CHECK(parse()->usable);
}

namespace {
// Netlink attribute builder for link messages (nested attributes close with end()).
struct AttrBuf {
  std::vector<std::uint8_t> b;
  std::vector<std::size_t> open;
  void raw(std::uint16_t type, const void* data, std::size_t n) {
    const std::size_t at = b.size();
    rtattr a{static_cast<unsigned short>(RTA_LENGTH(n)), type};
    b.resize(at + RTA_SPACE(n));
    std::memcpy(b.data() + at, &a, sizeof a);
    if (n > 0) std::memcpy(b.data() + at + RTA_LENGTH(0), data, n);
  }
  void begin(std::uint16_t type) {
    open.push_back(b.size());
    raw(type, nullptr, 0);
  }
  void end() {
    const std::size_t at = open.back();
    open.pop_back();
    const auto len = static_cast<unsigned short>(b.size() - at);
    std::memcpy(b.data() + at, &len, sizeof len);
  }
  void addr(std::uint16_t type, const IpAddress& a) { raw(type, a.bytes().data(), a.byte_len()); }
};

// An RTM_NEWLINK for ifindex 9 of this kind whose IFLA_INFO_DATA holds one address attribute.
std::vector<std::uint8_t> tunnel_link(const char* kind, std::uint16_t attr, const IpAddress& a) {
  AttrBuf at;
  at.begin(IFLA_LINKINFO);
  at.raw(IFLA_INFO_KIND, kind, std::strlen(kind) + 1);
  at.begin(IFLA_INFO_DATA | NLA_F_NESTED);
  at.raw(IFLA_VXLAN_ID, "\x01\0\0\0", 4);  // an unrelated attribute first
  at.addr(attr, a);
  at.end();
  at.end();
  std::vector<std::uint8_t> buf(NLMSG_SPACE(sizeof(ifinfomsg)) + at.b.size());
  nlmsghdr h{};
  h.nlmsg_type = RTM_NEWLINK;
  ifinfomsg ifi{};
  ifi.ifi_index = 9;
  ifi.ifi_flags = IFF_UP | IFF_RUNNING;
  std::memcpy(buf.data() + NLMSG_SPACE(sizeof(ifinfomsg)), at.b.data(), at.b.size());
  h.nlmsg_len = static_cast<std::uint32_t>(buf.size());
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
  return buf;
}

std::optional<IpAddress> remote_of(const std::vector<std::uint8_t>& buf) {
  std::optional<IpAddress> out;
  nl::for_each_message(buf, [&](const nlmsghdr& m) {
    if (auto l = nl::parse_link(m)) out = l->tunnel_remote;
    return false;
  });
  return out;
}
}  // namespace

TEST_CASE("tunnel endpoints are read from the link info of tunnel links") {
  CHECK(remote_of(tunnel_link("vxlan", IFLA_VXLAN_GROUP, ip("10.2.1.4"))) == ip("10.2.1.4"));
  CHECK(remote_of(tunnel_link("vxlan", IFLA_VXLAN_GROUP6, ip("2001:db8::4"))) == ip("2001:db8::4"));
  CHECK(remote_of(tunnel_link("geneve", IFLA_GENEVE_REMOTE, ip("10.9.0.1"))) == ip("10.9.0.1"));
  CHECK(remote_of(tunnel_link("geneve", IFLA_GENEVE_REMOTE6, ip("2001:db8::9"))) ==
        ip("2001:db8::9"));
  CHECK(remote_of(tunnel_link("gre", IFLA_GRE_REMOTE, ip("10.2.1.9"))) == ip("10.2.1.9"));
  CHECK(remote_of(tunnel_link("gretap", IFLA_GRE_REMOTE, ip("10.2.1.9"))) == ip("10.2.1.9"));
  CHECK(remote_of(tunnel_link("ip6gre", IFLA_GRE_REMOTE, ip("2001:db8::7"))) == ip("2001:db8::7"));
  CHECK(remote_of(tunnel_link("ipip", IFLA_IPTUN_REMOTE, ip("10.2.1.8"))) == ip("10.2.1.8"));
  CHECK(remote_of(tunnel_link("sit", IFLA_IPTUN_REMOTE, ip("10.2.1.8"))) == ip("10.2.1.8"));
  CHECK(remote_of(tunnel_link("ip6tnl", IFLA_IPTUN_REMOTE, ip("2001:db8::8"))) ==
        ip("2001:db8::8"));
  CHECK(remote_of(tunnel_link("vti", IFLA_VTI_REMOTE, ip("10.2.1.7"))) == ip("10.2.1.7"));
  // The local end is not the remote.
  CHECK_FALSE(remote_of(tunnel_link("gre", IFLA_GRE_LOCAL, ip("10.1.1.4"))));
  // Multicast VXLAN groups and unset remotes are not endpoints.
  CHECK_FALSE(remote_of(tunnel_link("vxlan", IFLA_VXLAN_GROUP, ip("239.1.1.1"))));
  CHECK_FALSE(remote_of(tunnel_link("vxlan", IFLA_VXLAN_GROUP6, ip("ff05::1"))));
  CHECK_FALSE(remote_of(tunnel_link("vxlan", IFLA_VXLAN_GROUP, ip("0.0.0.0"))));
  // Another kind's attribute id means something else: a bridge carries no endpoint.
  CHECK_FALSE(remote_of(tunnel_link("bridge", IFLA_VXLAN_GROUP, ip("10.2.1.4"))));
  CHECK_FALSE(remote_of(tunnel_link("vxlan", IFLA_VXLAN_LOCAL, ip("10.1.1.4"))));
}

TEST_CASE("truncated tunnel link info never reads out of bounds") {
  const auto full = tunnel_link("vxlan", IFLA_VXLAN_GROUP, ip("10.2.1.4"));
  for (std::size_t n = NLMSG_HDRLEN + sizeof(ifinfomsg); n < full.size(); ++n) {
    auto buf = full;
    const auto len = static_cast<std::uint32_t>(n);
    std::memcpy(buf.data(), &len, sizeof len);  // the message claims only n bytes
    buf.resize(n);
    auto r = remote_of(buf);
    CHECK((!r || *r == ip("10.2.1.4")));
  }
}
