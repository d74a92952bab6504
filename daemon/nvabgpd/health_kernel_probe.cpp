// The interface and route health probes: one ioctl, one rtnetlink dump (no libnl: a single
// read-only request does not need it, and libnl stays inside lib/fib). Both run on the health
// prober's thread and see the network namespace of the daemon.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "health_prober.hpp"

namespace nvabgpd::daemon {

namespace {
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

bool interface_up(const std::string& name, std::string* detail) {
  Fd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) {
    *detail = fmt::format("socket: {}", std::strerror(errno));
    return false;
  }
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(s.fd, SIOCGIFFLAGS, &ifr) != 0) {
    *detail = errno == ENODEV ? std::string("no such interface")
                              : fmt::format("{}", std::strerror(errno));
    return false;
  }
  const auto flags = static_cast<unsigned>(ifr.ifr_flags);
  if (!(flags & IFF_UP)) {
    *detail = "administratively down";
    return false;
  }
  if (!(flags & IFF_RUNNING)) {
    *detail = "no carrier (operationally down)";
    return false;
  }
  *detail = "up";
  return true;
}

// The rtnetlink walking macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
bool kernel_route_exists(const base::Prefix& prefix, std::uint32_t table, std::string* detail) {
  Fd s{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
  if (s.fd < 0) {
    *detail = fmt::format("netlink socket: {}", std::strerror(errno));
    return false;
  }
  timeval tv{1, 0};  // a dump of one table answers in well under a second
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct {
    nlmsghdr nh;
    rtmsg rt;
  } req{};
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.nh.nlmsg_type = RTM_GETROUTE;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = 1;
  req.rt.rtm_family = prefix.is_v4() ? AF_INET : AF_INET6;
  if (::send(s.fd, &req, req.nh.nlmsg_len, 0) < 0) {
    *detail = fmt::format("netlink send: {}", std::strerror(errno));
    return false;
  }
  const std::size_t alen = prefix.is_v4() ? 4 : 16;
  std::array<char, 32768> buf{};
  bool found = false;
  for (;;) {
    const ssize_t n = ::recv(s.fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      *detail = fmt::format("netlink recv: {}", std::strerror(errno));
      return false;
    }
    auto len = static_cast<unsigned>(n);
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, len);
         nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE) {
        *detail = found ? fmt::format("{} in table {}", prefix.to_string(), table)
                        : fmt::format("no route {} in table {}", prefix.to_string(), table);
        return found;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        *detail = "netlink dump refused";
        return false;
      }
      if (nh->nlmsg_type != RTM_NEWROUTE) continue;
      const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(nh));
      if (rt->rtm_dst_len != prefix.len()) continue;
      std::uint32_t t = rt->rtm_table;
      std::optional<base::IpAddress> dst;
      int alen_left = static_cast<int>(RTM_PAYLOAD(nh));
      for (const rtattr* a = RTM_RTA(rt); RTA_OK(a, alen_left); a = RTA_NEXT(a, alen_left)) {
        if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
          std::memcpy(&t, RTA_DATA(a), 4);
        else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == alen)
          dst = base::IpAddress::from_bytes(static_cast<const std::uint8_t*>(RTA_DATA(a)), alen);
      }
      if (t != table) continue;
      // A default route has no RTA_DST.
      const bool match = dst ? base::Prefix::make(*dst, prefix.len()) == prefix : prefix.len() == 0;
      if (match) found = true;
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace nvabgpd::daemon
