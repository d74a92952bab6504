// The Boost.Asio transport behind SessionManager. One io_context thread owns everything here.
//
// Lifetimes: a Channel (socket + write queue) is shared by the handlers of its pending
// operations, so a dropped connection can still flush its last NOTIFICATION. A Conn is one
// FSM plus the Channel it currently uses; completion handlers find their Conn again by
// (peer id, conn id) and ignore themselves when the Conn is gone or uses another Channel
// (Asio 1.18 has no per-operation cancellation: this is the generation check).
#include "nvabgpd/session/session_manager.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <map>
#include <random>
#include <stdexcept>

#include "nvabgpd/wire/notification.hpp"
#include "socket_options.hpp"

namespace nvabgpd::session {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Buffer = std::shared_ptr<const std::vector<std::uint8_t>>;

namespace {

base::IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return base::IpAddress::v4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return base::IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  }
  return base::IpAddress::v6(v6.to_bytes());
}

asio::ip::address to_asio(const base::IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

Buffer encoded(const wire::Message& m) {
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m, wire::SessionParams{}));
}

std::string_view type_name(std::uint8_t type) {
  switch (type) {
    case 1:
      return "OPEN";
    case 2:
      return "UPDATE";
    case 3:
      return "NOTIFICATION";
    case 4:
      return "KEEPALIVE";
    case 5:
      return "ROUTE-REFRESH";
    default:
      return "message";
  }
}

// Read buffer sizes: nothing while a connection is being set up (a connect in flight holds no
// buffer), the largest standard message (RFC 4271 4.1) until the OPENs are exchanged, then
// 64 KiB so a full table arrives in few reads.
constexpr std::size_t kOpeningReadBuffer = 4096;
constexpr std::size_t kSessionReadBuffer = 65536;

struct Channel {
  explicit Channel(asio::io_context& io) : sock(io), linger(io), send_hold(io) {}
  tcp::socket sock;
  asio::steady_timer linger;
  asio::steady_timer send_hold;  // RFC 9687: runs while queued bytes wait for the socket
  bool send_hold_armed = false;
  base::SteadyTime progress{};  // the socket last took bytes (or the queue filled from empty)
  std::uint64_t conn_id = 0;    // the Conn this channel serves (set when attached)
  std::deque<Buffer> queue;
  std::size_t queued = 0;      // bytes not yet written, front_sent excluded
  std::size_t front_sent = 0;  // bytes of queue.front() already written
  std::size_t in_flight = 0;   // buffers at the front the pending write refers to
  bool writing = false;
  bool closing = false;  // dropped by the FSM: close once the queue is flushed
  bool closed = false;
  bool overflowed = false;         // over the send-queue limit: takes nothing until it is dropped
  std::vector<std::uint8_t> rbuf;  // sized by read()
  std::function<void()> on_closed;

  void close() {
    if (closed) return;
    closed = true;
    ErrorCode ec;
    sock.shutdown(tcp::socket::shutdown_both, ec);
    sock.close(ec);
    linger.cancel();
    send_hold.cancel();
    if (on_closed) std::exchange(on_closed, nullptr)();
  }

  // Frees every queued buffer the pending write does not refer to.
  void discard_backlog() {
    // The pending write, or a message already partly written, must go out whole.
    const std::size_t keep = writing ? in_flight : (front_sent > 0 ? 1 : 0);
    while (queue.size() > keep) {
      queued -= queue.back()->size() - (queue.size() == 1 ? front_sent : 0);
      queue.pop_back();
    }
  }

  // `n` bytes were written.
  void consume(std::size_t n) {
    queued -= n;
    while (n > 0) {
      const std::size_t rest = queue.front()->size() - front_sent;
      if (n < rest) {
        front_sent += n;
        return;
      }
      n -= rest;
      front_sent = 0;
      queue.pop_front();
    }
  }
};
using ChannelPtr = std::shared_ptr<Channel>;

// One listening socket; accept errors that persist (no file descriptors or memory left) are
// retried after a growing delay instead of at once.
struct Listener {
  explicit Listener(asio::io_context& io) : acc(io), retry(io) {}
  tcp::acceptor acc;
  asio::steady_timer retry;
  std::chrono::milliseconds backoff{0};
  std::uint64_t failures = 0;  // failed accepts in the current episode
  int min_ttl = 0;             // IP_MINTTL / IPV6_MINHOPCOUNT set on the socket (0: none)
  base::Family family = base::Family::V4;
  std::string name;
};

constexpr std::chrono::milliseconds kAcceptBackoffMin{10};
constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};

}  // namespace

struct SessionManager::Impl {
  struct Conn {
    Conn(asio::io_context& io, std::uint64_t id_, const FsmConfig& cfg)
        : id(id_), fsm(cfg), timer(io) {}
    std::uint64_t id;
    bool outgoing = false;
    Fsm fsm;
    ChannelPtr ch;
    wire::Framer framer;
    asio::steady_timer timer;
    std::uint64_t timer_gen = 0;
    wire::Open sent_open;
    std::optional<Negotiated> neg;
    std::optional<wire::Notification> pending_notification;  // full text for the next send
    std::optional<wire::Notification> last_sent;
    std::optional<wire::Notification> last_received;
    std::string down_reason;
    std::optional<UpdateIn> pending_update;
    base::IpAddress local, remote;
    std::uint16_t local_port = 0, remote_port = 0;
    wire::Open received_open;  // for monitoring (BMP Peer Up)
  };

  struct Peer {
    PeerId id = 0;
    PeerConfig cfg;
    bool admin_up = false;
    bool congested = false;
    std::optional<base::SteadyTime> damp_logged;  // the idle hold whose refusals were logged
    std::vector<std::unique_ptr<Conn>> conns;
    PeerStats stats;
  };

