#include "netlink_socket.hpp"

// <net/if.h> first: it tells the <linux/if.h> that <linux/if_tunnel.h> pulls in to stand back.
#include <net/if.h>
// (a separate include block, so clang-format keeps the order)

#include <linux/filter.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string_view>

#include <fmt/format.h>

namespace nvabgpd::fib::nl {
namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3U) & ~std::size_t{3}; }
constexpr std::size_t kHdr = align4(sizeof(nlmsghdr));
constexpr std::size_t kRta = align4(sizeof(rtattr));

template <typename T>
void put(std::vector<std::uint8_t>& buf, std::size_t at, const T& v) {
  std::memcpy(buf.data() + at, &v, sizeof(T));
}

// Appends an attribute; returns its offset (for nesting).
std::size_t add_attr(std::vector<std::uint8_t>& buf, std::uint16_t type, const void* data,
                     std::size_t len) {
  const std::size_t at = buf.size();
  buf.resize(at + align4(kRta + len), 0);
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(kRta + len);
  a.rta_type = type;
  put(buf, at, a);
  if (len > 0) std::memcpy(buf.data() + at + kRta, data, len);
  return at;
}

void add_u32(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint32_t v) {
  add_attr(buf, type, &v, sizeof v);
}

void add_addr(std::vector<std::uint8_t>& buf, std::uint16_t type, const base::IpAddress& a) {
  add_attr(buf, type, a.bytes().data(), a.byte_len());
}

// Attributes in [p, p+len).
template <typename Fn>
void for_each_attr(const std::uint8_t* p, std::size_t len, Fn&& fn) {
  while (len >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len) return;
    fn(a.rta_type, p + kRta, a.rta_len - kRta);
    const std::size_t step = std::min(align4(a.rta_len), len);
    p += step;
    len -= step;
  }
}

std::uint32_t read_u32(const std::uint8_t* p, std::size_t n) {
  std::uint32_t v = 0;
  if (n >= sizeof v) std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    seq_ = o.seq_;
    o.fd_ = -1;
  }
  return *this;
}

base::Result<Socket, std::string> Socket::open(std::span<const unsigned> groups, int buf_bytes) {
  Socket s;
  s.fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s.fd_ < 0) return base::Err{fmt::format("netlink socket: {}", std::strerror(errno))};
  // Root may exceed rmem_max/wmem_max (FORCE); otherwise take what the system allows.
  if (::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buf_bytes, sizeof buf_bytes) != 0) {
    ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &buf_bytes, sizeof buf_bytes);
  }
  if (::setsockopt(s.fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buf_bytes, sizeof buf_bytes) != 0) {
    ::setsockopt(s.fd_, SOL_SOCKET, SO_SNDBUF, &buf_bytes, sizeof buf_bytes);
  }
  int one = 1;
  ::setsockopt(s.fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  ::setsockopt(s.fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    return base::Err{fmt::format("netlink bind: {}", std::strerror(errno))};
  }
  for (unsigned g : groups) {
    if (::setsockopt(s.fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) != 0) {
      return base::Err{fmt::format("netlink group {}: {}", g, std::strerror(errno))};
    }
  }
  return s;
}

bool Socket::filter_out_protocol(std::uint8_t protocol) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  constexpr std::uint32_t kTypeLow = offsetof(nlmsghdr, nlmsg_type);
#else
  constexpr std::uint32_t kTypeLow = offsetof(nlmsghdr, nlmsg_type) + 1;
#endif
  constexpr std::uint32_t kProto = kHdr + offsetof(rtmsg, rtm_protocol);
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kTypeLow),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_NEWROUTE, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_DELROUTE, 0, 2),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kProto),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, protocol, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffffU),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
  return ::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

