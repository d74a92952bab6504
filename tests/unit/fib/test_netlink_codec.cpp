// The private rtnetlink codec of lib/fib: what we build parses back to the same route, and
// truncated or corrupted messages never read out of bounds (run under ASan in CI).
#include <linux/rtnetlink.h>
#include <net/if.h>

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