  Impl(asio::io_context& io_, SpeakerConfig sp, SessionCallbacks cb, const base::Clock& c,
       std::uint64_t seed)
      : io(io_),
        speaker(std::move(sp)),
        callbacks(std::move(cb)),
        clock(c),
        rng(seed != 0 ? seed : std::random_device{}()),
        shutdown_timer(io_) {}

  asio::io_context& io;
  SpeakerConfig speaker;
  SessionCallbacks callbacks;
  const base::Clock& clock;
  std::mt19937_64 rng;
  std::vector<std::unique_ptr<Listener>> acceptors;
  std::map<PeerId, std::unique_ptr<Peer>> peers;  // removed peers are erased
  PeerId next_peer_id = 1;  // never reused: a late handler of a removed peer finds nothing
  std::uint64_t next_conn_id = 1;
  std::size_t lingering = 0;
  std::function<void()> shutdown_done;
  asio::steady_timer shutdown_timer;

  // ---- lookups -------------------------------------------------------------------------
  Peer* peer(PeerId id) {
    auto it = peers.find(id);
    return it == peers.end() ? nullptr : it->second.get();
  }
  const Peer& peer_ref(PeerId id) const {
    auto it = peers.find(id);
    if (it == peers.end()) throw std::out_of_range("unknown PeerId");
    return *it->second;
  }
  Conn* conn(PeerId pid, std::uint64_t cid) {
    Peer* p = peer(pid);
    if (!p) return nullptr;
    for (auto& c : p->conns) {
      if (c->id == cid) return c.get();
    }
    return nullptr;
  }
  Peer* peer_by_address(const base::IpAddress& a) {
    for (auto& [id, p] : peers) {
      if (p->cfg.address == a) return p.get();
    }
    return nullptr;
  }
  Conn* established(Peer& p) {
    for (auto& c : p.conns) {
      if (c->fsm.state() == State::Established) return c.get();
    }
    return nullptr;
  }

  FsmConfig fsm_config(const PeerConfig& cfg) const {
    FsmConfig f;
    f.connect_retry = cfg.connect_retry;
    f.hold_time = cfg.hold_time;
    f.idle_hold = cfg.idle_hold;
    f.idle_hold_max = cfg.idle_hold_max;
    f.damp_reset_after = cfg.damp_reset_after;
    f.passive = cfg.passive;
    return f;
  }

  Conn& new_conn(Peer& p) {
    p.conns.push_back(std::make_unique<Conn>(io, next_conn_id++, fsm_config(p.cfg)));
    if (p.conns.size() > 1) p.conns.back()->fsm.set_failures(p.conns.front()->fsm.failures());
    return *p.conns.back();
  }

  double jitter() { return std::uniform_real_distribution<double>(0.75, 1.0)(rng); }

  // ---- the FSM driver ------------------------------------------------------------------
  // Feeds one event to a connection's FSM and performs the actions. The Conn may be
  // destroyed by the time this returns: callers look it up again.
  void feed(Peer& p, Conn& c, Event e, EventInput in = {}) {
    in.now = clock.now();
    in.jitter = jitter();
    const Transition t = c.fsm.handle(e, in);
    if (t.from != t.to) {
      spdlog::info("peer {} ({}): {} -> {} on {}", p.cfg.name, p.cfg.address, to_string(t.from),
                   to_string(t.to), to_string(e));
      if (callbacks.on_state)
        callbacks.on_state(StateChange{p.id, c.id, c.outgoing, t.from, t.to, e});
    }
    if (callbacks.on_fsm_event) {
      callbacks.on_fsm_event(StateChange{p.id, c.id, c.outgoing, t.from, t.to, e});
    }
    for (const Action& a : t.actions) perform(p, c, a, e);
    c.pending_update.reset();
    c.pending_notification.reset();
    p.stats.state = State::Idle;
    for (const auto& other : p.conns) p.stats.state = std::max(p.stats.state, other->fsm.state());
    // With another connection alive, an FSM that went Idle, or that fell back to Active with
    // no socket (its connection failed in OpenSent), has nothing left to do.
    const State st = c.fsm.state();
    if (p.conns.size() > 1 && (st == State::Idle || (st == State::Active && !c.ch))) {
      std::erase_if(p.conns, [&](const auto& x) { return x.get() == &c; });
      return;
    }
    arm_timer(p, c);
  }

  void perform(Peer& p, Conn& c, const Action& a, Event e) {
    switch (a.kind) {
      case ActionKind::InitiateConnection:
        connect(p, c);
        break;
      case ActionKind::DropConnection:
        drop(c);
        break;
      case ActionKind::SendOpen: {
        wire::Capabilities caps;
        caps.multiprotocol = p.cfg.families;
        caps.route_refresh = p.cfg.route_refresh;
        caps.enhanced_route_refresh = p.cfg.enhanced_route_refresh;
        caps.extended_message = p.cfg.extended_message;
        caps.graceful_restart = p.cfg.graceful_restart;
        c.sent_open = make_open(speaker.asn, speaker.router_id, p.cfg.hold_time, caps);
        enqueue(p, c, encoded(c.sent_open));
        ++p.stats.opens_out;
        break;
      }
      case ActionKind::SendKeepalive:
        enqueue(p, c, encoded(wire::Keepalive{}));
        ++p.stats.keepalives_out;
        break;
      case ActionKind::SendNotification: {
        wire::Notification n{a.code, a.subcode, {}};
        if (c.pending_notification && c.pending_notification->code == a.code &&
            c.pending_notification->subcode == a.subcode) {
          n = *c.pending_notification;
        }
        spdlog::warn("peer {} ({}): NOTIFICATION sent: {}", p.cfg.name, p.cfg.address,
                     wire::describe(n));
        enqueue(p, c, encoded(n));
        ++p.stats.notifications_out;
        c.last_sent = n;
        if (c.down_reason.empty()) c.down_reason = "NOTIFICATION sent: " + wire::describe(n);
        if (callbacks.on_notification) callbacks.on_notification(NotificationEvent{p.id, true, n});
        break;
      }
      case ActionKind::ProcessUpdate:
        if (c.pending_update && callbacks.on_update)
          callbacks.on_update(std::move(*c.pending_update));
        break;
      case ActionKind::SessionUp:
        session_up(p, c);
        break;
      case ActionKind::SessionDown: {
        PeerDown d{p.id, c.down_reason.empty() ? std::string(to_string(e)) : c.down_reason,
                   c.last_sent, c.last_received};
        spdlog::warn("peer {} ({}): session down: {}", p.cfg.name, p.cfg.address, d.reason);
        if (callbacks.on_down) callbacks.on_down(d);
        break;
      }
      case ActionKind::ReleaseResources:
        c.neg.reset();
        c.down_reason.clear();
        c.last_sent.reset();
        c.last_received.reset();
        break;
    }
  }

