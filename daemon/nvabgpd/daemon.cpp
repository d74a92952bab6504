#include "daemon.hpp"

#include <malloc.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "bfd_link.hpp"
#include "filter_adapter.hpp"
#include "interface_address.hpp"
#include "monitoring.hpp"
#include "nvabgpd/wire/codec.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::daemon {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kRibBudget = 20000;  // decisions per loop turn before yielding

rib::PrefixLimit to_rib(const std::optional<config::PrefixLimit>& l) {
  rib::PrefixLimit r;
  if (!l) return r;
  r.max = l->max;
  r.action = l->action == config::LimitAction::Warn    ? rib::LimitAction::Warn
             : l->action == config::LimitAction::Block ? rib::LimitAction::Block
                                                       : rib::LimitAction::Restart;
  r.restart_after = std::chrono::seconds(l->restart_delay);
  return r;
}
}  // namespace

// The RIB's next-hop resolver over the kernel's non-BGP routes (fib::NetlinkFib). Without a
// FIB (kernel disabled) every next hop is reachable at cost 0, as for directly connected peers.
class Daemon::Resolver final : public rib::NextHopResolver {
 public:
  explicit Resolver(fib::NetlinkFib* fib) : fib_(fib) {}
  rib::NextHopInfo resolve(const base::IpAddress& nh) const override {
    if (fib_ == nullptr) return {true, 0, std::nullopt};
    auto r = fib_->resolve(nh);
    if (!r) return {false, 0, std::nullopt};
    return {true, r->igp_metric, std::nullopt};  // the FIB resolves the BGP next hop itself
  }

 private:
  fib::NetlinkFib* fib_;
};

Daemon::Daemon(asio::io_context& io, DaemonOptions opts, config::Config cfg,
               std::shared_ptr<const policy::Program> program, DaemonWiring wiring)
    : io_(io),
      opts_(std::move(opts)),
      cfg_(std::move(cfg)),
      program_(std::move(program)),
      wiring_(std::move(wiring)),
      clock_(wiring_.clock ? *wiring_.clock : steady_clock_),
      fib_sink_(wiring_.fib),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      rib_timer_(io),
      watchdog_timer_(io),
      convergence_timer_(io),
      metrics_timer_(io) {}

Daemon::~Daemon() = default;

PeerRuntime* Daemon::find_peer(const std::string& name) {
  for (auto& p : peers_)
    if (!p.removed && p.cfg.name == name) return &p;
  return nullptr;
}

PeerRuntime* Daemon::peer_by_rid(rib::PeerId rid) {
  if (rid == 0 || rid > peers_.size()) return nullptr;
  return &peers_[rid - 1];
}

session::PeerStats Daemon::peer_stats(const PeerRuntime& p) const {
  session::PeerStats st = sessions_->stats(p.sid);
  if (!p.predecessor) return st;
  const session::PeerStats before = peer_stats(peers_[*p.predecessor]);
  st.opens_in += before.opens_in;
  st.opens_out += before.opens_out;
  st.keepalives_in += before.keepalives_in;
  st.keepalives_out += before.keepalives_out;
  st.updates_in += before.updates_in;
  st.updates_out += before.updates_out;
  st.notifications_in += before.notifications_in;
  st.notifications_out += before.notifications_out;
  st.refreshes_in += before.refreshes_in;
  st.established_count += before.established_count;
  return st;
}

std::optional<rib::PeerCounters> Daemon::peer_counters(const PeerRuntime& p) const {
  std::optional<rib::PeerCounters> c = rib_->counters(p.rid);
  if (!p.predecessor) return c;
  std::optional<rib::PeerCounters> before = peer_counters(peers_[*p.predecessor]);
  if (!before) return c;
  if (!c) {
    c = rib::PeerCounters{};  // the new slot has not been up yet
  }
  c->updates += before->updates;
  c->received += before->received;
  c->withdrawn += before->withdrawn;
  c->filtered += before->filtered;
  c->loops += before->loops;
  c->limit_blocked += before->limit_blocked;
  c->export_blocked += before->export_blocked;
  return c;
}

