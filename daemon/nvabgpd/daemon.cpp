#include "daemon.hpp"

#include <malloc.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "bfd_link.hpp"
#include "filter_adapter.hpp"
#include "interface_address.hpp"
#include "monitoring.hpp"
#include "nvabgpd/wire/codec.hpp"
#include "nvabgpd/wire/notification.hpp"
#include "peer_settings.hpp"

namespace nvabgpd::daemon {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kRibBudget = 20000;  // decisions per loop turn before yielding

}  // namespace

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
      metrics_timer_(io),
      trim_timer_(io) {}

Daemon::~Daemon() = default;

PeerRuntime* Daemon::find_peer(const std::string& name) {
  for (auto& p : peers_)
    if (p.cfg.name == name) return &p;
  return nullptr;
}

PeerRuntime* Daemon::peer(PeerId id) {
  auto it = std::lower_bound(peers_.begin(), peers_.end(), id,
                             [](const PeerRuntime& p, PeerId i) { return p.id < i; });
  return it != peers_.end() && it->id == id ? &*it : nullptr;
}

std::optional<std::string> Daemon::start() {
  // FIB first: the RIB resolves next hops through it.
  if (cfg_.kernel.enabled && !opts_.no_kernel && !fib_sink_) {
    fib::NetlinkFibConfig fc;
    fc.table = cfg_.kernel.table;
    fc.igp_table = cfg_.kernel.resolve_table;
    fc.protocol = cfg_.kernel.protocol;
    fc.metric = cfg_.kernel.metric;
    fc.max_paths = cfg_.kernel.max_paths;
    fc.persist = cfg_.kernel.persist;
    for (const auto& p : cfg_.peers) fc.protected_addresses.push_back(p.address);
    auto f = fib::NetlinkFib::start(
        fc,
        [this](std::vector<base::IpAddress> changed) {
          // FIB worker thread: hand over to the BGP thread.
          asio::post(io_, [this, changed = std::move(changed)] {
            spdlog::debug("fib: {} next hop(s) changed; re-resolving", changed.size());
            rib_->next_hops_changed(changed);
            schedule_pump();
          });
        },
        [this](std::vector<fib::FibBatchReport> done) {
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
  // The RIB resolves next hops through the kernel's non-BGP routes (the FIB); without a FIB
  // (or with a FIB sink injected by a replay) every next hop is reachable at cost 0, as for
  // directly connected peers.
  rib_ = std::make_unique<rib::Rib>(
      rib_config(cfg_, fib_sink_ != nullptr),
      fib_ ? static_cast<base::NextHopResolver&>(*fib_) : no_fib_resolver_);

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
    if (PeerRuntime* p = peer(s.peer); p && monitoring_)
      monitoring_->state_change(*p, s.from, s.to);
  };
  cb.on_notification = [this](const session::NotificationEvent& n) {
    PeerRuntime* p = peer(n.peer);
    if (!p) return;
    const std::string what = wire::describe(n.notification);
    p->last_error = (n.sent ? "sent: " : "received: ") + what;
  };
  cb.on_drained = [this](session::PeerId) { schedule_pump(); };  // resumes a held update group
  sessions_ =
      (wiring_.transport ? wiring_.transport : socket_transport)(io_, sc, std::move(cb), clock_);

  encoder_ = std::make_unique<OutboundEncoder>(
      [this](rib::PeerId id) -> std::optional<OutboundEncoder::PeerWire> {
        PeerRuntime* p = peer(id);
        if (!p || !p->up || !p->negotiated) return std::nullopt;
        return OutboundEncoder::PeerWire{p->negotiated->params(), p->local_address, p->self_v6};
      },
      [this](rib::PeerId id, const Buffer& b) {
        if (peer(id)) sessions_->send(id, b);
      },
      [this](rib::PeerId id, wire::AfiSafi af, bool begin) {
        if (peer(id)) sessions_->send_refresh_marker(id, af, begin);
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
    if (p.cfg.enabled) sessions_->start_peer(p.id);
  auto bfd_down = [this](PeerId id, const std::string& why) {
    PeerRuntime* p = peer(id);
    if (p && sessions_->drop_peer(id, wire::err::kCeaseBfdDown, why)) p->last_error = why;
  };
  bfd_ = std::make_unique<BfdLink>(io_, clock_, bfd_down);
  sync_bfd();

  if (cfg_.metrics.enabled) {
    auto m = Metrics::start(cfg_.metrics.address.to_string(), cfg_.metrics.port);
    if (!m) return "metrics: " + m.error();
    metrics_ = std::move(m.value());
    spdlog::info("Prometheus metrics on http://{}:{}/metrics", cfg_.metrics.address,
                 metrics_->port());
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
  // One filter object per name and program (update groups go by the filter's fingerprint, so
  // this only saves objects).
  if (auto it = filter_cache_.find(ref.name);
      it != filter_cache_.end() && it->second.first == program_)
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
  // RFC 4724 3: Restart State while we are restarting (until initial convergence); Forwarding
  // State when the kernel routes survive our restarts (persist) or did survive this one
  // (adopted at start).
  return session_settings(
      cfg_, pc,
      {restarting_ && !converged_, fib_ != nullptr && (cfg_.kernel.persist || restarting_)});
}

PeerRuntime& Daemon::add_peer(const config::PeerConfig& pc) {
  PeerRuntime p;
  p.cfg = pc;
  p.id = sessions_->add_peer(session_config(pc));
  directory_.set(p.id, PeerIdentity{pc.name, pc.address});
  if (!peers_.empty() && peers_.back().id >= p.id) throw std::logic_error("peer ids out of order");
  if (pc.enabled && convergence_ && !convergence_->converged())
    convergence_->track(p.id, pc.name, clock_.now());
  return peers_.emplace_back(std::move(p));
}

PeerFilters Daemon::peer_filters(const config::PeerConfig& pc) const {
  // Routes marked GRACEFUL_SHUTDOWN get LOCAL_PREF 0; exports follow drain and tracked checks.
  export_keys_[pc.name] = route_control_->export_key(pc);
  return {route_control_->import_filter(filter_for(pc.import_filter)),
          route_control_->export_filter(pc, filter_for(pc.export_filter), cfg_.asn)};
}

rib::PeerUp Daemon::rib_peer_settings(const PeerRuntime& p) const {
  return rib_settings(cfg_, p.cfg, p.id, peer_filters(p.cfg));
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
  return rib_settings(cfg_, p.cfg, p.id, peer_filters(p.cfg), up);
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
  PeerRuntime* pp = peer(up.peer);
  if (!pp) return;
  PeerRuntime& p = *pp;
  p.up = true;
  p.since = std::chrono::system_clock::now();
  p.negotiated = up.negotiated;
  p.last_up = up;
  p.local_address = up.local_address;
  p.self_v6 = p.cfg.ipv6_next_hop;
  if (!p.self_v6 && up.local_address.is_v4())
    p.self_v6 = global_ipv6_of_interface(up.local_address);
  p.last_error.clear();
  if (auto c = rib_->counters(p.id))
    p.received_base = c->received - std::min(c->received, c->withdrawn);
  rib_->peer_up(rib_peer_up(p, up), clock_.now());
  convergence_->up(up.peer, up.negotiated.families, clock_.now());
  if (monitoring_) monitoring_->peer_up(p, up);
  schedule_pump();
}

void Daemon::on_down(const session::PeerDown& down) {
  PeerRuntime* pp = peer(down.peer);
  if (!pp) return;
  PeerRuntime& p = *pp;
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
  rib_->peer_down(rib::PeerDown{p.id, graceful}, clock_.now());
  schedule_pump();
  // A session that goes down may free a large write queue (a peer that stopped reading) and
  // its routes; glibc keeps freed heap top and arenas mapped.
  trim_soon();
}

void Daemon::trim_soon() {
  if (trim_armed_) return;
  trim_armed_ = true;
  trim_timer_.expires_after(std::chrono::seconds(1));
  trim_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    trim_armed_ = false;
    trim_high_ = rib_->prefix_count();
    malloc_trim(0);
  });
}

void Daemon::trim_after_withdrawals() {
  // Withdrawals free Loc-RIB entries, Adj-RIB-Out chunks and attribute sets, which glibc
  // keeps mapped: trim once the RIB is idle after a large drop of the table.
  constexpr std::size_t kTrimAfterRoutes = 50'000;
  const std::size_t now = rib_->prefix_count();
  trim_high_ = std::max(trim_high_, now);
  if (trim_high_ - now >= kTrimAfterRoutes && !rib_->busy()) trim_soon();
}

void Daemon::on_update(session::UpdateIn&& u) {
  PeerRuntime* pp = peer(u.peer);
  if (!pp) return;
  PeerRuntime& p = *pp;
  if (monitoring_) monitoring_->update_received(p, u.update);  // pre-policy, as received
  if (u.action != wire::ErrorAction::None) {
    for (const auto& e : u.errors) {
      std::optional<base::RateLimiter::Suppressed> owed;
      if (!log_limiter_.admit({static_cast<std::uint32_t>(u.peer), e.type}, clock_.now(), &owed))
        continue;
      if (owed) log_suppressed(*owed);
      spdlog::warn("peer {}: malformed UPDATE handled per RFC 7606: {}", p.cfg.name, e.reason);
    }
    // Nothing left to withdraw: drop it rather than let it read as End-of-RIB.
    if (u.action == wire::ErrorAction::TreatAsWithdraw && !u.update.treat_as_withdraw()) return;
  }
  if (auto af = u.update.end_of_rib()) convergence_->end_of_rib(u.peer, *af);
  const rib::UpdateIn in{p.id, std::move(u.update)};
  rib_->update(in, clock_.now());
  if (monitoring_) monitoring_->update_applied(p, in.update);  // post-policy
  schedule_pump();
}

void Daemon::log_suppressed(const base::RateLimiter::Suppressed& s) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - s.since);
  const PeerRuntime* p = peer(s.key.first);
  const std::string name = p ? p->cfg.name : "?";
  spdlog::warn("peer {}: suppressed {} similar messages ({}) in the last {} s", name, s.count,
               s.key.second == 0 ? std::string("UPDATE layout")
                                 : wire::attribute_name(static_cast<std::uint8_t>(s.key.second)),
               secs.count());
}

void Daemon::on_refresh(const session::RefreshRequest& r) {
  if (!peer(r.peer)) return;
  if (r.refresh.subtype == 1 || r.refresh.subtype == 2) {
    // RFC 7313 4.2: BoRR marks the peer's routes of the family stale, EoRR removes the ones
    // not re-sent in between.
    rib_->refresh_marker(r.peer, r.refresh.af, r.refresh.subtype == 1, clock_.now());
  } else if (r.refresh.subtype == 0) {
    rib_->refresh_request(rib::RefreshRequest{r.peer, r.refresh.af});
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
  auto congested = [this](rib::PeerId id) {
    const PeerRuntime* p = peer(id);
    return p && p->up && sessions_->congested(id);
  };
  // A restarting speaker defers its routes until route selection is done (RFC 4724 4.1): they
  // coalesce in the RIB, the first take after it sends them with End-of-RIB.
  if (!export_held_)
    for (const auto& batch : rib_->take_outbound(clock_.now(), congested)) encoder_->encode(batch);
  auto fib = rib_->take_fib();
  if (fib_sink_ && !fib.empty()) fib_sink_->submit(std::move(fib));
  handle_events(rib_->take_events());
  trim_after_withdrawals();
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
      sessions_->set_graceful_restart(p.id, session_config(p.cfg).graceful_restart);
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
    PeerRuntime* p = peer(e.peer);
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
          // Cease/Maximum Number of Prefixes Reached (RFC 4486); the session layer restarts it.
          sessions_->stop_for_prefix_limit(
              p->id, e.after, e.af,
              static_cast<std::uint32_t>(std::min<std::uint64_t>(e.count, UINT32_MAX)));
        }
        break;
      case rib::RibEvent::Kind::SendRouteRefresh:
        if (p) sessions_->request_refresh(p->id, e.af);  // sent if the peer negotiated it
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
  for (const auto& p : peers_) v.emplace_back(p.id, &p.cfg);
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
  auto keep = [this, kept](PeerId id) {
    const PeerRuntime* p = peer(id);
    return p && std::find(kept.begin(), kept.end(), p->cfg.name) != kept.end();
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
