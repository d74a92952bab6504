#include "nvabgpd/bfd/manager.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace nvabgpd::bfd {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using ErrorCode = boost::system::error_code;

namespace {

constexpr int kTtl = 255;
constexpr std::uint16_t kSourcePortMin = 49152;  // RFC 5881 4
constexpr std::uint32_t kSourcePorts = 65536 - kSourcePortMin;

base::IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return base::IpAddress::v4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped())
    return base::IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  return base::IpAddress::v6(v6.to_bytes());
}

asio::ip::address to_asio(const base::IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

struct Manager::Impl {
  struct Entry {
    Entry(asio::io_context& io, SessionId id_, PeerSpec s, base::SteadyTime now)
        : id(id_), spec(std::move(s)), session(id_, spec.timers, now), sock(io), timer(io) {}
    SessionId id;
    PeerSpec spec;
    Session session;
    udp::socket sock;
    asio::steady_timer timer;
    std::uint16_t source_port = 0;
    std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
    std::uint64_t packets_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t up_count = 0;
    base::SteadyTime armed = base::SteadyTime::max();
  };

  struct Listener {
    explicit Listener(asio::io_context& io) : sock(io) {}
    udp::socket sock;
    bool multihop = false;
    bool v6 = false;
  };

  Impl(asio::io_context& io_, const base::Clock& clock_, ManagerCallbacks cb_, std::uint64_t seed)
      : io(io_),
        clock(clock_),
        cb(std::move(cb_)),
        rng(seed != 0 ? seed : std::random_device{}()) {}

  asio::io_context& io;
  const base::Clock& clock;
  ManagerCallbacks cb;
  std::mt19937_64 rng;
  std::map<SessionId, std::unique_ptr<Entry>> sessions;
  std::vector<SessionId> order;
  std::vector<std::unique_ptr<Listener>> listeners;
  ManagerStats stats;
  std::uint16_t single_hop_port = kSingleHopPort;
  std::uint16_t multihop_port = kMultihopPort;
  std::uint32_t next_source_port = 0;

  std::uint16_t port_for(bool multihop) const { return multihop ? multihop_port : single_hop_port; }

  SessionId new_discriminator() {
    std::uniform_int_distribution<std::uint32_t> d(1, 0xFFFFFFFFu);
    for (;;) {
      const SessionId id = d(rng);
      if (!sessions.count(id)) return id;
    }
  }

  // A listener for (family, kind), opened once.
  std::optional<std::string> ensure_listener(bool v6, bool multihop) {
    for (const auto& l : listeners)
      if (l->v6 == v6 && l->multihop == multihop) return std::nullopt;
    auto l = std::make_unique<Listener>(io);
    l->v6 = v6;
    l->multihop = multihop;
    ErrorCode ec;
    l->sock.open(v6 ? udp::v6() : udp::v4(), ec);
    if (ec) return fmt::format("BFD socket: {}", ec.message());
    const int fd = l->sock.native_handle();
    const int one = 1;
    if (v6) {
      (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      if (::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) != 0)
        return fmt::format("BFD socket: IPV6_RECVHOPLIMIT: {}", errno_text(errno));
    } else if (::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) != 0) {
      return fmt::format("BFD socket: IP_RECVTTL: {}", errno_text(errno));
    }
    l->sock.set_option(asio::socket_base::reuse_address(true), ec);
    const std::uint16_t port = port_for(multihop);
    l->sock.bind(udp::endpoint(v6 ? udp::v6() : udp::v4(), port), ec);
    if (ec) return fmt::format("BFD listener on UDP port {}: {}", port, ec.message());
    l->sock.non_blocking(true, ec);
    Listener* raw = l.get();
    listeners.push_back(std::move(l));
    wait_read(*raw);
    return std::nullopt;
  }

  void wait_read(Listener& l) {
    l.sock.async_wait(udp::socket::wait_read, [this, &l](const ErrorCode& ec) {
      if (ec) return;  // closed
      drain(l);
      wait_read(l);
    });
  }

  // Reads every queued datagram with its TTL / hop limit (recvmsg ancillary data).
  void drain(Listener& l) {
    for (int n = 0; n < 256; ++n) {
      std::array<std::uint8_t, 512> buf{};
      sockaddr_storage from{};
      alignas(cmsghdr) std::array<char, 256> control{};
      iovec iov{buf.data(), buf.size()};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      const ssize_t got = ::recvmsg(l.sock.native_handle(), &msg, MSG_DONTWAIT);
      if (got < 0) return;  // EAGAIN (or an error the next readiness will show again)
      int ttl = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
          std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      }
      std::optional<base::IpAddress> src;
      if (from.ss_family == AF_INET) {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(&from);
        src = base::IpAddress::v4(ntohl(s4->sin_addr.s_addr));
      } else if (from.ss_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&from);
        asio::ip::address_v6::bytes_type b;
        std::memcpy(b.data(), &s6->sin6_addr, 16);
        src = to_ip(asio::ip::address_v6(b));
      }
      if (!src) continue;
      receive(l, *src, ttl,
              std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(got)));
    }
  }

  void drop(std::string why) {
    ++stats.dropped;
    spdlog::debug("bfd: dropped a packet: {}", why);
    stats.last_drop = std::move(why);
  }

  void receive(const Listener& l, const base::IpAddress& src, int ttl,
               std::span<const std::uint8_t> data) {
    ++stats.received;
    // RFC 5881 5: single-hop packets are sent with TTL 255 and accepted only with 255.
    if (!l.multihop && ttl != kTtl)
      return drop(fmt::format("from {}: TTL {} is not 255", src, ttl));
    const Decoded d = decode(data);
    if (!d.packet) return drop(fmt::format("from {}: {}", src, to_string(d.error)));
    const Packet& p = *d.packet;
    Entry* e = nullptr;
    if (p.your_discr != 0) {
      // 6.8.6: select the session by Your Discriminator.
      auto it = sessions.find(p.your_discr);
      if (it == sessions.end())
        return drop(fmt::format("from {}: no session with discriminator {}", src, p.your_discr));
      e = it->second.get();
    } else {
      for (auto& [id, s] : sessions)
        if (s->spec.remote == src && s->spec.multihop == l.multihop) {
          e = s.get();
          break;
        }
      if (!e) return drop(fmt::format("from {}: no BFD session for this address", src));
    }
    if (e->spec.remote != src || e->spec.multihop != l.multihop)
      return drop(fmt::format("from {}: discriminator {} belongs to {}", src, p.your_discr,
                              e->spec.remote));
    ++e->packets_in;
    const base::SteadyTime now = clock.now();
    apply(*e, e->session.on_packet(p, now), now);
  }

  std::optional<std::string> open_sender(Entry& e) {
    ErrorCode ec;
    const bool v6 = e.spec.remote.is_v6();
    e.sock.open(v6 ? udp::v6() : udp::v4(), ec);
    if (ec) return fmt::format("BFD socket: {}", ec.message());
    const int fd = e.sock.native_handle();
    const int ttl = kTtl;
    const int rc = v6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl)
                      : ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    if (rc != 0) return fmt::format("BFD socket: TTL 255: {}", errno_text(errno));
    const asio::ip::address local = e.spec.local
                                        ? to_asio(*e.spec.local)
                                        : (v6 ? asio::ip::address(asio::ip::address_v6::any())
                                              : asio::ip::address(asio::ip::address_v4::any()));
    // RFC 5881 4: a source port in 49152-65535, the same for the session's lifetime.
    for (std::uint32_t tries = 0; tries < kSourcePorts; ++tries) {
      const auto port =
          static_cast<std::uint16_t>(kSourcePortMin + (next_source_port++ % kSourcePorts));
      e.sock.bind(udp::endpoint(local, port), ec);
      if (!ec) {
        e.source_port = port;
        e.sock.non_blocking(true, ec);
        return std::nullopt;
      }
      if (ec != asio::error::address_in_use) break;
    }
    return fmt::format("BFD socket: no source port in 49152-65535: {}", ec.message());
  }

  void send(Entry& e, base::SteadyTime now) {
    std::uniform_real_distribution<double> j(0.0, 1.0);
    const Packet p = e.session.make_packet(now, j(rng));
    const std::vector<std::uint8_t> bytes = encode(p);
    ErrorCode ec;
    e.sock.send_to(asio::buffer(bytes),
                   udp::endpoint(to_asio(e.spec.remote), port_for(e.spec.multihop)), 0, ec);
    if (!ec) ++e.packets_out;  // unreachable networks etc.: the detection timer will tell
  }

  void apply(Entry& e, const Actions& a, base::SteadyTime now) {
    if (a.send_now) send(e, now);
    if (a.change) {
      e.since = std::chrono::system_clock::now();
      if (a.change->to == State::Up) ++e.up_count;
      const auto level = a.change->to == State::Up || a.change->from == State::Up
                             ? spdlog::level::info
                             : spdlog::level::debug;
      spdlog::log(level, "bfd {} ({}): {} -> {} (diag {}, remote discriminator {})", e.spec.name,
                  e.spec.remote, to_string(a.change->from), to_string(a.change->to),
                  to_string(a.change->diag), e.session.remote_discr());
      const SessionId id = e.id;
      const PeerSpec spec = e.spec;
      const StateChange change = *a.change;
      arm(e);
      if (cb.on_state) cb.on_state(id, spec, change);  // may remove the session
      return;
    }
    arm(e);
  }

  void arm(Entry& e) {
    const base::SteadyTime at = e.session.next_deadline();
    if (at == e.armed) return;
    e.armed = at;
    e.timer.expires_at(at);
    e.timer.async_wait([this, id = e.id](const ErrorCode& ec) {
      if (ec) return;
      auto it = sessions.find(id);
      if (it == sessions.end()) return;
      Entry& s = *it->second;
      s.armed = base::SteadyTime::max();
      const base::SteadyTime now = clock.now();
      apply(s, s.session.on_timer(now), now);
    });
  }

  SessionInfo info(const Entry& e) const {
    SessionInfo i;
    i.id = e.id;
    i.spec = e.spec;
    const Session& s = e.session;
    i.state = s.state();
    i.remote_state = s.remote_state();
    i.local_diag = s.local_diag();
    i.remote_diag = s.remote_diag();
    i.local_discr = s.local_discr();
    i.remote_discr = s.remote_discr();
    i.tx_interval = s.tx_interval();
    i.detection_time = s.detection_time();
    i.remote_min_rx = s.remote_min_rx();
    i.remote_min_tx = s.remote_min_tx();
    i.remote_detect_mult = s.remote_detect_mult();
    i.source_port = e.source_port;
    i.since = e.since;
    i.packets_in = e.packets_in;
    i.packets_out = e.packets_out;
    i.up_count = e.up_count;
    return i;
  }
};