std::optional<std::string> Daemon::start() {
  // FIB first: the RIB resolves next hops through it.
  if (cfg_.kernel.enabled && !opts_.no_kernel && !fib_sink_) {
    fib::NetlinkFibConfig fc;
    fc.table = cfg_.kernel.table;
    fc.protocol = cfg_.kernel.protocol;
    fc.metric = cfg_.kernel.metric;
    fc.max_paths = cfg_.kernel.max_paths;
    fc.persist = cfg_.kernel.persist;
    for (const auto& p : cfg_.peers) fc.protected_addresses.push_back(p.address);
    auto f = fib::NetlinkFib::start(fc, [this](std::vector<base::IpAddress> changed) {
      // FIB worker thread: hand over to the BGP thread.
      asio::post(io_, [this, n = changed.size()] {
        spdlog::debug("fib: {} next hop(s) changed; re-resolving", n);
        rib_->next_hops_changed();
        schedule_pump();
      });
    }, [this](std::vector<fib::FibBatchReport> done) {
      // FIB worker thread: batches acknowledged by the kernel, for the metrics.
      asio::post(io_, [this, done = std::move(done)] { on_fib_batches(done); });
    });
    if (!f) return "kernel FIB: " + f.error();
    fib_ = std::move(f.value());
    fib_sink_ = fib_.get();
    adopted_ = fib_->stats().adopted;
    restarting_ = adopted_ > 0;
  }
  convergence_.emplace(ConvergenceTimers{std::chrono::seconds(cfg_.kernel.peer_up_wait),
                                         std::chrono::seconds(cfg_.kernel.end_of_rib_wait)},
                       clock_.now());
  export_held_ = restarting_;
  if (restarting_)
    spdlog::info(
        "restarting with {} route(s) adopted from the kernel: they stay until initial "
        "convergence; graceful restart peers get the Restart State bit, our routes and "
        "End-of-RIB after their End-of-RIB (RFC 4724)",
        adopted_);
  resolver_ = std::make_unique<Resolver>(fib_.get());

  rib::RibConfig rc;
  rc.local_asn = cfg_.asn;
  rc.router_id = cfg_.router_id.v4_value();
  for (const auto& p : cfg_.peers) {
    if (p.cluster_id && !rc.cluster_id) rc.cluster_id = p.cluster_id;
    if (p.always_compare_med) rc.decision.always_compare_med = true;
  }
  rc.decision.max_paths = cfg_.kernel.max_paths == 0 ? 1 : cfg_.kernel.max_paths;
  // Fixed for the daemon's lifetime (kernel settings apply at restart).
  rc.fib = fib_sink_ != nullptr;
  rib_ = std::make_unique<rib::Rib>(rc, *resolver_);

  session::SpeakerConfig sc;
  sc.asn = cfg_.asn;
  sc.router_id = cfg_.router_id.v4_value();
  for (const auto& l : cfg_.listen) sc.listen.push_back({l.address, l.port});
  session::SessionCallbacks cb;
  cb.on_up = [this](const session::PeerUp& u) { on_up(u); };
  cb.on_down = [this](const session::PeerDown& d) { on_down(d); };
  cb.on_update = [this](session::UpdateIn&& u) { on_update(std::move(u)); };
  cb.on_refresh = [this](const session::RefreshRequest& r) { on_refresh(r); };
  // The session layer logs state changes, NOTIFICATIONs, ups, downs and refused connections.
  cb.on_state = [this](const session::StateChange& s) {
    if (s.peer < peers_.size() && monitoring_)
      monitoring_->state_change(peers_[s.peer], s.from, s.to);
  };
  cb.on_notification = [this](const session::NotificationEvent& n) {
    if (n.peer >= peers_.size()) return;
    const std::string what = wire::describe(n.notification);
    peers_[n.peer].last_error = (n.sent ? "sent: " : "received: ") + what;
  };
  cb.on_drained = [this](session::PeerId) { schedule_pump(); };  // resumes a held update group
  sessions_ =
      (wiring_.transport ? wiring_.transport : socket_transport)(io_, sc, std::move(cb), clock_);

  encoder_ = std::make_unique<OutboundEncoder>(
      [this](rib::PeerId rid) -> std::optional<OutboundEncoder::PeerWire> {
        PeerRuntime* p = peer_by_rid(rid);
        if (!p || !p->up || !p->negotiated) return std::nullopt;
        return OutboundEncoder::PeerWire{p->negotiated->params(), p->local_address, p->self_v6};
      },
      [this](rib::PeerId rid, const Buffer& b) {
        if (PeerRuntime* p = peer_by_rid(rid)) sessions_->send(p->sid, b);
      });

  start_health();  // before the first originate: tracked items wait for their checks
  for (const auto& pc : cfg_.peers) add_peer(pc);
  originate_all();

  const std::string sock = opts_.control_socket.value_or(cfg_.control.socket);
  control_ = std::make_unique<ControlServer>(io_, sock);
  install_control_handlers();
  install_health_handlers();
  monitoring_ = std::make_unique<Monitoring>(io_, *this);
  install_dump_handlers(*control_, *monitoring_);
  try {
    control_->start();
  } catch (const std::exception& e) {
    return "control socket " + sock + ": " + e.what();
  }

  if (auto err = sessions_->listen()) return "listen: " + *err;
  monitoring_->start();
  for (auto& p : peers_)
    if (p.cfg.enabled) sessions_->start_peer(p.sid);
  auto bfd_down = [this](session::PeerId sid, const std::string& why) {
    if (sid >= peers_.size() || peers_[sid].removed) return;
    if (sessions_->drop_peer(sid, wire::err::kCeaseBfdDown, why)) peers_[sid].last_error = why;
  };
  bfd_ = std::make_unique<BfdLink>(io_, clock_, bfd_down);
  sync_bfd();

  if (cfg_.metrics.enabled) {
    auto m = Metrics::start(cfg_.metrics.address.to_string(), cfg_.metrics.port);
    if (!m) return "metrics: " + m.error();
    metrics_ = std::move(m.value());
    spdlog::info("Prometheus metrics on http://{}:{}/metrics", cfg_.metrics.address, metrics_->port());
    sample_metrics();
  }
  wire_signals();
  if (auto wd = service_.watchdog_interval()) {
    auto interval = *wd;
    auto tick = std::make_shared<std::function<void()>>();
    *tick = [this, interval, tick] {
      service_.watchdog_ping();
      watchdog_timer_.expires_after(interval);
      watchdog_timer_.async_wait([tick](boost::system::error_code ec) {
        if (!ec) (*tick)();
      });
    };
    (*tick)();
  }
  schedule_pump();
  service_.ready(fmt::format("{} peers configured", peers_.size()));
  spdlog::info("nvabgpd started: AS{} router-id {} with {} peer(s), control socket {}", cfg_.asn,
               cfg_.router_id, peers_.size(), sock);
  return std::nullopt;
}