  void session_up(Peer& p, Conn& c) {
    ++p.stats.established_count;
    p.congested = false;  // a new connection: whatever an earlier one had queued is gone
    c.framer.set_max_message_size(c.neg->params().max_message_size());
    spdlog::info("peer {} ({}): Established, AS{} id {} hold {}s{}{}", p.cfg.name, p.cfg.address,
                 c.neg->peer_asn, base::IpAddress::v4(c.neg->peer_id), c.neg->hold_time.count(),
                 c.neg->four_octet_as ? " 4-octet-AS" : "", c.neg->route_refresh ? " RR" : "");
    // Connections still trying (Connect/Active) are redundant now.
    std::erase_if(p.conns, [&](const auto& x) {
      if (x.get() == &c || x->fsm.state() > State::Active) return false;
      if (x->ch) x->ch->close();
      return true;
    });
    if (callbacks.on_up)
      callbacks.on_up(PeerUp{p.id, *c.neg, c.local, c.remote, c.sent_open, c.received_open,
                             c.local_port, c.remote_port});
  }

  void arm_timer(Peer& p, Conn& c) {
    ++c.timer_gen;
    c.timer.cancel();
    const auto deadline = c.fsm.next_deadline();
    if (!deadline) return;
    c.timer.expires_at(*deadline);
    c.timer.async_wait([this, pid = p.id, cid = c.id, gen = c.timer_gen](const ErrorCode&) {
      for (;;) {
        Conn* cc = conn(pid, cid);
        if (!cc || cc->timer_gen != gen) return;
        const auto due = cc->fsm.due(clock.now());
        if (due.empty()) {
          arm_timer(*peer(pid), *cc);
          return;
        }
        if (due.front() == Event::HoldTimerExpires) {
          cc->down_reason = "hold timer expired";
          spdlog::warn("peer {}: hold timer expired", peer(pid)->cfg.name);
        }
        feed(*peer(pid), *cc, due.front());
      }
    });
  }

  // ---- sockets -------------------------------------------------------------------------
  void apply_options(Peer& p, tcp::socket& s) {
    const int fd = s.native_handle();
    const auto fam = p.cfg.address.family();
    const bool ebgp = p.cfg.asn != speaker.asn;
    int ttl = 0;
    if (p.cfg.gtsm) {
      ttl = 255;
    } else if (p.cfg.multihop) {
      ttl = *p.cfg.multihop;
    } else if (ebgp) {
      ttl = 1;
    }
    auto warn = [&](const std::string& err) {
      if (!err.empty()) spdlog::warn("peer {} ({}): {}", p.cfg.name, p.cfg.address, err);
    };
    if (ttl != 0) warn(sockopt::set_ttl(fd, fam, ttl));
    if (p.cfg.gtsm) warn(sockopt::set_min_ttl(fd, fam, 256 - p.cfg.multihop.value_or(1)));
  }

  void connect(Peer& p, Conn& c) {
    auto ch = std::make_shared<Channel>(io);
    c.ch = ch;
    c.outgoing = true;
    c.framer = wire::Framer();
    const tcp::endpoint remote(to_asio(p.cfg.address), p.cfg.port);
    ErrorCode ec;
    ch->sock.open(remote.protocol(), ec);
    if (!ec) {
      apply_options(p, ch->sock);
      if (!p.cfg.password.empty()) {
        const auto err = sockopt::set_md5(ch->sock.native_handle(), p.cfg.address.family(),
                                          p.cfg.address, p.cfg.password);
        if (!err.empty()) spdlog::error("peer {}: {}", p.cfg.name, err);
      }
      if (p.cfg.local_address) ch->sock.bind(tcp::endpoint(to_asio(*p.cfg.local_address), 0), ec);
    }
    const PeerId pid = p.id;
    const std::uint64_t cid = c.id;
    if (ec) {
      spdlog::warn("peer {}: cannot connect: {}", p.cfg.name, ec.message());
      asio::post(io, [this, pid, cid, ch] { connect_failed(pid, cid, ch, "socket setup failed"); });
      return;
    }
    ch->sock.async_connect(remote, [this, pid, cid, ch](const ErrorCode& err) {
      Conn* cc = conn(pid, cid);
      if (!cc || cc->ch != ch) return;
      if (err) {
        connect_failed(pid, cid, ch, "connect: " + err.message());
        return;
      }
      attached(*peer(pid), *cc);
      feed(*peer(pid), *cc, Event::TcpCrAcked);
    });
  }

  void connect_failed(PeerId pid, std::uint64_t cid, const ChannelPtr& ch, std::string why) {
    Conn* cc = conn(pid, cid);
    if (!cc || cc->ch != ch) return;
    spdlog::debug("peer {}: {}", peer(pid)->cfg.name, why);
    cc->down_reason = std::move(why);
    feed(*peer(pid), *cc, Event::TcpConnectionFails);
  }

