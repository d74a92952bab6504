#pragma once
// Linux socket options for BGP sessions, on raw file descriptors (no Asio here).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::session::sockopt {

// Each returns an empty string on success, else the error text (with errno's message).
std::string set_ttl(int fd, base::Family family, int ttl);
// RFC 5082: drop segments whose TTL / hop limit is below `min` (IP_MINTTL/IPV6_MINHOPCOUNT).
std::string set_min_ttl(int fd, base::Family family, int min);
// RFC 5082 per peer on a shared listening socket: a classic BPF filter drops segments from a
// rule's address whose TTL (IPv4) or hop limit (IPv6) is below its minimum; other sources
// pass. It runs on SYNs at the listener and is inherited by accepted sockets. No rules:
// the filter is removed.
struct GtsmRule {
  base::IpAddress peer;
  int min_ttl = 0;
};
std::string set_gtsm_filter(int fd, base::Family family, const std::vector<GtsmRule>& rules);
// RFC 2385: sign/verify segments to and from `peer` with `key` (empty key removes it).
// `socket_family` is the socket's own family (a v6 listener keys v4 peers as v4-mapped).
std::string set_md5(int fd, base::Family socket_family, const base::IpAddress& peer,
                    std::string_view key);

}  // namespace nvabgpd::session::sockopt