rib::FilterPtr Daemon::filter_for(const config::FilterRef& ref) const {
  switch (ref.kind) {
    case config::FilterRef::Kind::All:
      return rib::accept_all();
    case config::FilterRef::Kind::None:
      return rib::reject_all();
    case config::FilterRef::Kind::Named:
      break;
  }
  // One filter object per name and program: peers exporting through the same filter share an
  // update group (the RIB keys groups by the filter object).
  if (auto it = filter_cache_.find(ref.name); it != filter_cache_.end() && it->second.first == program_)
    return it->second.second;
  std::string err;
  auto f = make_filter(ref.name, program_, directory_, &err);
  if (f) filter_cache_[ref.name] = {program_, f};
  if (!f) {
    // Config validation checks filter names against the program, so this means a bug.
    spdlog::error("{}: rejecting every route", err);
    return rib::reject_all();
  }
  return f;
}

session::PeerConfig Daemon::session_config(const config::PeerConfig& pc) const {
  session::PeerConfig s;
  s.name = pc.name;
  s.description = pc.description;
  s.address = pc.address;
  s.port = pc.port;
  s.asn = pc.asn;
  s.local_address = pc.local_address;
  s.passive = pc.passive;
  s.hold_time = std::chrono::seconds(pc.hold_time);
  if (pc.keepalive != 0) s.keepalive = std::chrono::seconds(pc.keepalive);
  s.connect_retry = std::chrono::seconds(pc.connect_retry);
  s.idle_hold = std::chrono::seconds(pc.idle_hold);
  s.idle_hold_max = std::chrono::seconds(pc.idle_hold_max);
  s.damp_reset_after = std::max(s.damp_reset_after, s.idle_hold_max);
  if (pc.send_hold_time) s.send_hold_time = std::chrono::seconds(*pc.send_hold_time);
  s.send_queue_limit = static_cast<std::size_t>(pc.send_queue_limit);
  if (!cfg_.is_ibgp(pc)) s.multihop = pc.multihop;
  s.gtsm = pc.ttl_security;
  s.password = pc.password;
  s.families = pc.families;
  s.route_refresh = pc.route_refresh;
  // Enhanced Route Refresh (RFC 7313): BoRR/EoRR around a re-send, stale marking on BoRR.
  s.enhanced_route_refresh = pc.route_refresh;
  if (pc.graceful_restart.enabled) {
    wire::GracefulRestartCap gr;
    gr.restart_time = pc.graceful_restart.restart_time;
    // RFC 4724 3: Restart State while we are restarting (until initial convergence);
    // Forwarding State when the kernel routes survive our restarts (persist) or did survive
    // this one (adopted at start).
    gr.restart_state = restarting_ && !converged_;
    const bool forwarding = fib_ != nullptr && (cfg_.kernel.persist || restarting_);
    for (const auto& f : pc.families) gr.families.push_back({f, forwarding});
    s.graceful_restart = gr;
  }
  return s;
}