  // The connection's socket is up (either direction): remember the endpoints, start reading.
  void attached(Peer& p, Conn& c) {
    c.ch->conn_id = c.id;
    ErrorCode ec;
    const auto le = c.ch->sock.local_endpoint(ec);
    if (!ec) {
      c.local = to_ip(le.address());
      c.local_port = le.port();
    }
    const auto re = c.ch->sock.remote_endpoint(ec);
    if (!ec) {
      c.remote = to_ip(re.address());
      c.remote_port = re.port();
    }
    ErrorCode ignored;
    c.ch->sock.set_option(tcp::no_delay(true), ignored);
    read(p.id, c.id, c.ch);
  }

  void drop(Conn& c) {
    if (!c.ch) return;
    ChannelPtr ch = std::move(c.ch);
    ch->closing = true;
    ch->send_hold.cancel();  // the linger below bounds what is left
    if (!ch->writing && ch->queue.empty()) {
      ch->close();
      return;
    }
    // Let the last NOTIFICATION out, but never wait long for a peer that does not read.
    ++lingering;
    ch->on_closed = [this] {
      --lingering;
      maybe_shutdown_done();
    };
    ch->linger.expires_after(std::chrono::seconds(3));
    ch->linger.async_wait([ch](const ErrorCode& err) {
      if (!err) ch->close();
    });
  }

  void enqueue(Peer& p, Conn& c, Buffer b) {
    if (!c.ch || c.ch->closed || c.ch->overflowed) return;
    Channel& ch = *c.ch;
    if (ch.queue.empty()) ch.progress = clock.now();
    ch.queued += b->size();
    ch.queue.push_back(std::move(b));
    p.stats.queued_bytes = ch.queued;
    if (ch.queued > p.cfg.send_queue_limit) {
      overflow(p, c);
      return;
    }
    if (ch.queued > kHighWatermark) p.congested = true;
    pump(p.id, c.ch);
  }

  // More than send_queue_limit bytes queued: free the backlog now and drop the session with
  // Cease/Out of Resources (RFC 4486 subcode 8) once the current call chain has returned (this
  // runs inside send() or an FSM action).
  void overflow(Peer& p, Conn& c) {
    const ChannelPtr ch = c.ch;
    const std::size_t queued = ch->queued;
    ch->overflowed = true;
    ch->discard_backlog();
    p.stats.queued_bytes = ch->queued;
    spdlog::error(
        "peer {} ({}): {} bytes queued for a peer that does not read fast enough, over the "
        "send-queue limit of {}: dropping the session (Cease/Out of Resources)",
        p.cfg.name, p.cfg.address, queued, p.cfg.send_queue_limit);
    c.down_reason = fmt::format("send queue over its limit of {} bytes", p.cfg.send_queue_limit);
    asio::post(io, [this, pid = p.id, cid = c.id, ch] {
      Conn* cc = conn(pid, cid);
      if (!cc || cc->ch != ch || ch->closed) return;
      ch->discard_backlog();
      ch->overflowed = false;  // lets the NOTIFICATION in
      EventInput in;
      in.cease_subcode = wire::err::kCeaseOutOfResources;
      feed(*peer(pid), *cc, Event::AutomaticStop, in);
    });
  }

  static constexpr std::size_t kMaxGather = 256 * 1024;
  static constexpr std::size_t kMaxGatherBuffers = 64;

  void pump(PeerId pid, const ChannelPtr& ch) {
    if (ch->writing || ch->closed) return;
    if (ch->queue.empty()) {
      if (ch->closing) ch->close();
      return;
    }
    ch->writing = true;
    // One gathered write for as many queued buffers as fit in kMaxGather bytes (at least one):
    // a full table leaves in a few large writes, not one system call per UPDATE. write_some,
    // not write: each byte the socket takes counts as progress for the send hold timer.
    std::vector<asio::const_buffer> bufs;
    std::size_t bytes = 0;
    for (const Buffer& b : ch->queue) {
      if (!bufs.empty() && (bytes + b->size() > kMaxGather || bufs.size() >= kMaxGatherBuffers))
        break;
      const std::size_t skip = bufs.empty() ? ch->front_sent : 0;
      bufs.push_back(asio::buffer(*b) + skip);
      bytes += b->size() - skip;
    }
    ch->in_flight = bufs.size();
    arm_send_hold(pid, ch);
    // The buffers stay in the queue (and alive) until this completes.
    ch->sock.async_write_some(bufs, [this, pid, ch](const ErrorCode& err, std::size_t n) {
      ch->writing = false;
      ch->in_flight = 0;
      if (err) {
        ch->close();  // the pending read reports the failure
        return;
      }
      if (n > 0) ch->progress = clock.now();
      ch->consume(n);
      Peer* p = peer(pid);
      if (p && !ch->closing) {
        p->stats.queued_bytes = ch->queued;
        if (p->congested && ch->queued < kLowWatermark) {
          p->congested = false;
          if (callbacks.on_drained) callbacks.on_drained(pid);
        }
      }
      pump(pid, ch);
    });
  }

  // RFC 9687: SendHoldTime, or max(8 min, 2 x hold time) (negotiated once the OPENs are in).
  std::chrono::seconds send_hold_time(const Peer& p, const Conn& c) const {
    if (p.cfg.send_hold_time) return *p.cfg.send_hold_time;
    const auto hold = c.neg ? c.neg->hold_time : p.cfg.hold_time;
    return std::max<std::chrono::seconds>(std::chrono::minutes(8), 2 * hold);
  }

