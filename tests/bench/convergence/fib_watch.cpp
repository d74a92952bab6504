// Benchmark FIB counter: watches the IPv4 routes of one kernel routing table in the current
// network namespace (run it with `ip netns exec`) through the rtnetlink route multicast group,
// with a large receive buffer (SO_RCVBUFFORCE), and keeps the set of prefixes present. When
// the socket overflows (ENOBUFS) it rebuilds the set from a full dump. Routes of protocol
// kernel, boot or static (e.g. a connected route added for next-hop resolution) are not
// counted: only a routing daemon's. Prints JSON lines:
//   {"ready":true,"count":N}                       subscribed, initial dump done
//   {"event":"full","ns":..,"count":N,...}         the table holds >= --target prefixes
//   {"event":"empty","ns":..,"count":0,...}        the table holds none again (after "full")
// (ns: CLOCK_MONOTONIC of the message that made it so). Runs until killed.
// Usage: fib_watch --table 100 --target 1000000 [--rcvbuf-mb 512]
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "args.hpp"
#include "bgp_peer.hpp"

namespace {

struct Counters {
  std::size_t adds = 0, dels = 0, overruns = 0, dumps = 0;
};

int open_netlink(unsigned groups, int rcvbuf) {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  if (rcvbuf > 0 && ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Key of the route in `h` (an RTM_*ROUTE message) when it is an IPv4 route of `table`.
bool route_key(const nlmsghdr* h, std::uint32_t table, std::uint64_t& key) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return false;
  const auto* rt = reinterpret_cast<const rtmsg*>(reinterpret_cast<const char*>(h) + NLMSG_HDRLEN);
  if (rt->rtm_family != AF_INET || rt->rtm_protocol <= RTPROT_STATIC) return false;
  std::uint32_t tbl = rt->rtm_table;
  std::uint32_t dst = 0;
  int len = static_cast<int>(RTM_PAYLOAD(h));
  const auto* first = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(rt) +
                                                      NLMSG_ALIGN(sizeof(rtmsg)));
  for (const rtattr* a = first; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4) std::memcpy(&tbl, RTA_DATA(a), 4);
    if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= 4) std::memcpy(&dst, RTA_DATA(a), 4);
  }
  if (tbl != table) return false;
  key = (std::uint64_t{ntohl(dst)} << 8) | rt->rtm_dst_len;
  return true;
}

// Replaces `routes` by a full dump of `table`; false on a netlink error.
bool dump(std::uint32_t table, std::unordered_set<std::uint64_t>& routes, Counters& c) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = open_netlink(0, 64 << 20);
    if (fd < 0) return false;
    struct {
      nlmsghdr h;
      rtmsg rt;
    } req{};
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    req.h.nlmsg_type = RTM_GETROUTE;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.rt.rtm_family = AF_INET;
    if (::send(fd, &req, req.h.nlmsg_len, 0) < 0) {
      ::close(fd);
      return false;
    }
    ++c.dumps;
    routes.clear();
    std::vector<char> buf(1 << 20);
    bool done = false, interrupted = false, error = false;
    while (!done && !error) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        error = true;
        break;
      }
      int len = static_cast<int>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
           h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (h->nlmsg_type == NLMSG_DONE) done = true;
        if (h->nlmsg_type == NLMSG_ERROR) error = true;
        std::uint64_t key = 0;
        if (h->nlmsg_type == RTM_NEWROUTE && route_key(h, table, key)) routes.insert(key);
      }
    }
    ::close(fd);
    if (error) return false;
    if (!interrupted) return true;
  }
  return true;  // repeatedly interrupted: keep the last (approximate) view, events will fix it
}

void print(const char* event, std::size_t count, const Counters& c) {
  std::printf(
      "{\"event\":\"%s\",\"ns\":%lld,\"count\":%zu,\"adds\":%zu,\"dels\":%zu,\"overruns\":%zu,"
      "\"dumps\":%zu}\n",
      event, static_cast<long long>(nvabgpd::bench::now_ns()), count, c.adds, c.dels, c.overruns,
      c.dumps);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  nvabgpd::bench::Args args(argc, argv);
  const auto table = static_cast<std::uint32_t>(args.num("--table", 254));
  const std::size_t target = args.num("--target", 1'000'000);
  const int rcvbuf = static_cast<int>(args.num("--rcvbuf-mb", 512) << 20);
  int fd = open_netlink(RTMGRP_IPV4_ROUTE, rcvbuf);
  if (fd < 0) {
    std::perror("netlink");
    return 1;
  }
  Counters c;
  std::unordered_set<std::uint64_t> routes;
  routes.reserve(target + target / 2);
  if (!dump(table, routes, c)) {
    std::perror("dump");
    return 1;
  }
  std::printf("{\"ready\":true,\"count\":%zu}\n", routes.size());
  std::fflush(stdout);

  bool full = routes.size() >= target;
  if (full) print("full", routes.size(), c);
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != ENOBUFS) {
        std::perror("recv");
        return 1;
      }
      ++c.overruns;  // lost events: start over from the kernel's view
      if (!dump(table, routes, c)) {
        std::perror("dump");
        return 1;
      }
    } else {
      int len = static_cast<int>(n);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
           h = NLMSG_NEXT(h, len)) {
        std::uint64_t key = 0;
        if (!route_key(h, table, key)) continue;
        if (h->nlmsg_type == RTM_NEWROUTE) {
          ++c.adds;
          routes.insert(key);
        } else if (h->nlmsg_type == RTM_DELROUTE) {
          ++c.dels;
          routes.erase(key);
        }
      }
    }
    if (!full && routes.size() >= target) {
      full = true;
      print("full", routes.size(), c);
    } else if (full && routes.empty()) {
      full = false;
      print("empty", 0, c);
    }
  }
}