void Daemon::add_peer(const config::PeerConfig& pc, std::optional<std::size_t> predecessor) {
  PeerRuntime p;
  p.cfg = pc;
  p.predecessor = predecessor;  // a peer restarted by reload continues its totals
  p.sid = sessions_->add_peer(session_config(pc));
  p.rid = p.sid + 1;  // RIB id 0 is "local"
  directory_.set(p.rid, PeerIdentity{pc.name, pc.address});
  if (peers_.size() != p.sid) throw std::logic_error("session ids out of step");
  if (pc.enabled && convergence_ && !convergence_->converged())
    convergence_->track(p.sid, pc.name, clock_.now());
  peers_.push_back(std::move(p));
}

rib::PeerUp Daemon::rib_peer_settings(const PeerRuntime& p) const {
  rib::PeerUp r;
  r.id = p.rid;
  r.name = p.cfg.name;
  r.address = p.cfg.address;
  r.local_asn = cfg_.asn;
  r.remote_asn = p.cfg.asn;
  r.rr_client = p.cfg.route_reflector_client;
  r.route_server_client = p.cfg.route_server_client;
  r.next_hop_self = p.cfg.next_hop_self;
  r.allowas_in = p.cfg.allowas_in;
  r.default_local_pref = p.cfg.default_local_pref;
  r.soft_reconfig_in = p.cfg.soft_reconfiguration;
  // Azure Route Server counts every route it receives, re-sent or not, against its limit:
  // answer its ROUTE-REFRESH with End-of-RIB only (the routes it holds are unchanged).
  r.resend_on_refresh = !p.cfg.azure_route_server;
  r.stale_time = std::chrono::seconds(p.cfg.graceful_restart.stale_time);
  r.import_limit = to_rib(p.cfg.import_limit);
  r.export_limit = to_rib(p.cfg.export_limit);
  // Routes marked GRACEFUL_SHUTDOWN get LOCAL_PREF 0; exports follow drain and tracked checks.
  r.import_filter = route_control_->import_filter(filter_for(p.cfg.import_filter));
  r.export_filter = route_control_->export_filter(p.cfg, filter_for(p.cfg.export_filter), cfg_.asn);
  export_keys_[p.cfg.name] = route_control_->export_key(p.cfg);
  // Peers with the same export filter may share an update group.
  r.export_policy_id = static_cast<std::uint32_t>(
      std::hash<std::string>{}(p.cfg.export_filter.to_string()) & 0x7fffffffU);
  return r;
}