Manager::Manager(asio::io_context& io, const base::Clock& clock, ManagerCallbacks callbacks,
                 std::uint64_t seed)
    : impl_(std::make_unique<Impl>(io, clock, std::move(callbacks), seed)) {
  impl_->next_source_port = static_cast<std::uint32_t>(impl_->rng() % kSourcePorts);
}

Manager::~Manager() = default;

void Manager::set_ports_for_testing(std::uint16_t single_hop, std::uint16_t multihop) {
  impl_->single_hop_port = single_hop != 0 ? single_hop : kSingleHopPort;
  impl_->multihop_port = multihop != 0 ? multihop : kMultihopPort;
}

base::Result<SessionId, std::string> Manager::add(PeerSpec spec) {
  if (auto err = impl_->ensure_listener(spec.remote.is_v6(), spec.multihop)) return base::Err{*err};
  const SessionId id = impl_->new_discriminator();
  const base::SteadyTime now = impl_->clock.now();
  auto e = std::make_unique<Impl::Entry>(impl_->io, id, std::move(spec), now);
  if (auto err = impl_->open_sender(*e)) return base::Err{*err};
  Impl::Entry& ref = *e;
  impl_->sessions.emplace(id, std::move(e));
  impl_->order.push_back(id);
  impl_->apply(ref, ref.session.on_timer(now), now);  // the first Down packet goes at once
  return id;
}

