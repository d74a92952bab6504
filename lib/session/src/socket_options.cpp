#include "socket_options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace nvabgpd::session::sockopt {

namespace {

std::string result(int rc, std::string_view what) {
  if (rc == 0) return {};
  return fmt::format("{}: {}", what, std::strerror(errno));
}

}  // namespace

std::string set_ttl(int fd, base::Family family, int ttl) {
  if (family == base::Family::V4) {
    return result(::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), "IP_TTL");
  }
  return result(::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl),
                "IPV6_UNICAST_HOPS");
}

std::string set_min_ttl(int fd, base::Family family, int min) {
  if (family == base::Family::V4) {
    return result(::setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof min), "IP_MINTTL");
  }
  return result(::setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof min),
                "IPV6_MINHOPCOUNT");
}

std::string set_md5(int fd, base::Family socket_family, const base::IpAddress& peer,
                    std::string_view key) {
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) return "TCP-MD5 key longer than 80 octets";
  tcp_md5sig sig{};
  const auto bytes = peer.bytes();
  if (socket_family == base::Family::V4 && peer.is_v4()) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, bytes.data(), 4);
    std::memcpy(&sig.tcpm_addr, &sin, sizeof sin);
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    if (peer.is_v4()) {  // v4-mapped on a v6 socket
      sin6.sin6_addr.s6_addr[10] = 0xff;
      sin6.sin6_addr.s6_addr[11] = 0xff;
      std::memcpy(&sin6.sin6_addr.s6_addr[12], bytes.data(), 4);
    } else {
      std::memcpy(&sin6.sin6_addr, bytes.data(), 16);
    }
    std::memcpy(&sig.tcpm_addr, &sin6, sizeof sin6);
  }
  sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  return result(::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig), "TCP_MD5SIG");
}

}  // namespace nvabgpd::session::sockopt