wire::PathAttributes Daemon::originate_attrs(const config::Originate& o) const {
  wire::PathAttributes a;
  a.origin = o.origin;
  a.med = o.med;
  a.local_pref = o.local_pref;
  a.communities = o.communities;
  a.large_communities = o.large_communities;
  if (o.as_path_prepend > 0) a.as_path.prepend(cfg_.asn, o.as_path_prepend);
  a.next_hop = o.next_hop;  // nullopt: next hop self on export
  return a;
}

rib::PeerUp Daemon::rib_peer_up(const PeerRuntime& p, const session::PeerUp& up) const {
  rib::PeerUp r = rib_peer_settings(p);
  r.local_address = up.local_address;
  r.remote_asn = up.negotiated.peer_asn;
  r.remote_router_id = up.negotiated.peer_id;
  r.families = up.negotiated.families;
  r.enhanced_route_refresh = up.negotiated.enhanced_route_refresh;
  r.graceful_restart = up.negotiated.graceful_restart;
  if (up.negotiated.peer_graceful_restart)
    r.restart_time = std::chrono::seconds(up.negotiated.peer_graceful_restart->restart_time);
  return r;
}

void Daemon::originate_all() {
  originate_keys_.clear();
  for (const auto& o : cfg_.originate) {
    // A tracked item is withdrawn or changed while a check it tracks is not up.
    auto a = route_control_->originate(o, originate_attrs(o), cfg_.asn);
    originate_keys_[o.prefix] = a ? route_control_->originate_key(o) : "-";
    if (a) rib_->originate(o.prefix, *a);
  }
}

void Daemon::on_up(const session::PeerUp& up) {
  if (up.peer >= peers_.size()) return;
  PeerRuntime& p = peers_[up.peer];
  p.up = true;
  p.since = std::chrono::system_clock::now();
  p.negotiated = up.negotiated;
  p.last_up = up;
  p.local_address = up.local_address;
  p.self_v6 = p.cfg.ipv6_next_hop;
  if (!p.self_v6 && up.local_address.is_v4()) p.self_v6 = global_ipv6_of_interface(up.local_address);
  p.last_error.clear();
  if (auto c = rib_->counters(p.rid))
    p.received_base = c->received - std::min(c->received, c->withdrawn);
  rib_->peer_up(rib_peer_up(p, up), clock_.now());
  convergence_->up(up.peer, up.negotiated.families, clock_.now());
  if (monitoring_) monitoring_->peer_up(p, up);
  schedule_pump();
}

void Daemon::on_down(const session::PeerDown& down) {
  if (down.peer >= peers_.size()) return;
  PeerRuntime& p = peers_[down.peer];
  const bool was_up = p.up;
  p.up = false;
  p.since = std::chrono::system_clock::now();
  p.last_error = down.reason;
  convergence_->down(down.peer);
  for (const auto& s : log_limiter_.drain(static_cast<std::uint32_t>(down.peer))) log_suppressed(s);
  if (!was_up) return;
  if (monitoring_) monitoring_->peer_down(p, down);
  // RFC 4724 helper: keep the routes as stale unless we or the peer reset deliberately.
  const bool graceful = p.negotiated && p.negotiated->graceful_restart && !down.sent;
  rib_->peer_down(rib::PeerDown{p.rid, graceful}, clock_.now());
  schedule_pump();
  // A session that goes down may free a large write queue (a peer that stopped reading) and
  // its routes; glibc keeps freed heap top and arenas mapped. Give it back once the socket's
  // pending handlers have released their buffers.
  auto trim = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(1));
  trim->async_wait([trim](boost::system::error_code ec) {
    if (!ec) malloc_trim(0);
  });
}

