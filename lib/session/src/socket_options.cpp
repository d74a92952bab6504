#include "socket_options.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <array>
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

std::string set_gtsm_filter(int fd, base::Family family, const std::vector<GtsmRule>& rules) {
  if (rules.empty()) {
    int unused = 0;
    const int rc = ::setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused);
    return rc == 0 || errno == ENOENT ? std::string() : result(rc, "SO_DETACH_FILTER");
  }
  constexpr std::uint32_t kAccept = 0xffffffffu;
  const bool v4 = family == base::Family::V4;
  std::vector<sock_filter> prog;
  auto op = [&](std::uint16_t code, std::uint32_t k, std::uint8_t jt = 0, std::uint8_t jf = 0) {
    prog.push_back(sock_filter{code, jt, jf, k});
  };
  auto word = [](const std::array<std::uint8_t, 16>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
  };
  // X = TTL / hop limit; each rule compares the source address (BPF loads are big-endian)
  // and, on a match, returns accept or drop by X against the rule's minimum.
  op(BPF_LD | BPF_B | BPF_ABS, static_cast<std::uint32_t>(SKF_NET_OFF + (v4 ? 8 : 7)));
  op(BPF_MISC | BPF_TAX, 0);
  for (const GtsmRule& r : rules) {
    if (r.peer.family() != family) continue;
    const auto b = r.peer.bytes();
    const std::size_t words = v4 ? 1 : 4;
    const std::size_t block = 2 * words + 4;  // (ld, jeq) per word, txa, jge, ret, ret
    for (std::size_t w = 0; w < words; ++w) {
      const std::size_t net_off = v4 ? 12 : 8 + 4 * w;
      op(BPF_LD | BPF_W | BPF_ABS,
         static_cast<std::uint32_t>(SKF_NET_OFF + static_cast<int>(net_off)));
      // on a mismatch, jump to the next rule's first instruction
      const auto skip = static_cast<std::uint8_t>(block - (2 * w + 2));
      op(BPF_JMP | BPF_JEQ | BPF_K, word(b, 4 * w), 0, skip);
    }
    op(BPF_MISC | BPF_TXA, 0);
    op(BPF_JMP | BPF_JGE | BPF_K, static_cast<std::uint32_t>(r.min_ttl), 0, 1);
    op(BPF_RET | BPF_K, kAccept);
    op(BPF_RET | BPF_K, 0);
  }
  op(BPF_RET | BPF_K, kAccept);
  if (prog.size() > BPF_MAXINSNS) return "GTSM filter: too many GTSM peers on one listener";
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  return result(::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog),
                "SO_ATTACH_FILTER");
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
