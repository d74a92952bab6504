#include "bgp_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <variant>

namespace nvabgpd::bench {
namespace {

sockaddr_in make_addr(const std::string& addr, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (!addr.empty()) inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  return sa;
}

void tune(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
}

// Reads until the framer yields one message; false on EOF/error.
bool read_message(int fd, wire::Framer& framer, std::vector<std::uint8_t>& msg) {
  std::uint8_t buf[65536];
  for (;;) {
    std::span<const std::uint8_t> out;
    wire::Notification err;
    auto st = framer.next(out, err);
    if (st == wire::Framer::Status::Message) {
      msg.assign(out.begin(), out.end());
      return true;
    }
    if (st == wire::Framer::Status::Error) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    framer.feed({buf, static_cast<std::size_t>(n)});
  }
}

// splitmix64: a tiny, portable, seeded generator (results do not depend on the libstdc++).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

}  // namespace

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int tcp_connect(const std::string& local, const std::string& addr, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  tune(fd);
  if (!local.empty()) {
    auto la = make_addr(local, 0);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&la), sizeof la) != 0) {
      ::close(fd);
      return -1;
    }
  }
  auto sa = make_addr(addr, port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int tcp_listen(const std::string& addr, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  tune(fd);
  auto sa = make_addr(addr, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

std::vector<std::uint8_t> keepalive_bytes() {
  return wire::encode(wire::Message{wire::Keepalive{}}, wire::SessionParams{});
}

bool handshake(int fd, const SpeakerConfig& cfg, wire::Framer& framer) {
  wire::Open open;
  open.my_as = wire::two_octet_as(cfg.asn);
  open.hold_time = cfg.hold_time;
  open.bgp_id = cfg.router_id;
  open.caps.multiprotocol = {wire::AfiSafi{}};
  open.caps.route_refresh = true;
  open.caps.four_octet_as = cfg.asn;
  auto bytes = wire::encode(wire::Message{open}, wire::SessionParams{});
  if (!write_all(fd, bytes.data(), bytes.size())) return false;
  std::vector<std::uint8_t> msg;
  bool got_open = false;
  while (read_message(fd, framer, msg)) {
    auto res = wire::decode(msg, wire::SessionParams{});
    if (!res.message) break;
    if (std::holds_alternative<wire::Open>(*res.message)) {
      got_open = true;
      auto ka = keepalive_bytes();
      if (!write_all(fd, ka.data(), ka.size())) return false;
    } else if (std::holds_alternative<wire::Keepalive>(*res.message) && got_open) {
      return true;
    } else if (std::holds_alternative<wire::Notification>(*res.message)) {
      const auto& n = std::get<wire::Notification>(*res.message);
      std::fprintf(stderr, "handshake: NOTIFICATION %u/%u\n", n.code, n.subcode);
      return false;
    }
  }
  std::fprintf(stderr, "handshake: connection closed\n");
  return false;
}

Table make_table(std::size_t prefixes, std::size_t attr_sets, std::uint64_t seed,
                 std::uint32_t first_asn, const base::IpAddress& next_hop) {
  Table t;
  Rng rng{seed};
  // Attribute sets: AS paths of 2..10 ASNs starting with the sender's ASN, 0..6 communities,
  // mixed ORIGIN and optional MED. Duplicates (by encoded form) are drawn again.
  std::unordered_set<std::string> seen;
  std::vector<std::uint8_t> scratch;
  while (t.attr_sets.size() < attr_sets) {
    wire::PathAttributes a;
    a.origin = static_cast<wire::Origin>(rng.below(10) < 8 ? 0 : 2);
    wire::AsSegment seg;
    seg.asns.push_back(first_asn);
    unsigned len = 2 + rng.below(9);
    for (unsigned i = 1; i < len; ++i) {
      // Public-looking ASNs away from the benchmark's own (64512+).
      std::uint32_t asn = 1000 + rng.below(3000) * (i == len - 1 ? 19 : 1);
      seg.asns.push_back(asn);
    }
    a.as_path.segments.push_back(std::move(seg));
    a.next_hop = next_hop;
    if (rng.below(4) == 0) a.med = rng.below(1000);
    unsigned ncomm = rng.below(7);
    for (unsigned i = 0; i < ncomm; ++i) {
      a.communities.push_back(
          wire::Community::of(static_cast<std::uint16_t>(1000 + rng.below(3000)),
                              static_cast<std::uint16_t>(rng.below(1000))));
    }
    std::sort(a.communities.begin(), a.communities.end());
    a.communities.erase(std::unique(a.communities.begin(), a.communities.end()),
                        a.communities.end());
    wire::Update u;
    u.has_attributes = true;
    u.attrs = a;
    scratch = wire::encode(wire::Message{u}, wire::SessionParams{});
    if (!seen.insert(std::string(scratch.begin(), scratch.end())).second) continue;
    t.attr_sets.push_back(std::move(a));
  }
  // Prefixes: a cursor walks up from 20.0.0.0, aligned to each prefix's size.
  std::uint64_t cursor = 20ULL << 24;
  t.prefixes.reserve(prefixes);
  t.attr_of.reserve(prefixes);
  for (std::size_t i = 0; i < prefixes; ++i) {
    unsigned r = rng.below(100);
    unsigned len = r < 90 ? 24 : r < 92 ? 25 + rng.below(5) : 30 + rng.below(3);
    std::uint64_t size = 1ULL << (32 - len);
    cursor = (cursor + size - 1) & ~(size - 1);
    t.prefixes.push_back(
        base::Prefix::make(base::IpAddress::v4(static_cast<std::uint32_t>(cursor)), len));
    cursor += size;
    // Skewed choice: u^2 favours low-numbered sets; every set still gets some prefixes.
    double u = rng.unit();
    auto idx = static_cast<std::uint32_t>(u * u * static_cast<double>(attr_sets));
    t.attr_of.push_back(i < attr_sets ? static_cast<std::uint32_t>(i) : idx);
  }
  return t;
}

}  // namespace nvabgpd::bench