void Daemon::on_update(session::UpdateIn&& u) {
  if (u.peer >= peers_.size()) return;
  PeerRuntime& p = peers_[u.peer];
  if (monitoring_) monitoring_->update_received(p, u.update);  // pre-policy, as received
  if (u.action != wire::ErrorAction::None) {
    for (const auto& e : u.errors) {
      std::optional<base::RateLimiter::Suppressed> owed;
      if (!log_limiter_.admit({static_cast<std::uint32_t>(u.peer), e.type}, clock_.now(), &owed))
        continue;
      if (owed) log_suppressed(*owed);
      spdlog::warn("peer {}: malformed UPDATE handled per RFC 7606: {}", p.cfg.name, e.reason);
    }
    if (u.action == wire::ErrorAction::TreatAsWithdraw) {
      // Every NLRI of the update is withdrawn.
      auto& up = u.update;
      up.withdrawn.insert(up.withdrawn.end(), up.nlri.begin(), up.nlri.end());
      up.nlri.clear();
      if (up.mp_reach) {
        wire::MpUnreach un{up.mp_reach->af, std::move(up.mp_reach->nlri)};
        up.mp_reach.reset();
        if (up.mp_unreach && up.mp_unreach->af == un.af) {
          up.mp_unreach->withdrawn.insert(up.mp_unreach->withdrawn.end(), un.withdrawn.begin(),
                                          un.withdrawn.end());
        } else if (!up.mp_unreach) {
          up.mp_unreach = std::move(un);
        }
      }
      up.has_attributes = false;
    }
  }
  if (auto af = u.update.end_of_rib()) convergence_->end_of_rib(u.peer, *af);
  const rib::UpdateIn in{p.rid, std::move(u.update)};
  rib_->update(in, clock_.now());
  if (monitoring_) monitoring_->update_applied(p, in.update);  // post-policy
  schedule_pump();
}

void Daemon::log_suppressed(const base::RateLimiter::Suppressed& s) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - s.since);
  const std::string name = s.key.first < peers_.size() ? peers_[s.key.first].cfg.name : "?";
  spdlog::warn("peer {}: suppressed {} similar messages ({}) in the last {} s", name, s.count,
               s.key.second == 0 ? std::string("UPDATE layout")
                                 : wire::attribute_name(static_cast<std::uint8_t>(s.key.second)),
               secs.count());
}

void Daemon::on_refresh(const session::RefreshRequest& r) {
  if (r.peer >= peers_.size()) return;
  if (r.refresh.subtype == 1 || r.refresh.subtype == 2) {
    // RFC 7313 4.2: BoRR marks the peer's routes of the family stale, EoRR removes the ones
    // not re-sent in between.
    rib_->refresh_marker(peers_[r.peer].rid, r.refresh.af, r.refresh.subtype == 1, clock_.now());
  } else if (r.refresh.subtype == 0) {
    rib_->refresh_request(rib::RefreshRequest{peers_[r.peer].rid, r.refresh.af});
  } else {
    return;  // RFC 7313 5: reserved subtypes are ignored
  }
  schedule_pump();
}

void Daemon::schedule_pump() {
  if (pump_scheduled_ || stopping_) return;
  pump_scheduled_ = true;
  asio::post(io_, [this] { pump(); });
}