  // The send hold timer runs while a write is pending; it fires SendHoldTimer_Expires when the
  // socket has taken none of our bytes for the send hold time.
  void arm_send_hold(PeerId pid, const ChannelPtr& ch) {
    if (ch->send_hold_armed || ch->closed || ch->closing) return;
    Peer* p = peer(pid);
    Conn* c = conn(pid, ch->conn_id);
    if (!p || !c || c->ch != ch) return;
    ch->send_hold_armed = true;
    ch->send_hold.expires_at(ch->progress + send_hold_time(*p, *c));
    ch->send_hold.async_wait([this, pid, ch](const ErrorCode& err) {
      ch->send_hold_armed = false;
      if (err || ch->closed || ch->closing || !ch->writing) return;  // re-armed by pump()
      Peer* pp = peer(pid);
      Conn* cc = conn(pid, ch->conn_id);
      if (!pp || !cc || cc->ch != ch) return;
      const auto limit = send_hold_time(*pp, *cc);
      if (clock.now() - ch->progress < limit) {
        arm_send_hold(pid, ch);
        return;
      }
      cc->down_reason = fmt::format("send hold timer expired: {} bytes queued, none sent for {}s",
                                    ch->queued, limit.count());
      spdlog::warn("peer {} ({}): {}", pp->cfg.name, pp->cfg.address, cc->down_reason);
      ch->discard_backlog();  // the NOTIFICATION goes right after the write in progress
      feed(*pp, *cc, Event::SendHoldTimerExpires);
    });
  }

  void read(PeerId pid, std::uint64_t cid, const ChannelPtr& ch) {
    // Sized here, between reads: no read is pending on the buffer.
    const Conn* c = conn(pid, cid);
    const std::size_t want = c && c->neg ? kSessionReadBuffer : kOpeningReadBuffer;
    if (ch->rbuf.size() != want) {
      ch->rbuf.resize(want);
      ch->rbuf.shrink_to_fit();
    }
    ch->sock.async_read_some(
        asio::buffer(ch->rbuf), [this, pid, cid, ch](const ErrorCode& err, std::size_t n) {
          Conn* cc = conn(pid, cid);
          if (!cc || cc->ch != ch) return;
          if (err) {
            cc->down_reason = err == asio::error::eof ? "connection closed by peer"
                                                      : "connection failed: " + err.message();
            spdlog::info("peer {}: {}", peer(pid)->cfg.name, cc->down_reason);
            feed(*peer(pid), *cc, Event::TcpConnectionFails);
            return;
          }
          cc->framer.feed(std::span<const std::uint8_t>(ch->rbuf.data(), n));
          for (;;) {
            std::span<const std::uint8_t> msg;
            wire::Notification bad;
            const auto st = cc->framer.next(msg, bad);
            if (st == wire::Framer::Status::NeedMore) break;
            if (st == wire::Framer::Status::Error) {
              cc->pending_notification = bad;
              cc->down_reason = "bad message header: " + wire::describe(bad);
              EventInput in;
              in.err_code = bad.code;
              in.err_subcode = bad.subcode;
              feed(*peer(pid), *cc, Event::BgpHeaderErr, in);
              return;
            }
            on_message(*peer(pid), *cc, msg);
            cc = conn(pid, cid);
            if (!cc || cc->ch != ch) return;
          }
          read(pid, cid, ch);
        });
  }

  // ---- received messages ---------------------------------------------------------------
  void on_message(Peer& p, Conn& c, std::span<const std::uint8_t> bytes) {
    const std::uint8_t type = bytes[18];  // the Framer checked the header
    wire::SessionParams params = c.neg ? c.neg->params() : wire::SessionParams{};
    if (c.neg) {  // RFC 7606 outcomes that depend on the session (wire/messages.hpp)
      params.ebgp = c.neg->ebgp(speaker.asn);
      params.local_address = c.local;
    }
    wire::DecodeResult r = wire::decode(bytes, params);
    if (!r.message) {
      const wire::Notification n =
          r.notification.value_or(wire::Notification{wire::err::kMessageHeaderError, 0, {}});
      c.pending_notification = n;
      c.down_reason = fmt::format("malformed {}: {}", type_name(type),
                                  r.errors.empty() ? wire::describe(n) : r.errors.front().reason);
      spdlog::warn("peer {}: {}", p.cfg.name, c.down_reason);
      EventInput in;
      in.err_code = n.code;
      in.err_subcode = n.subcode;
      Event e = Event::BgpHeaderErr;
      if (type == 1) e = Event::BgpOpenMsgErr;
      if (type == 2) e = Event::UpdateMsgErr;
      if (type == 3) e = Event::NotifMsg;  // a garbled NOTIFICATION still ends the session
      feed(p, c, e, in);
      return;
    }
    std::visit([&](auto& m) { handle(p, c, m, r); }, *r.message);
    // After handling, so the peer's counters include this message (`c` may be gone).
    if (callbacks.on_message_in)
      callbacks.on_message_in(p.id, static_cast<wire::MessageType>(type));
  }