void Manager::update(SessionId id, SessionConfig timers) {
  auto it = impl_->sessions.find(id);
  if (it == impl_->sessions.end()) return;
  Impl::Entry& e = *it->second;
  e.spec.timers = timers;
  const base::SteadyTime now = impl_->clock.now();
  e.session.set_config(timers, now);
  impl_->apply(e, Actions{std::nullopt, true}, now);  // the Poll goes out at once
}

void Manager::remove(SessionId id) {
  auto it = impl_->sessions.find(id);
  if (it == impl_->sessions.end()) return;
  Impl::Entry& e = *it->second;
  const base::SteadyTime now = impl_->clock.now();
  if (e.session.set_admin_down(true, now).send_now) impl_->send(e, now);
  impl_->sessions.erase(it);
  std::erase(impl_->order, id);
}

std::vector<SessionInfo> Manager::sessions() const {
  std::vector<SessionInfo> out;
  for (SessionId id : impl_->order) out.push_back(impl_->info(*impl_->sessions.at(id)));
  return out;
}

std::optional<SessionInfo> Manager::session(SessionId id) const {
  auto it = impl_->sessions.find(id);
  if (it == impl_->sessions.end()) return std::nullopt;
  return impl_->info(*it->second);
}

ManagerStats Manager::stats() const { return impl_->stats; }

}  // namespace nvabgpd::bfd