void Daemon::pump() {
  pump_scheduled_ = false;
  if (stopping_) return;
  rib_->run(kRibBudget);
  // A group whose every member has a full write queue is held in the RIB (see
  // Rib::take_outbound); on_drained pumps again.
  auto congested = [this](rib::PeerId rid) {
    const PeerRuntime* p = peer_by_rid(rid);
    return p && p->up && sessions_->congested(p->sid);
  };
  // A restarting speaker defers its routes until route selection is done (RFC 4724 4.1): they
  // coalesce in the RIB, the first take after it sends them with End-of-RIB.
  if (!export_held_)
    for (const auto& batch : rib_->take_outbound(clock_.now(), congested)) encoder_->encode(batch);
  auto fib = rib_->take_fib();
  if (fib_sink_ && !fib.empty()) {
    fib::FibBatch out;
    out.next_hop_sets = std::move(fib.next_hop_sets);
    out.deltas.reserve(fib.deltas.size());
    for (const auto& d : fib.deltas) out.deltas.push_back({d.prefix, d.next_hops});
    fib_sink_->submit(std::move(out));
  }
  handle_events(rib_->take_events());
  if (rib_->busy()) schedule_pump();
  arm_rib_timer();
  check_convergence();
}

void Daemon::check_convergence() {
  if (converged_ || stopping_) return;
  if (!convergence_->try_converge(clock_.now(), !rib_->busy())) {
    arm_convergence_timer();
    return;
  }
  converged_ = true;
  convergence_timer_.cancel();
  convergence_armed_.reset();
  spdlog::info(
      "initial convergence after {} ms: every enabled peer sent End-of-RIB or timed out, the "
      "RIB is idle{}",
      convergence_->took()->count(),
      fib_ ? fmt::format("; removing adopted kernel routes not re-learned (of {})", adopted_) : "");
  if (fib_sink_) fib_sink_->initial_convergence_done();
  if (export_held_) {
    export_held_ = false;
    spdlog::info("graceful restart: route selection done, sending our routes and End-of-RIB");
    schedule_pump();
  }
  if (restarting_) {
    // The restart is over: OPENs from now on carry no Restart State bit.
    for (const auto& p : peers_)
      if (!p.removed)
        sessions_->set_graceful_restart(p.sid, session_config(p.cfg).graceful_restart);
  }
}

void Daemon::arm_convergence_timer() {
  auto next = convergence_->next_deadline(clock_.now());
  if (!next || next == convergence_armed_) return;
  convergence_armed_ = next;
  convergence_timer_.expires_at(*next);
  convergence_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    convergence_armed_.reset();
    check_convergence();
  });
}

nlohmann::json Daemon::convergence_status() const {
  nlohmann::json j;
  j["converged"] = converged_;
  j["restarting"] = restarting_;
  j["adopted_routes"] = adopted_;
  j["exports_deferred"] = export_held_;
  j["peer_up_wait_s"] = cfg_.kernel.peer_up_wait;
  j["end_of_rib_wait_s"] = cfg_.kernel.end_of_rib_wait;
  if (auto t = convergence_ ? convergence_->took() : std::nullopt)
    j["converged_after_ms"] = t->count();
  nlohmann::json waiting = nlohmann::json::array();
  if (convergence_ && !converged_) {
    for (const auto& w : convergence_->waiting(clock_.now())) {
      nlohmann::json fams = nlohmann::json::array();
      for (const auto& af : w.end_of_rib) fams.push_back(std::string(config::family_name(af)));
      waiting.push_back({{"peer", w.peer},
                         {"for", w.established ? "end-of-rib" : "established"},
                         {"families", fams},
                         {"seconds_left", static_cast<double>(w.left.count()) / 1000.0}});
    }
  }
  j["waiting"] = waiting;
  return j;
}

void Daemon::arm_rib_timer() {
  auto next = rib_->next_deadline();
  if (!next) return;
  rib_timer_.expires_at(*next);
  rib_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    rib_->tick(clock_.now());
    schedule_pump();
  });
}

void Daemon::time_passed() {
  rib_->tick(clock_.now());
  check_convergence();
  schedule_pump();
}