  void handle(Peer& p, Conn& c, wire::Open& open, wire::DecodeResult&) {
    ++p.stats.opens_in;
    OpenExpectation ex;
    ex.local_asn = speaker.asn;
    ex.local_id = speaker.router_id;
    ex.peer_asn = p.cfg.asn;
    ex.hold_time = p.cfg.hold_time;
    ex.min_hold_time = p.cfg.min_hold_time;
    ex.keepalive = p.cfg.keepalive;
    auto neg = negotiate(c.sent_open, open, ex);
    c.received_open = open;
    if (!neg) {
      c.pending_notification = neg.error();
      c.down_reason = "OPEN rejected: " + wire::describe(neg.error());
      spdlog::warn("peer {} ({}): OPEN from AS{} rejected: {}", p.cfg.name, p.cfg.address,
                   open.asn(), wire::describe(neg.error()));
      EventInput in;
      in.err_code = neg.error().code;
      in.err_subcode = neg.error().subcode;
      feed(p, c, Event::BgpOpenMsgErr, in);
      return;
    }
    if (c.fsm.state() == State::OpenSent) {
      // RFC 4271 6.8: compare with the other connection in OpenConfirm, and also in OpenSent:
      // this OPEN tells us the peer's identifier, which 6.8 allows using for a connection
      // in OpenSent. Deciding at the first OPEN means neither side sends a KEEPALIVE on the
      // losing connection, so no transient session comes up on it.
      for (auto& other : p.conns) {
        if (other.get() == &c) continue;
        const State os = other->fsm.state();
        if (os == State::Established) {
          spdlog::info("peer {}: collision with an Established session: dropping the new one",
                       p.cfg.name);
          feed(p, c, Event::OpenCollisionDump);
          return;
        }
        if (os != State::OpenConfirm && os != State::OpenSent) continue;
        const Survivor s =
            resolve_collision(speaker.router_id, open.bgp_id, speaker.asn, open.asn());
        const bool keep_this = (s == Survivor::LocallyInitiated) == c.outgoing;
        spdlog::info("peer {}: connection collision: keeping the {} connection", p.cfg.name,
                     s == Survivor::LocallyInitiated ? "locally initiated" : "remotely initiated");
        if (!keep_this) {
          feed(p, c, Event::OpenCollisionDump);
          return;
        }
        feed(p, *other, Event::OpenCollisionDump);  // erases `other`
        break;
      }
    }
    c.neg = *neg;
    EventInput in;
    in.negotiated_hold = neg->hold_time;
    in.negotiated_keepalive = neg->keepalive;
    feed(p, c, Event::BgpOpen, in);
  }

  void handle(Peer& p, Conn& c, wire::Keepalive&, wire::DecodeResult&) {
    ++p.stats.keepalives_in;
    feed(p, c, Event::KeepAliveMsg);
  }

  void handle(Peer& p, Conn& c, wire::Notification& n, wire::DecodeResult&) {
    ++p.stats.notifications_in;
    c.last_received = n;
    c.down_reason = "NOTIFICATION received: " + wire::describe(n);
    spdlog::warn("peer {} ({}): NOTIFICATION received: {}", p.cfg.name, p.cfg.address,
                 wire::describe(n));
    if (callbacks.on_notification) callbacks.on_notification(NotificationEvent{p.id, false, n});
    const bool version =
        n.code == wire::err::kOpenMessageError && n.subcode == wire::err::kOpenUnsupportedVersion;
    feed(p, c, version ? Event::NotifMsgVerErr : Event::NotifMsg);
  }

  void handle(Peer& p, Conn& c, wire::Update& u, wire::DecodeResult& r) {
    ++p.stats.updates_in;
    c.pending_update = UpdateIn{p.id, std::move(u), r.action, std::move(r.errors)};
    feed(p, c, Event::UpdateMsg);
  }

  void handle(Peer& p, Conn& c, wire::RouteRefresh& rr, wire::DecodeResult&) {
    ++p.stats.refreshes_in;
    // RFC 2918: only meaningful on an Established session that negotiated it; else ignored.
    if (c.fsm.state() != State::Established || !c.neg || !c.neg->route_refresh) return;
    if (callbacks.on_refresh) callbacks.on_refresh(RefreshRequest{p.id, rr});
  }

  // ---- listening -----------------------------------------------------------------------
  void accept(Listener& l) {
    auto ch = std::make_shared<Channel>(io);
    l.acc.async_accept(ch->sock, [this, &l, ch](const ErrorCode& err) {
      if (err == asio::error::operation_aborted) return;
      if (!err) {
        if (l.failures != 0) {
          spdlog::info("listener {}: accepting again after {} failed accept(s)", l.name,
                       l.failures);
        }
        l.failures = 0;
        l.backoff = std::chrono::milliseconds(0);
        incoming(ch);
        accept(l);
        return;
      }
      // EMFILE/ENFILE/ENOBUFS/ENOMEM: the connection stays in the backlog and an immediate
      // retry fails again (a busy loop). Retry after 10 ms, doubling up to 1 s; log once per
      // episode.
      if (l.failures++ == 0) {
        spdlog::error("listener {}: accept: {}; retrying with a backoff up to {} ms", l.name,
                      err.message(), kAcceptBackoffMax.count());
      }
      l.backoff = std::clamp(l.backoff * 2, kAcceptBackoffMin, kAcceptBackoffMax);
      l.retry.expires_after(l.backoff);
      l.retry.async_wait([this, &l](const ErrorCode& e) {
        if (!e && l.acc.is_open()) accept(l);
      });
    });
  }

  void reject(const ChannelPtr& ch, const base::IpAddress& remote, std::uint16_t port,
              std::string why, bool log = true) {
    if (log) spdlog::warn("refused connection from {} port {}: {}", remote, port, why);
    if (callbacks.on_rejected) callbacks.on_rejected(RejectedConnection{remote, port, why});
    ch->close();
  }

  // DampPeerOscillations: while the peer's only FSM sits Idle on its IdleHold timer, incoming
  // connections are refused as well as our own connects held back.
  std::optional<base::SteadyTime> damped_until(const Peer& p) const {
    if (p.conns.size() != 1) return std::nullopt;
    const Fsm& f = p.conns.front()->fsm;
    if (f.state() != State::Idle) return std::nullopt;
    const auto until = f.idle_hold_deadline();
    if (!until || *until <= clock.now()) return std::nullopt;
    return until;
  }