int Socket::send(std::span<const std::uint8_t> buf) {
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  for (;;) {
    auto n = ::sendto(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

long Socket::recv(std::vector<std::uint8_t>& buf, bool block) {
  for (;;) {
    auto n = ::recv(fd_, buf.data(), buf.size(), block ? 0 : MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

void for_each_message(std::span<const std::uint8_t> buf,
                      const std::function<bool(const nlmsghdr&)>& fn) {
  std::size_t off = 0;
  while (off + sizeof(nlmsghdr) <= buf.size()) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(buf.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > buf.size() - off) return;
    if (!fn(*h)) return;
    off += align4(h->nlmsg_len);
  }
}

void append_route(std::vector<std::uint8_t>& buf, const KernelOp& op, std::uint32_t table,
                  std::uint8_t protocol, std::uint32_t seq, bool ack) {
  const auto& r = op.route;
  const std::size_t start = buf.size();
  buf.resize(start + kHdr + align4(sizeof(rtmsg)), 0);
  rtmsg rt{};
  rt.rtm_family = r.prefix.is_v4() ? AF_INET : AF_INET6;
  rt.rtm_dst_len = static_cast<unsigned char>(r.prefix.len());
  rt.rtm_table = static_cast<unsigned char>(table < 256 ? table : std::uint32_t{RT_TABLE_UNSPEC});
  rt.rtm_protocol = protocol;
  rt.rtm_type = RTN_UNICAST;
  const bool del = op.kind == KernelOp::Kind::Delete;
  rt.rtm_scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  put(buf, start + kHdr, rt);
  if (r.prefix.len() > 0) add_addr(buf, RTA_DST, r.prefix.addr());
  add_u32(buf, RTA_TABLE, table);
  add_u32(buf, RTA_PRIORITY, r.metric);
  if (!del) {
    if (r.nexthops.size() == 1) {
      add_addr(buf, RTA_GATEWAY, r.nexthops[0].gateway);
      add_u32(buf, RTA_OIF, static_cast<std::uint32_t>(r.nexthops[0].ifindex));
    } else if (r.nexthops.size() > 1) {
      const std::size_t mp = add_attr(buf, RTA_MULTIPATH, nullptr, 0);
      for (const auto& nh : r.nexthops) {
        const std::size_t at = buf.size();
        buf.resize(at + align4(sizeof(rtnexthop)), 0);
        add_addr(buf, RTA_GATEWAY, nh.gateway);
        rtnexthop rn{};
        rn.rtnh_len = static_cast<unsigned short>(buf.size() - at);
        rn.rtnh_ifindex = nh.ifindex;
        put(buf, at, rn);
      }
      rtattr a{};
      a.rta_len = static_cast<unsigned short>(buf.size() - mp);
      a.rta_type = RTA_MULTIPATH;
      put(buf, mp, a);
    }
  }
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(buf.size() - start);
  h.nlmsg_type = static_cast<std::uint16_t>(del ? int{RTM_DELROUTE} : int{RTM_NEWROUTE});
  h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | (ack ? NLM_F_ACK : 0));
  if (!del) h.nlmsg_flags |= static_cast<std::uint16_t>(NLM_F_CREATE | NLM_F_REPLACE);
  h.nlmsg_seq = seq;
  put(buf, start, h);
}

void request_ack(std::vector<std::uint8_t>& buf, std::size_t offset) {
  nlmsghdr h;
  std::memcpy(&h, buf.data() + offset, sizeof h);
  h.nlmsg_flags |= NLM_F_ACK;
  put(buf, offset, h);
}

void append_dump(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint8_t family,
                 std::uint32_t seq) {
  const std::size_t start = buf.size();
  const std::size_t body = type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(rtmsg);
  buf.resize(start + kHdr + align4(body), 0);
  if (type == RTM_GETLINK) {
    ifinfomsg ifi{};
    ifi.ifi_family = family;
    put(buf, start + kHdr, ifi);
  } else {
    rtmsg rt{};
    rt.rtm_family = family;
    put(buf, start + kHdr, rt);
  }
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(buf.size() - start);
  h.nlmsg_type = type;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h.nlmsg_seq = seq;
  put(buf, start, h);
}

std::optional<ParsedRoute> parse_route(const nlmsghdr& h) {
  if (h.nlmsg_type != RTM_NEWROUTE && h.nlmsg_type != RTM_DELROUTE) return std::nullopt;
  if (h.nlmsg_len < kHdr + sizeof(rtmsg)) return std::nullopt;
  const auto* base_ptr = reinterpret_cast<const std::uint8_t*>(&h);
  rtmsg rt;
  std::memcpy(&rt, base_ptr + kHdr, sizeof rt);
  if (rt.rtm_family != AF_INET && rt.rtm_family != AF_INET6) return std::nullopt;
  const std::size_t alen = rt.rtm_family == AF_INET ? 4 : 16;
  ParsedRoute out;
  auto& r = out.route;
  out.ignored = rt.rtm_tos != 0 || rt.rtm_src_len != 0 || (rt.rtm_flags & RTM_F_CLONED) != 0;
  r.table = rt.rtm_table;
  r.protocol = rt.rtm_protocol;
  r.type = rt.rtm_type == RTN_UNICAST ? IgpRouteType::Unicast
           : (rt.rtm_type == RTN_BLACKHOLE || rt.rtm_type == RTN_UNREACHABLE ||
              rt.rtm_type == RTN_PROHIBIT)
               ? IgpRouteType::Blackhole
               : IgpRouteType::Other;
  std::optional<base::IpAddress> dst;
  IgpNextHop single;
  bool have_single = false;
  const std::uint8_t* attrs = base_ptr + kHdr + align4(sizeof(rtmsg));
  const std::size_t attrs_len =
      h.nlmsg_len - std::min<std::size_t>(h.nlmsg_len, kHdr + align4(sizeof(rtmsg)));
  const bool linkdown = (rt.rtm_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) != 0;
  for_each_attr(attrs, attrs_len, [&](unsigned short type, const std::uint8_t* p, std::size_t n) {
    switch (type) {
      case RTA_DST:
        if (n == alen) dst = base::IpAddress::from_bytes(p, n);
        break;
      case RTA_TABLE:
        r.table = read_u32(p, n);
        break;
      case RTA_PRIORITY:
        r.metric = read_u32(p, n);
        break;
      case RTA_OIF:
        single.ifindex = static_cast<int>(read_u32(p, n));
        have_single = true;
        break;
      case RTA_GATEWAY:
        if (n == alen) single.gateway = base::IpAddress::from_bytes(p, n);
        have_single = true;
        break;
      case RTA_VIA:
        out.ignored = true;  // IPv4 over IPv6 next hop: not used for resolution
        break;
      case RTA_MULTIPATH: {
        while (n >= sizeof(rtnexthop)) {
          rtnexthop rn;
          std::memcpy(&rn, p, sizeof rn);
          if (rn.rtnh_len < sizeof(rtnexthop) || rn.rtnh_len > n) break;
          IgpNextHop nh;
          nh.ifindex = rn.rtnh_ifindex;
          nh.dead = (rn.rtnh_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) != 0;
          for_each_attr(p + align4(sizeof(rtnexthop)),
                        rn.rtnh_len - std::min<std::size_t>(rn.rtnh_len, align4(sizeof(rtnexthop))),
                        [&](unsigned short t2, const std::uint8_t* q, std::size_t m) {
                          if (t2 == RTA_GATEWAY && m == alen) {
                            nh.gateway = base::IpAddress::from_bytes(q, m);
                          }
                        });
          r.nexthops.push_back(nh);
          const std::size_t step = std::min(align4(rn.rtnh_len), n);
          p += step;
          n -= step;
        }
        break;
      }
      default:
        break;
    }
  });
  if (have_single) {
    single.dead = linkdown;
    r.nexthops.push_back(single);
  }
  const auto zero = rt.rtm_family == AF_INET ? base::IpAddress::v4(0)
                                             : base::IpAddress::v6(std::array<std::uint8_t, 16>{});
  if (rt.rtm_dst_len > (rt.rtm_family == AF_INET ? 32 : 128)) return std::nullopt;
  r.prefix = base::Prefix::make(dst.value_or(zero), rt.rtm_dst_len);
  return out;
}

namespace {

// The attribute of IFLA_INFO_DATA holding the remote endpoint, per link kind (0: none).
// Several families reuse one attribute id for IPv4 and IPv6: the length tells them apart.
struct TunnelKind {
  std::string_view kind;
  unsigned short remote;
  unsigned short remote6;
};
constexpr std::array kTunnelKinds{
    TunnelKind{"vxlan", IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6},
    TunnelKind{"gre", IFLA_GRE_REMOTE, 0},
    TunnelKind{"gretap", IFLA_GRE_REMOTE, 0},
    TunnelKind{"erspan", IFLA_GRE_REMOTE, 0},
    TunnelKind{"ip6gre", IFLA_GRE_REMOTE, 0},
    TunnelKind{"ip6gretap", IFLA_GRE_REMOTE, 0},
    TunnelKind{"ip6erspan", IFLA_GRE_REMOTE, 0},
    TunnelKind{"ipip", IFLA_IPTUN_REMOTE, 0},
    TunnelKind{"sit", IFLA_IPTUN_REMOTE, 0},
    TunnelKind{"ip6tnl", IFLA_IPTUN_REMOTE, 0},
    TunnelKind{"geneve", IFLA_GENEVE_REMOTE, IFLA_GENEVE_REMOTE6},
    TunnelKind{"vti", IFLA_VTI_REMOTE, 0},
    TunnelKind{"vti6", IFLA_VTI_REMOTE, 0},
};

bool is_unicast(const base::IpAddress& a) {
  if (a.is_unspecified()) return false;
  const std::uint8_t first = a.bytes()[0];
  return a.is_v4() ? (first < 224) : (first != 0xff);  // not multicast (or class E)
}

}  // namespace

std::optional<base::IpAddress> tunnel_remote(const std::uint8_t* linkinfo, std::size_t len) {
  std::string_view kind;
  const std::uint8_t* data = nullptr;
  std::size_t data_len = 0;
  for_each_attr(linkinfo, len, [&](unsigned short type, const std::uint8_t* p, std::size_t n) {
    switch (type & NLA_TYPE_MASK) {
      case IFLA_INFO_KIND:
        kind = std::string_view(reinterpret_cast<const char*>(p), n);
        if (auto z = kind.find('\0'); z != std::string_view::npos) kind = kind.substr(0, z);
        break;
      case IFLA_INFO_DATA:
        data = p;
        data_len = n;
        break;
      default:
        break;
    }
  });
  const auto k = std::find_if(kTunnelKinds.begin(), kTunnelKinds.end(),
                              [&](const TunnelKind& t) { return t.kind == kind; });
  if (k == kTunnelKinds.end() || data == nullptr) return std::nullopt;
  std::optional<base::IpAddress> remote;
  for_each_attr(data, data_len, [&](unsigned short type, const std::uint8_t* p, std::size_t n) {
    type &= NLA_TYPE_MASK;
    if ((type != k->remote && (k->remote6 == 0 || type != k->remote6)) || (n != 4 && n != 16))
      return;
    if (auto a = base::IpAddress::from_bytes(p, n); a && is_unicast(*a)) remote = a;
  });
  return remote;
}

std::optional<ParsedLink> parse_link(const nlmsghdr& h) {
  if (h.nlmsg_type != RTM_NEWLINK && h.nlmsg_type != RTM_DELLINK) return std::nullopt;
  if (h.nlmsg_len < kHdr + sizeof(ifinfomsg)) return std::nullopt;
  ifinfomsg ifi;
  std::memcpy(&ifi, reinterpret_cast<const std::uint8_t*>(&h) + kHdr, sizeof ifi);
  const unsigned want = IFF_UP | IFF_RUNNING;
  ParsedLink out{ifi.ifi_index, h.nlmsg_type == RTM_NEWLINK && (ifi.ifi_flags & want) == want,
                 std::nullopt};
  const std::size_t at = kHdr + align4(sizeof(ifinfomsg));
  if (h.nlmsg_type != RTM_NEWLINK || h.nlmsg_len <= at) return out;
  const auto* attrs = reinterpret_cast<const std::uint8_t*>(&h) + at;
  for_each_attr(attrs, h.nlmsg_len - at,
                [&](unsigned short type, const std::uint8_t* p, std::size_t n) {
                  if ((type & NLA_TYPE_MASK) == IFLA_LINKINFO)
                    out.tunnel_remote = tunnel_remote(p, n);
                });
  return out;
}

KernelRoute to_kernel_route(const IgpRoute& r) {
  KernelRoute k{r.prefix, r.metric, {}};
  for (const auto& nh : r.nexthops) {
    k.nexthops.push_back(KernelNextHop{nh.gateway.value_or(base::IpAddress{}), nh.ifindex});
  }
  std::sort(k.nexthops.begin(), k.nexthops.end());
  return k;
}

int parse_error(const nlmsghdr& h) {
  if (h.nlmsg_type != NLMSG_ERROR || h.nlmsg_len < kHdr + sizeof(int)) return 0;
  int err = 0;
  std::memcpy(&err, reinterpret_cast<const std::uint8_t*>(&h) + kHdr, sizeof err);
  // The kernel sends -errno; anything else (INT_MIN included) must not overflow on negation.
  if (err == std::numeric_limits<int>::min()) return std::numeric_limits<int>::max();
  return -err;
}

int dump(Socket& s, std::uint16_t type, std::uint8_t family,
         const std::function<void(const nlmsghdr&)>& fn) {
  std::vector<std::uint8_t> req;
  const std::uint32_t seq = s.next_seq();
  append_dump(req, type, family, seq);
  if (int e = s.send(req); e != 0) return e;
  std::vector<std::uint8_t> buf(1U << 20);
  for (;;) {
    const long n = s.recv(buf, true);
    if (n < 0) return static_cast<int>(-n);
    bool done = false;
    int err = 0;
    for_each_message(std::span(buf.data(), static_cast<std::size_t>(n)), [&](const nlmsghdr& h) {
      if (h.nlmsg_seq != seq) return true;  // a stray ack from an earlier batch
      if ((h.nlmsg_flags & NLM_F_DUMP_INTR) != 0) err = EAGAIN;  // changed while dumping
      if (h.nlmsg_type == NLMSG_DONE) {
        done = true;
        return false;
      }
      if (h.nlmsg_type == NLMSG_ERROR) {
        err = parse_error(h);
        done = true;
        return false;
      }
      fn(h);
      return true;
    });
    if (done) return err;
  }
}

}  // namespace nvabgpd::fib::nl