void Daemon::handle_events(std::vector<rib::RibEvent> events) {
  for (auto& e : events) {
    PeerRuntime* p = peer_by_rid(e.peer);
    const std::string name = p ? p->cfg.name : "local";
    switch (e.kind) {
      case rib::RibEvent::Kind::ImportLimitReached:
      case rib::RibEvent::Kind::ExportLimitReached:
        spdlog::error("peer {}: {}", name, e.message);
        if (p) p->last_error = e.message;
        break;
      case rib::RibEvent::Kind::ExportLimitCleared:
      case rib::RibEvent::Kind::StaleSwept:
        spdlog::info("peer {}: {}", name, e.message);
        break;
      case rib::RibEvent::Kind::ImportLimitRestart:
        spdlog::error("peer {}: {}; restarting the session in {}s", name, e.message,
                      e.after.count());
        if (p) {
          p->last_error = e.message;
          sessions_->stop_peer(p->sid, "prefix limit exceeded");
          auto t = std::make_shared<asio::steady_timer>(io_, e.after);
          t->async_wait([this, t, sid = p->sid](boost::system::error_code ec) {
            if (!ec && !stopping_ && sid < peers_.size() && !peers_[sid].removed)
              sessions_->start_peer(sid);
          });
        }
        break;
      case rib::RibEvent::Kind::SendRouteRefresh:
        if (p && p->up) sessions_->send_route_refresh(p->sid, e.af);
        break;
    }
  }
}

void Daemon::wire_signals() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto r = reload(false);
      spdlog::info("SIGHUP reload: {}", r.dump());
      wire_signals();
      return;
    }
    spdlog::info("signal {}: shutting down", sig);
    if (sig == SIGTERM)
      drain_then_shutdown();  // with shutdown.drain-seconds: drain first (RFC 8326)
    else
      shutdown();
  });
}

void Daemon::sync_bfd() {
  if (!bfd_) return;
  std::vector<std::pair<session::PeerId, const config::PeerConfig*>> v;
  for (const auto& p : peers_)
    if (!p.removed) v.emplace_back(p.sid, &p.cfg);
  bfd_->sync(v);
}

void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  service_.stopping();
  boost::system::error_code ec;
  signals_.cancel(ec);
  rib_timer_.cancel();
  watchdog_timer_.cancel();
  convergence_timer_.cancel();
  metrics_timer_.cancel();
  if (drain_timer_) drain_timer_->cancel();
  if (control_) control_->stop();
  if (bfd_) bfd_->shutdown();  // AdminDown: neighbours leave their BGP sessions alone
  // With persist the kernel keeps forwarding while we are away: let graceful restart helpers
  // keep our routes too. A NOTIFICATION would end their helper mode (RFC 4724 4.2), so those
  // sessions just close with the process; every other peer gets Cease/Administrative Shutdown.
  const bool keep_forwarding = fib_ != nullptr && cfg_.kernel.persist;
  std::vector<std::string> kept;
  for (const auto& p : peers_)
    if (kept_for_restart(p)) kept.push_back(p.cfg.name);
  if (!fib_)
    spdlog::info("shutting down: Cease/Administrative Shutdown to every peer (no kernel FIB)");
  else if (keep_forwarding)
    spdlog::info(
        "shutting down with kernel.persist: kernel routes stay; {} graceful restart peer(s) "
        "left without NOTIFICATION to keep our routes [{}], Cease/Administrative Shutdown to the "
        "others",
        kept.size(), fmt::join(kept, ", "));
  else
    spdlog::info(
        "shutting down without kernel.persist: Cease/Administrative Shutdown to every peer, "
        "kernel routes removed");
  auto keep = [this, kept](session::PeerId sid) {
    return sid < peers_.size() &&
           std::find(kept.begin(), kept.end(), peers_[sid].cfg.name) != kept.end();
  };
  sessions_->shutdown(
      cfg_.shutdown.message,
      [this] {
        auto finish = [this] {
          if (fib_) {
            fib_->stop(cfg_.kernel.persist);
            spdlog::info("kernel routes {}", cfg_.kernel.persist ? "kept (persist)" : "removed");
          }
          io_.stop();
        };
        // BMP Termination after the Peer Downs of the sessions just closed.
        if (monitoring_)
          monitoring_->shutdown(finish);
        else
          finish();
      },
      keep);
}

}  // namespace nvabgpd::daemon