  void incoming(const ChannelPtr& ch) {
    ErrorCode ec;
    const auto re = ch->sock.remote_endpoint(ec);
    if (ec) {
      ch->close();
      return;
    }
    const base::IpAddress remote = to_ip(re.address());
    Peer* p = peer_by_address(remote);
    if (!p) return reject(ch, remote, re.port(), "not a configured peer");
    if (!p->admin_up) return reject(ch, remote, re.port(), "peer is administratively down");
    if (const auto until = damped_until(*p)) {
      const auto left = std::chrono::ceil<std::chrono::seconds>(*until - clock.now());
      // One line per idle hold period, not one per attempt.
      const bool log = p->damp_logged != until;
      p->damp_logged = until;
      return reject(ch, remote, re.port(),
                    fmt::format("damped after {} consecutive failure(s): idle hold {}s more",
                                p->conns.front()->fsm.failures(), left.count()),
                    log);
    }
    if (established(*p)) return reject(ch, remote, re.port(), "session already established");
    Conn* target = nullptr;
    if (p->conns.size() == 1 && !p->conns.front()->ch &&
        p->conns.front()->fsm.state() <= State::Active) {
      target = p->conns.front().get();  // Idle or Active: nothing of ours in flight
    } else if (p->conns.size() == 1) {
      // Our own connection is in flight or up: both proceed, and RFC 4271 6.8 picks one
      // when the OPENs are in, the same way on both sides.
      target = &new_conn(*p);  // a second connection: collision resolved on its OPEN
    } else {
      return reject(ch, remote, re.port(), "collision already being resolved");
    }
    spdlog::info("peer {}: accepted connection from {} port {}", p->cfg.name, remote, re.port());
    apply_options(*p, ch->sock);
    // The socket is attached first: an FSM in Active without one would be discarded.
    const std::uint64_t cid = target->id;
    target->ch = ch;
    target->outgoing = false;
    target->framer = wire::Framer();
    if (target->fsm.state() == State::Idle) feed(*p, *target, Event::AutomaticStartPassive);
    target = conn(p->id, cid);
    if (!target || target->ch != ch) return ch->close();
    attached(*p, *target);
    feed(*p, *target, Event::TcpConnectionConfirmed);
  }

  // `key` "" removes the peer's key.
  void install_md5(const Peer& p, std::optional<std::string_view> key = std::nullopt) {
    if (p.cfg.password.empty()) return;
    for (auto& l : acceptors) {
      if (l->family != p.cfg.address.family()) continue;
      const auto err = sockopt::set_md5(l->acc.native_handle(), l->family, p.cfg.address,
                                        key.value_or(p.cfg.password));
      if (!err.empty()) spdlog::error("peer {}: listener {}", p.cfg.name, err);
    }
  }

  // GTSM on the listener (RFC 5082), so a too-distant peer never gets a connection and
  // nothing it sends is read. The listener is shared by every peer of its family: each GTSM
  // peer's minimum goes into a BPF filter keyed by source address (other sources pass; accepted
  // sockets inherit it), and when every peer of the family uses GTSM the listener also gets
  // IP_MINTTL / IPV6_MINHOPCOUNT at the lowest of their minimums. Accepted sockets still get
  // their own peer's minimum.
  void update_listener_ttl() {
    for (auto& l : acceptors) {
      int min = 0;
      bool all = true;
      std::vector<sockopt::GtsmRule> rules;
      for (const auto& [id, p] : peers) {
        if (p->cfg.address.family() != l->family) continue;
        if (!p->cfg.gtsm) {
          all = false;
          continue;
        }
        const int need = 256 - p->cfg.multihop.value_or(1);
        rules.push_back({p->cfg.address, need});
        min = min == 0 ? need : std::min(min, need);
      }
      if (auto err = sockopt::set_gtsm_filter(l->acc.native_handle(), l->family, rules);
          !err.empty()) {
        spdlog::error("listener {}: {}", l->name, err);
      }
      const int want = all ? min : 0;
      if (want == l->min_ttl) continue;
      const auto err = sockopt::set_min_ttl(l->acc.native_handle(), l->family, want);
      if (!err.empty()) {
        spdlog::error("listener {}: {}", l->name, err);
        continue;
      }
      l->min_ttl = want;
      spdlog::info("listener {}: minimum TTL {} (every peer uses GTSM)", l->name, want);
    }
  }

  void maybe_shutdown_done() {
    if (!shutdown_done || lingering != 0) return;
    shutdown_timer.cancel();
    asio::post(io, std::exchange(shutdown_done, nullptr));
  }
};

SessionManager::SessionManager(asio::io_context& io, SpeakerConfig speaker,
                               SessionCallbacks callbacks, const base::Clock& clock,
                               std::uint64_t seed)
    : impl_(std::make_unique<Impl>(io, std::move(speaker), std::move(callbacks), clock, seed)) {}

SessionManager::~SessionManager() = default;

std::optional<std::string> SessionManager::listen() {
  for (const auto& l : impl_->speaker.listen) {
    const tcp::endpoint ep(to_asio(l.address), l.port);
    auto lis = std::make_unique<Listener>(impl_->io);
    lis->family = l.address.family();
    lis->name = fmt::format("[{}]:{}", l.address, l.port);
    tcp::acceptor& acc = lis->acc;
    ErrorCode ec;
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && ep.address().is_v6()) acc.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fmt::format("listen on [{}]:{}: {}", l.address, l.port, ec.message());
    spdlog::info("listening on [{}]:{}", l.address, l.port);
    impl_->acceptors.push_back(std::move(lis));
  }
  for (const auto& [id, p] : impl_->peers) impl_->install_md5(*p);
  impl_->update_listener_ttl();  // before the first accept
  for (auto& lis : impl_->acceptors) impl_->accept(*lis);
  return std::nullopt;
}

