#pragma once
// Minimal rtnetlink plumbing for the FIB: a socket, message building for our routes and
// parsing of route/link messages. Private to lib/fib.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/base/result.hpp"
#include "nvabgpd/fib/igp_table.hpp"
#include "nvabgpd/fib/kernel_route.hpp"

struct nlmsghdr;

namespace nvabgpd::fib::nl {

class Socket {
 public:
  Socket() = default;
  ~Socket();
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // groups: RTNLGRP_* numbers to join (monitor); empty for a request socket.
  static base::Result<Socket, std::string> open(std::span<const unsigned> groups, int buf_bytes);
  // Drops route notifications carrying this protocol id in the kernel (classic BPF), so our
  // own bulk changes never flood the monitor socket.
  bool filter_out_protocol(std::uint8_t protocol);

  int fd() const { return fd_; }
  std::uint32_t next_seq(std::uint32_t n = 1) {
    auto s = seq_;
    seq_ += n;
    return s;
  }
  // 0 or errno.
  int send(std::span<const std::uint8_t> buf);
  // Bytes received, or -errno (-EAGAIN when nothing is pending and !block).
  long recv(std::vector<std::uint8_t>& buf, bool block);

 private:
  int fd_ = -1;
  std::uint32_t seq_ = 1;
};

// Calls fn for each well-formed message in buf[0, n); stops if fn returns false.
void for_each_message(std::span<const std::uint8_t> buf,
                      const std::function<bool(const nlmsghdr&)>& fn);

// Appends one RTM_NEWROUTE (create or replace) or RTM_DELROUTE for our route. Without ack
// the kernel answers only if the request fails.
void append_route(std::vector<std::uint8_t>& buf, const KernelOp& op, std::uint32_t table,
                  std::uint8_t protocol, std::uint32_t seq, bool ack);
// Sets NLM_F_ACK on the message starting at buf[offset].
void request_ack(std::vector<std::uint8_t>& buf, std::size_t offset);
// Appends a dump request (RTM_GETROUTE for family, or RTM_GETLINK).
void append_dump(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint8_t family,
                 std::uint32_t seq);

struct ParsedRoute {
  IgpRoute route;  // prefix, table, protocol, type, metric, nexthops
  // Not a route the resolver may use: source-specific, TOS, cached (cloned) or RFC 5549.
  bool ignored = false;
};
std::optional<ParsedRoute> parse_route(const nlmsghdr& h);

struct ParsedLink {
  int ifindex = 0;
  bool usable = false;  // IFF_UP and IFF_RUNNING
  // Unicast remote endpoint of a tunnel link (vxlan, gre/gretap/erspan and their IPv6 forms,
  // ipip, sit, ip6tnl, geneve, vti/vti6), when the link info carries one.
  std::optional<base::IpAddress> tunnel_remote;
};
std::optional<ParsedLink> parse_link(const nlmsghdr& h);
// The unicast tunnel remote in the payload of an IFLA_LINKINFO attribute, if any.
std::optional<base::IpAddress> tunnel_remote(const std::uint8_t* linkinfo, std::size_t len);

// Converts a parsed route with our protocol id into our KernelRoute form.
KernelRoute to_kernel_route(const IgpRoute& r);

// Error of an NLMSG_ERROR message (positive errno, 0 = ack).
int parse_error(const nlmsghdr& h);

// Runs a dump on a request socket and passes every message to fn. 0 or errno (EAGAIN when
// the kernel reports the dump was interrupted by a change: run it again).
int dump(Socket& s, std::uint16_t type, std::uint8_t family,
         const std::function<void(const nlmsghdr&)>& fn);

}  // namespace nvabgpd::fib::nl
