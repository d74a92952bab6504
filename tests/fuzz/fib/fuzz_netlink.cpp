// Feeds any bytes to the FIB's rtnetlink reader as a kernel receive buffer: every message is
// walked and parsed as route, link and error. Properties checked:
// - nothing reads outside the buffer (ASan) and parsed prefixes are well-formed;
// - a parsed route, turned into our KernelRoute and encoded with append_route, parses back
//   to the same KernelRoute and table (the encoder and the parser agree).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "netlink_socket.hpp"

namespace nl = nvabgpd::fib::nl;
using nvabgpd::fib::KernelOp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check_round_trip(const nl::ParsedRoute& p) {
  // The kernel never sends more next hops than fit one RTA_MULTIPATH (16-bit length).
  if (p.route.nexthops.size() > 64) return;
  KernelOp op;
  op.route = nl::to_kernel_route(p.route);
  std::vector<std::uint8_t> buf;
  nl::append_route(buf, op, p.route.table, 200, 7, false);
  int seen = 0;
  nl::for_each_message(buf, [&](const nlmsghdr& h) {
    ++seen;
    const auto again = nl::parse_route(h);
    require(again.has_value());
    require(again->route.table == p.route.table);
    require(nl::to_kernel_route(again->route) == op.route);
    return true;
  });
  require(seen == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // recv() fills an aligned buffer; copy so nlmsghdr reads are aligned as in production.
  const std::vector<std::uint8_t> buf(data, data + size);
  std::size_t walked = 0;
  nl::for_each_message(buf, [&](const nlmsghdr& h) {
    require(h.nlmsg_len >= sizeof(nlmsghdr));
    walked += h.nlmsg_len;
    require(walked <= buf.size());  // messages never overlap or run past the buffer
    if (auto r = nl::parse_route(h)) {
      const auto& pfx = r->route.prefix;
      require(pfx.len() <= (pfx.is_v4() ? 32U : 128U));
      check_round_trip(*r);
    }
    if (auto l = nl::parse_link(h)) require(h.nlmsg_type == RTM_NEWLINK || !l->usable);
    (void)nl::parse_error(h);
    return true;
  });
  return 0;
}