PeerId SessionManager::add_peer(PeerConfig config) {
  auto p = std::make_unique<Impl::Peer>();
  p->id = impl_->next_peer_id++;
  p->cfg = std::move(config);
  Impl::Peer& peer = *(impl_->peers[p->id] = std::move(p));
  impl_->new_conn(peer);
  impl_->install_md5(peer);
  impl_->update_listener_ttl();
  return peer.id;
}

void SessionManager::start_peer(PeerId id) {
  Impl::Peer* p = impl_->peer(id);
  if (!p || p->admin_up) return;
  p->admin_up = true;
  Impl::Conn& c = *p->conns.front();
  c.fsm.set_auto_restart(true);
  impl_->feed(*p, c, p->cfg.passive ? Event::ManualStartPassive : Event::ManualStart);
}

void SessionManager::stop_peer(PeerId id, const std::string& shutdown_message) {
  Impl::Peer* p = impl_->peer(id);
  if (!p) return;
  p->admin_up = false;
  // Stop every connection; the last one stays as the Idle FSM of the peer.
  while (!p->conns.empty()) {
    Impl::Conn& c = *p->conns.back();
    c.fsm.set_auto_restart(false);
    c.pending_notification =
        wire::make_shutdown_notification(wire::err::kCeaseAdminShutdown, shutdown_message);
    c.down_reason = "administrative shutdown";
    const std::size_t before = p->conns.size();
    impl_->feed(*p, c, Event::ManualStop);
    if (p->conns.size() == before) break;  // the last one, now Idle
  }
}

bool SessionManager::drop_peer(PeerId id, std::uint8_t cease_subcode, const std::string& reason) {
  Impl::Peer* p = impl_->peer(id);
  if (!p) return false;
  for (auto& cp : p->conns) {
    Impl::Conn& c = *cp;
    if (c.fsm.state() != State::Established) continue;
    c.down_reason = reason;
    EventInput in;
    in.cease_subcode = cease_subcode;
    impl_->feed(*p, c, Event::AutomaticStop, in);
    return true;  // one Established connection per peer; `c` may be gone now
  }
  return false;
}

void SessionManager::shutdown(const std::string& shutdown_message, std::function<void()> done,
                              const std::function<bool(PeerId)>& keep) {
  for (const auto& [id, p] : impl_->peers)
    if (!keep || !keep(id)) stop_peer(id, shutdown_message);
  for (auto& l : impl_->acceptors) {
    ErrorCode ec;
    l->acc.close(ec);
    l->retry.cancel();
  }
  impl_->shutdown_done = std::move(done);
  impl_->shutdown_timer.expires_after(std::chrono::seconds(3));
  impl_->shutdown_timer.async_wait([impl = impl_.get()](const ErrorCode& err) {
    if (!err && impl->shutdown_done)
      asio::post(impl->io, std::exchange(impl->shutdown_done, nullptr));
  });
  impl_->maybe_shutdown_done();
}

void SessionManager::set_graceful_restart(PeerId id, std::optional<wire::GracefulRestartCap> gr) {
  if (Impl::Peer* p = impl_->peer(id)) p->cfg.graceful_restart = std::move(gr);
}

bool SessionManager::send(PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> message) {
  Impl::Peer* p = impl_->peer(id);
  if (!p || !message || message->size() < wire::kHeaderSize) return false;
  Impl::Conn* c = impl_->established(*p);
  if (!c || !c->ch || c->ch->overflowed) return false;  // overflowed: being dropped
  // The buffer may hold several back-to-back messages (one packed batch): count each UPDATE.
  for (std::size_t off = 0; off + wire::kHeaderSize <= message->size();) {
    const std::size_t len = (std::size_t{(*message)[off + 16]} << 8) | (*message)[off + 17];
    if ((*message)[off + 18] == static_cast<std::uint8_t>(wire::MessageType::Update))
      ++p->stats.updates_out;
    if (len < wire::kHeaderSize) break;
    off += len;
  }
  impl_->enqueue(*p, *c, std::move(message));
  return true;
}

bool SessionManager::congested(PeerId id) const { return impl_->peer_ref(id).congested; }

const PeerConfig& SessionManager::config(PeerId id) const { return impl_->peer_ref(id).cfg; }

PeerStats SessionManager::stats(PeerId id) const { return impl_->peer_ref(id).stats; }

std::optional<Negotiated> SessionManager::negotiated(PeerId id) const {
  for (const auto& c : impl_->peer_ref(id).conns) {
    if (c->fsm.state() == State::Established) return c->neg;
  }
  return std::nullopt;
}

std::size_t SessionManager::read_buffer_bytes() const {
  std::size_t n = 0;
  for (const auto& [id, p] : impl_->peers) {
    for (const auto& c : p->conns) {
      if (c->ch) n += c->ch->rbuf.capacity();
    }
  }
  return n;
}

std::vector<PeerId> SessionManager::peers() const {
  std::vector<PeerId> out;
  for (const auto& [id, p] : impl_->peers) out.push_back(id);
  return out;
}

void SessionManager::replace_config(PeerId id, PeerConfig config) {
  Impl::Peer* p = impl_->peer(id);
  if (!p) return;
  impl_->install_md5(*p, "");  // the key of the old address
  p->cfg = std::move(config);
  p->conns.clear();  // stopped: its one Idle FSM, replaced by one with the new timers
  impl_->new_conn(*p);
  impl_->install_md5(*p);
  impl_->update_listener_ttl();
}

void SessionManager::release(PeerId id) {
  auto it = impl_->peers.find(id);
  if (it == impl_->peers.end()) return;
  impl_->install_md5(*it->second, "");
  impl_->peers.erase(it);  // its Conns; a Channel still flushing a NOTIFICATION lingers alone
  impl_->update_listener_ttl();
}

}  // namespace nvabgpd::session
