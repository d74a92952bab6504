// Peer: the FSM driver (events in, actions performed on the peer's connections), and the
// operations SessionManager applies to one peer.
#include "peer.hpp"

#include <algorithm>

#include "peer_conn.hpp"
#include "socket_options.hpp"

namespace nvabgpd::session {

namespace {

// The peer's timers and damping as its FSMs take them (large_hold, auto_restart: defaults).
FsmConfig fsm_config(const PeerConfig& cfg) {
  return FsmConfig{.connect_retry = cfg.connect_retry,
                   .hold_time = cfg.hold_time,
                   .idle_hold = cfg.idle_hold,
                   .idle_hold_max = cfg.idle_hold_max,
                   .damp_reset_after = cfg.damp_reset_after,
                   .passive = cfg.passive};
}

}  // namespace

Peer::Peer(Context& ctx, PeerId id, PeerConfig cfg)
    : ctx_(ctx), id_(id), cfg_(std::move(cfg)), restart_timer_(ctx.io) {
  new_conn();
}

Peer::~Peer() = default;

void Peer::reconfigure(PeerConfig cfg) {
  cfg_ = std::move(cfg);
  conns_.clear();
  new_conn();
}

// ---- lookups ---------------------------------------------------------------------------

Peer::Conn* Peer::established() {
  for (auto& c : conns_) {
    if (c->fsm.state() == State::Established) return c.get();
  }
  return nullptr;
}

Peer::Conn* Peer::find(const Conn* c) {
  for (auto& x : conns_) {
    if (x.get() == c) return x.get();
  }
  return nullptr;
}

Peer::Conn& Peer::new_conn() {
  conns_.push_back(std::make_shared<Conn>(*this, ctx_.next_conn_id++, fsm_config(cfg_)));
  if (conns_.size() > 1) conns_.back()->fsm.set_failures(conns_.front()->fsm.failures());
  return *conns_.back();
}

std::optional<Negotiated> Peer::negotiated() const {
  for (const auto& c : conns_) {
    if (c->fsm.state() == State::Established) return c->neg;
  }
  return std::nullopt;
}

std::size_t Peer::read_buffer_bytes() const {
  std::size_t n = 0;
  for (const auto& c : conns_) {
    if (c->ch) n += c->ch->read_buffer_bytes();
  }
  return n;
}

// ---- operations --------------------------------------------------------------------------

void Peer::start() {
  restart_timer_.cancel();
  if (admin_up_) return;
  admin_up_ = true;
  Conn& c = *conns_.front();
  c.fsm.set_auto_restart(true);
  feed(c, cfg_.passive ? Event::ManualStartPassive : Event::ManualStart);
}

void Peer::stop(const std::string& shutdown_message) {
  restart_timer_.cancel();  // an explicit stop ends a prefix-limit hold
  stop_connections(shutdown_message);
}

void Peer::stop_connections(const std::string& shutdown_message) {
  admin_up_ = false;
  // Stop every connection; the last one stays as the Idle FSM of the peer.
  while (!conns_.empty()) {
    Conn& c = *conns_.back();
    c.fsm.set_auto_restart(false);
    c.pending_notification =
        wire::make_shutdown_notification(wire::err::kCeaseAdminShutdown, shutdown_message);
    c.down_reason = "administrative shutdown";
    const std::size_t before = conns_.size();
    feed(c, Event::ManualStop);
    if (conns_.size() == before) break;  // the last one, now Idle
  }
}

void Peer::stop_for_prefix_limit(std::chrono::seconds restart_after, wire::AfiSafi af,
                                 std::uint32_t limit) {
  admin_up_ = false;  // refuses the peer's connections until the restart
  if (Conn* c = established()) {
    c->fsm.set_auto_restart(false);  // the restart timer below brings it back
    c->pending_notification = wire::make_max_prefix_notification(af, limit);
    c->down_reason = "maximum number of prefixes reached";
    EventInput in;
    in.cease_subcode = wire::err::kCeaseMaxPrefixes;
    feed(*c, Event::AutomaticStop, in);
  }
  stop_connections("prefix limit exceeded");  // any other connection (a collision's second)
  restart_timer_.expires_after(restart_after);
  restart_timer_.async_wait([this](const ErrorCode& err) {
    if (!err && !ctx_.stopping) start();
  });
}

bool Peer::drop(std::uint8_t cease_subcode, const std::string& reason) {
  Conn* c = established();
  if (!c) return false;
  c->down_reason = reason;
  EventInput in;
  in.cease_subcode = cease_subcode;
  feed(*c, Event::AutomaticStop, in);
  return true;  // one Established connection per peer; `c` may be gone now
}

void Peer::set_graceful_restart(std::optional<wire::GracefulRestartCap> gr) {
  cfg_.graceful_restart = std::move(gr);
}

bool Peer::send(Buffer message) {
  if (!message || message->size() < wire::kHeaderSize) return false;
  Conn* c = established();
  if (!c || !c->ch || c->ch->overflowed()) return false;  // overflowed: being dropped
  // The buffer may hold several back-to-back messages (one packed batch): count each UPDATE.
  for (std::size_t off = 0; off + wire::kHeaderSize <= message->size();) {
    const std::size_t len = (std::size_t{(*message)[off + 16]} << 8) | (*message)[off + 17];
    if ((*message)[off + 18] == static_cast<std::uint8_t>(wire::MessageType::Update))
      ++stats_.updates_out;
    if (len < wire::kHeaderSize) break;
    off += len;
  }
  enqueue(*c, std::move(message));
  return true;
}

// RFC 2918 (subtype 0) needs the Route Refresh capability on both sides; RFC 7313 BoRR and
// EoRR (subtypes 1, 2) need Enhanced Route Refresh.
bool Peer::send_route_refresh(wire::AfiSafi af, std::uint8_t subtype) {
  Conn* c = established();
  if (!c || !c->neg || !c->neg->route_refresh) return false;
  if (subtype != 0 && !c->neg->enhanced_route_refresh) return false;
  return send(std::make_shared<const std::vector<std::uint8_t>>(
      wire::encode(wire::RouteRefresh{af, subtype}, c->neg->params())));
}

// ---- the FSM driver ----------------------------------------------------------------------

void Peer::feed(Conn& c, Event e, EventInput in) {
  in.now = ctx_.clock.now();
  in.jitter = ctx_.jitter();
  const Transition t = c.fsm.handle(e, in);
  const auto& cb = ctx_.callbacks;
  if (t.from != t.to && cb.on_state)
    cb.on_state(StateChange{id_, c.id, c.outgoing, t.from, t.to, e});
  if (cb.on_fsm_event) cb.on_fsm_event(StateChange{id_, c.id, c.outgoing, t.from, t.to, e});
  // The reason goes on the state change's log line, after the actions (a NOTIFICATION sent
  // may give it); ReleaseResources forgets it.
  std::string reason;
  bool reason_logged = false;
  auto keep_reason = [&] {
    if (c.down_reason.empty()) return;
    reason = c.down_reason;
    reason_logged = reason == c.logged_reason;
  };
  for (const Action& a : t.actions) {
    if (a.kind == ActionKind::ReleaseResources) keep_reason();
    perform(c, a, e);
  }
  keep_reason();
  // A fallback (to Idle, or to Active from Connect or later) is logged with its reason, which is
  // then spent: a later fallback gives its own.
  const bool fallback =
      t.from != t.to && (t.to == State::Idle || (t.to == State::Active && t.from != State::Idle));
  if (t.from != t.to) log_transition(c, t, e, fallback && !reason_logged ? reason : "");
  if (fallback) {
    c.down_reason.clear();
    c.logged_reason.clear();
  }
  c.pending_update.reset();
  c.pending_notification.reset();
  stats_.state = State::Idle;
  for (const auto& other : conns_) stats_.state = std::max(stats_.state, other->fsm.state());
  // With another connection alive, an FSM that went Idle, or that fell back to Active with
  // no socket (its connection failed in OpenSent), has nothing left to do.
  const State st = c.fsm.state();
  if (conns_.size() > 1 && (st == State::Idle || (st == State::Active && !c.ch))) {
    std::erase_if(conns_, [&](const auto& x) { return x.get() == &c; });
    return;
  }
  arm_timer(c);
}

void Peer::perform(Conn& c, const Action& a, Event e) {
  const auto& cb = ctx_.callbacks;
  switch (a.kind) {
    case ActionKind::InitiateConnection:
      connect(c);
      break;
    case ActionKind::DropConnection:
      drop_connection(c);
      break;
    case ActionKind::SendOpen: {
      wire::Capabilities caps;
      caps.multiprotocol = cfg_.families;
      caps.route_refresh = cfg_.route_refresh;
      caps.enhanced_route_refresh = cfg_.enhanced_route_refresh;
      caps.extended_message = cfg_.extended_message;
      caps.graceful_restart = cfg_.graceful_restart;
      c.sent_open = make_open(ctx_.speaker.asn, ctx_.speaker.router_id, cfg_.hold_time, caps);
      enqueue(c, encoded(c.sent_open));
      ++stats_.opens_out;
      break;
    }
    case ActionKind::SendKeepalive:
      enqueue(c, encoded(wire::Keepalive{}));
      ++stats_.keepalives_out;
      break;
    case ActionKind::SendNotification: {
      wire::Notification n{a.code, a.subcode, {}};
      if (c.pending_notification && c.pending_notification->code == a.code &&
          c.pending_notification->subcode == a.subcode) {
        n = *c.pending_notification;
      }
      const std::string text = "NOTIFICATION sent: " + wire::describe(n);
      spdlog::warn("peer {} ({}): {}", cfg_.name, cfg_.address, text);
      enqueue(c, encoded(n));
      ++stats_.notifications_out;
      c.last_sent = n;
      if (c.down_reason.empty()) c.down_reason = text;
      // A reason that ends with the NOTIFICATION's text (OPEN rejected, bad message header)
      // is in this line already.
      if (c.down_reason.ends_with(wire::describe(n))) c.logged_reason = c.down_reason;
      if (cb.on_notification) cb.on_notification(NotificationEvent{id_, true, n});
      break;
    }
    case ActionKind::ProcessUpdate:
      if (c.pending_update && cb.on_update) cb.on_update(std::move(*c.pending_update));
      break;
    case ActionKind::SessionUp:
      session_up(c);
      break;
    case ActionKind::SessionDown: {
      // Logged with the state change (log_transition).
      PeerDown d{id_, c.down_reason.empty() ? std::string(to_string(e)) : c.down_reason,
                 c.last_sent, c.last_received};
      if (cb.on_down) cb.on_down(d);
      break;
    }
    case ActionKind::ReleaseResources:
      c.neg.reset();
      c.down_reason.clear();
      c.logged_reason.clear();
      c.last_sent.reset();
      c.last_received.reset();
      break;
  }
}

// One line per state change, the only one for the event: coming up it carries what was
// negotiated; a fallback carries its reason, unless a line of its own (a NOTIFICATION, the send
// hold timer, the send-queue limit) has just said it.
void Peer::log_transition(const Conn& c, const Transition& t, Event e, const std::string& reason) {
  std::string line = fmt::format("peer {} ({}): {} -> {} on {}", cfg_.name, cfg_.address,
                                 to_string(t.from), to_string(t.to), to_string(e));
  if (t.to == State::Established && c.neg) {
    line +=
        fmt::format(": AS{} id {} hold {}s{}{}", c.neg->peer_asn,
                    base::IpAddress::v4(c.neg->peer_id), c.neg->hold_time.count(),
                    c.neg->four_octet_as ? " 4-octet-AS" : "", c.neg->route_refresh ? " RR" : "");
  } else if (!reason.empty()) {
    line += ": " + reason;
  }
  if (t.from == State::Established)
    spdlog::warn("{}", line);
  else
    spdlog::info("{}", line);
}

void Peer::session_up(Conn& c) {
  ++stats_.established_count;
  congested_ = false;  // a new connection: whatever an earlier one had queued is gone
  if (c.ch) c.ch->set_max_message_size(c.neg->params().max_message_size());
  // Connections still trying (Connect/Active) are redundant now.
  std::erase_if(conns_, [&](const auto& x) {
    if (x.get() == &c || x->fsm.state() > State::Active) return false;
    if (x->ch) x->ch->close();
    return true;
  });
  if (ctx_.callbacks.on_up)
    ctx_.callbacks.on_up(PeerUp{id_, *c.neg, c.local, c.remote, c.sent_open, c.received_open,
                                c.local_port, c.remote_port});
}

void Peer::arm_timer(Conn& c) {
  ++c.timer_gen;
  c.timer.cancel();
  const auto deadline = c.fsm.next_deadline();
  if (!deadline) return;
  c.timer.expires_at(*deadline);
  c.timer.async_wait([this, weak = c.weak_from_this(), gen = c.timer_gen](const ErrorCode&) {
    for (;;) {
      const auto cc = weak.lock();  // gone with its peer, or erased: nothing to do
      if (!cc || cc->timer_gen != gen || !find(cc.get())) return;
      const auto due = cc->fsm.due(ctx_.clock.now());
      if (due.empty()) {
        arm_timer(*cc);
        return;
      }
      if (due.front() == Event::HoldTimerExpires) cc->down_reason = "hold timer expired";
      feed(*cc, due.front());
    }
  });
}

// ---- connections -------------------------------------------------------------------------

void Peer::apply_options(tcp::socket& s) {
  const int fd = s.native_handle();
  const auto fam = cfg_.address.family();
  const bool ebgp = cfg_.asn != ctx_.speaker.asn;
  int ttl = 0;
  if (cfg_.gtsm) {
    ttl = 255;
  } else if (cfg_.multihop) {
    ttl = *cfg_.multihop;
  } else if (ebgp) {
    ttl = 1;
  }
  auto warn = [&](const std::string& err) {
    if (!err.empty()) spdlog::warn("peer {} ({}): {}", cfg_.name, cfg_.address, err);
  };
  if (ttl != 0) warn(sockopt::set_ttl(fd, fam, ttl));
  if (cfg_.gtsm) warn(sockopt::set_min_ttl(fd, fam, 256 - cfg_.multihop.value_or(1)));
}

// `c` uses `ch` from now on; whatever it used before reports nothing more.
void Peer::attach(Conn& c, const ConnectionPtr& ch, bool outgoing) {
  if (c.ch && c.ch != ch) c.ch->detach();
  c.ch = ch;
  c.outgoing = outgoing;
  ch->attach(&c);
}

void Peer::connect(Conn& c) {
  auto ch = std::make_shared<Connection>(ctx_.io, ctx_.clock);
  attach(c, ch, true);
  const tcp::endpoint remote(to_asio(cfg_.address), cfg_.port);
  tcp::socket& sock = ch->socket();
  ErrorCode ec;
  sock.open(remote.protocol(), ec);
  if (!ec) {
    apply_options(sock);
    if (!cfg_.password.empty()) {
      const auto err = sockopt::set_md5(sock.native_handle(), cfg_.address.family(), cfg_.address,
                                        cfg_.password);
      if (!err.empty()) spdlog::error("peer {}: {}", cfg_.name, err);
    }
    if (cfg_.local_address) sock.bind(tcp::endpoint(to_asio(*cfg_.local_address), 0), ec);
  }
  if (ec) {
    spdlog::warn("peer {}: cannot connect: {}", cfg_.name, ec.message());
    ch->fail_soon("socket setup failed");
    return;
  }
  ch->connect(remote);
}

// The connection's socket is up (either direction): remember the endpoints, start reading.
void Peer::attached(Conn& c) {
  const Connection::Endpoints e = c.ch->start();
  c.local = e.local;
  c.local_port = e.local_port;
  c.remote = e.remote;
  c.remote_port = e.remote_port;
}

void Peer::drop_connection(Conn& c) {
  if (!c.ch) return;
  const ConnectionPtr ch = std::move(c.ch);
  ch->close_after_flush([this] { return ctx_.linger(); });
}

void Peer::enqueue(Conn& c, Buffer b) {
  if (!c.ch || c.ch->closed() || c.ch->overflowed()) return;
  const std::size_t queued = c.ch->push(std::move(b));
  stats_.queued_bytes = queued;
  if (queued > cfg_.send_queue_limit) {
    overflow(c);
    return;
  }
  if (queued > SessionManager::kHighWatermark) congested_ = true;
  c.ch->pump();
}

// More than send_queue_limit bytes queued: free the backlog now and drop the session with
// Cease/Out of Resources (RFC 4486 subcode 8) once the current call chain has returned (this
// runs inside send() or an FSM action).
void Peer::overflow(Conn& c) {
  const ConnectionPtr ch = c.ch;
  const std::size_t queued = ch->queued();
  ch->set_overflowed(true);
  ch->discard_backlog();
  stats_.queued_bytes = ch->queued();
  spdlog::error(
      "peer {} ({}): {} bytes queued for a peer that does not read fast enough, over the "
      "send-queue limit of {}: dropping the session (Cease/Out of Resources)",
      cfg_.name, cfg_.address, queued, cfg_.send_queue_limit);
  c.down_reason = fmt::format("send queue over its limit of {} bytes", cfg_.send_queue_limit);
  c.logged_reason = c.down_reason;
  asio::post(ctx_.io, [this, weak = c.weak_from_this(), ch] {
    const auto cc = weak.lock();
    if (!cc || !find(cc.get()) || cc->ch != ch || ch->closed()) return;
    ch->discard_backlog();
    ch->set_overflowed(false);  // lets the NOTIFICATION in
    EventInput in;
    in.cease_subcode = wire::err::kCeaseOutOfResources;
    feed(*cc, Event::AutomaticStop, in);
  });
}

// RFC 9687: SendHoldTime, or max(8 min, 2 x hold time) (negotiated once the OPENs are in).
std::chrono::seconds Peer::send_hold_time(const Conn& c) const {
  if (cfg_.send_hold_time) return *cfg_.send_hold_time;
  const auto hold = c.neg ? c.neg->hold_time : cfg_.hold_time;
  return std::max<std::chrono::seconds>(std::chrono::minutes(8), 2 * hold);
}

// ---- incoming connections ----------------------------------------------------------------

// DampPeerOscillations: while the peer's only FSM sits Idle on its IdleHold timer, incoming
// connections are refused as well as our own connects held back.
std::optional<base::SteadyTime> Peer::damped_until() const {
  if (conns_.size() != 1) return std::nullopt;
  const Fsm& f = conns_.front()->fsm;
  if (f.state() != State::Idle) return std::nullopt;
  const auto until = f.idle_hold_deadline();
  if (!until || *until <= ctx_.clock.now()) return std::nullopt;
  return until;
}

std::optional<Peer::Refusal> Peer::incoming(const ConnectionPtr& ch, const base::IpAddress& remote,
                                            std::uint16_t port) {
  if (!admin_up_) return Refusal{"peer is administratively down"};
  if (const auto until = damped_until()) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(*until - ctx_.clock.now());
    // One line per idle hold period, not one per attempt.
    const bool log = damp_logged_ != until;
    damp_logged_ = until;
    return Refusal{fmt::format("damped after {} consecutive failure(s): idle hold {}s more",
                               conns_.front()->fsm.failures(), left.count()),
                   log};
  }
  if (established()) return Refusal{"session already established"};
  Conn* target = nullptr;
  if (conns_.size() == 1 && !conns_.front()->ch && conns_.front()->fsm.state() <= State::Active) {
    target = conns_.front().get();  // Idle or Active: nothing of ours in flight
  } else if (conns_.size() == 1) {
    // Our own connection is in flight or up: both proceed, and RFC 4271 6.8 picks one
    // when the OPENs are in, the same way on both sides.
    target = &new_conn();  // a second connection: collision resolved on its OPEN
  } else {
    return Refusal{"collision already being resolved"};
  }
  spdlog::info("peer {}: accepted connection from {} port {}", cfg_.name, remote, port);
  apply_options(ch->socket());
  // The socket is attached first: an FSM in Active without one would be discarded.
  attach(*target, ch, false);
  const auto weak = target->weak_from_this();
  if (target->fsm.state() == State::Idle) feed(*target, Event::AutomaticStartPassive);
  const auto kept = weak.lock();
  if (!kept || !find(kept.get()) || kept->ch != ch) {
    ch->close();
    return std::nullopt;
  }
  attached(*kept);
  feed(*kept, Event::TcpConnectionConfirmed);
  return std::nullopt;
}

}  // namespace nvabgpd::session
