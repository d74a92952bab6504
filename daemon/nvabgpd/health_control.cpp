// Health-tracked announcements and drain (issue 14), the daemon's side: starting the checks,
// following their changes (re-originate, re-export), `show health`, `drain`/`undrain`, and the
// drain before a SIGTERM shutdown (RFC 8326, then Cease with the RFC 8203 message).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon.hpp"

namespace nvabgpd::daemon {

void Daemon::start_health() {
  health_ = std::make_unique<HealthMonitor>(io_, clock_, [this](const std::string&) {
    apply_route_control();
    sample_health_metrics();
  });
  route_control_ = std::make_unique<RouteControl>(*health_);
  health_->configure(cfg_.health_checks);
  if (!cfg_.health_checks.empty())
    spdlog::info("{} health check(s) started; tracked announcements wait for their first probe",
                 cfg_.health_checks.size());
}

void Daemon::apply_route_control() {
  if (stopping_ || !rib_) return;
  bool changed = false;
  for (const auto& o : cfg_.originate) {
    if (o.track.empty()) continue;
    // originate_all() recorded what the RIB holds; redo only this item if it differs.
    const auto base_key = originate_keys_.find(o.prefix);
    auto attrs = route_control_->originate(o, originate_attrs(o), cfg_.asn);
    const std::string key = attrs ? route_control_->originate_key(o) : "-";
    if (base_key != originate_keys_.end() && base_key->second == key) continue;
    if (attrs) {
      rib_->originate(o.prefix, *attrs);
      spdlog::info("originate {}: {}", o.prefix.to_string(),
                   key.empty() ? std::string("announced (tracked checks up)")
                               : "announced with " + key + " (" +
                                     route_control_->explain_originate(o) + ")");
    } else {
      rib_->withdraw_local(o.prefix);
      spdlog::warn("originate {}: {}", o.prefix.to_string(), route_control_->explain_originate(o));
    }
    originate_keys_[o.prefix] = key;
    changed = true;
  }
  for (auto& p : peers_) {
    const std::string key = route_control_->export_key(p.cfg);
    auto it = export_keys_.find(p.cfg.name);
    const std::string held = it == export_keys_.end() ? std::string() : it->second;
    if (key == held) continue;
    if (!p.up || !p.last_up) {
      export_keys_.erase(p.cfg.name);  // rib_peer_up() takes the current state at session up
      continue;
    }
    const std::string note = route_control_->explain_peer(p.cfg);
    spdlog::info("peer {}: exports {}", p.cfg.name, note.empty() ? "back to normal" : note);
    rib_->reexport(rib_peer_up(p, *p.last_up));  // records export_keys_
    changed = true;
  }
  if (changed) schedule_pump();
}

void Daemon::sample_health_metrics() {
  if (!metrics_ || !health_) return;
  for (const auto& [name, e] : health_->entries()) {
    HealthSample s;
    s.status = e.state.status() == HealthStatus::Up     ? 1
               : e.state.status() == HealthStatus::Down ? 2
                                                        : 0;
    s.probes = e.state.probes();
    s.failures = e.state.failures();
    s.transitions = e.state.transitions();
    metrics_->update_health(name, s);
  }
  for (const auto& p : peers_)
    metrics_->set_drained(p.cfg.name, route_control_->drained(p.cfg.name));
}

bool Daemon::kept_for_restart(const PeerRuntime& p) const {
  // With persist the kernel keeps forwarding while we are away: graceful restart helpers keep
  // our routes too, and a NOTIFICATION would end their helper mode (RFC 4724 4.2).
  const bool keep_forwarding = fib_ != nullptr && cfg_.kernel.persist;
  return keep_forwarding && p.up && p.negotiated && p.negotiated->graceful_restart;
}

nlohmann::json Daemon::set_drain(const std::vector<std::string>& names, bool on) {
  std::vector<std::string> targets;
  if (names.empty()) {
    for (const auto& p : peers_) targets.push_back(p.cfg.name);
  } else {
    for (const auto& n : names) {
      if (!find_peer(n)) throw ControlError("no such peer: " + n);
      targets.push_back(n);
    }
  }
  nlohmann::json changed = nlohmann::json::array();
  for (const auto& n : targets) {
    if (route_control_->drained(n) == on) continue;
    route_control_->set_drained(n, on);
    changed.push_back(n);
  }
  if (!changed.empty())
    spdlog::info("{} {}: {}", on ? "drain (RFC 8326 graceful shutdown)" : "undrain",
                 changed.size() == 1 ? "peer" : "peers", changed.dump());
  apply_route_control();
  sample_health_metrics();
  nlohmann::json all = nlohmann::json::array();
  for (const auto& n : route_control_->drained_peers()) all.push_back(n);
  return {{"done", on ? "drain" : "undrain"}, {"changed", changed}, {"drained", all}};
}

void Daemon::drain_then_shutdown() {
  const auto secs = cfg_.shutdown.drain_seconds;
  if (secs == 0 || drain_timer_) {
    shutdown();  // no drain configured, or a second signal during the drain: stop now
    return;
  }
  // Peers that keep our routes across the restart (graceful restart with kernel.persist) are
  // not drained: their traffic keeps flowing through the kernel routes, which is the point of
  // persist. Every other peer is drained, then gets Cease/Administrative Shutdown.
  std::vector<std::string> drain;
  std::vector<std::string> kept;
  for (const auto& p : peers_) (kept_for_restart(p) ? kept : drain).push_back(p.cfg.name);
  spdlog::info(
      "shutting down after a {} s drain (RFC 8326) of {} peer(s) [{}]{}; a second signal stops "
      "at once",
      secs, drain.size(), fmt::join(drain, ", "),
      kept.empty() ? std::string()
                   : fmt::format("; graceful restart peer(s) kept without drain [{}]",
                                 fmt::join(kept, ", ")));
  service_.stopping();
  for (const auto& n : drain) route_control_->set_drained(n, true);
  apply_route_control();
  drain_timer_ = std::make_unique<boost::asio::steady_timer>(io_, std::chrono::seconds(secs));
  drain_timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) shutdown();
  });
  wire_signals();  // a second SIGTERM/SIGINT ends the wait
}

void Daemon::install_health_handlers() {
  ControlServer& c = *control_;
  c.on("show health", [this](const nlohmann::json&) {
    nlohmann::json out;
    out["checks"] = health_->to_json();
    nlohmann::json tracked = nlohmann::json::array();
    for (const auto& o : cfg_.originate) {
      if (o.track.empty()) continue;
      const std::string why = route_control_->explain_originate(o);
      const auto failing = health_->failing(o.track.checks);
      tracked.push_back({{"originate", o.prefix.to_string()},
                         {"checks", o.track.checks},
                         {"on_failure", o.track.on_failure.to_string()},
                         {"state", failing.empty()               ? "announced"
                                   : o.track.on_failure.withdraw ? "withdrawn"
                                                                 : "degraded"},
                         {"why", why}});
    }
    for (const auto& p : peers_) {
      if (p.cfg.track.empty()) continue;
      const auto failing = health_->failing(p.cfg.track.checks);
      tracked.push_back({{"peer", p.cfg.name},
                         {"checks", p.cfg.track.checks},
                         {"on_failure", p.cfg.track.on_failure.to_string()},
                         {"state", failing.empty()                   ? "announced"
                                   : p.cfg.track.on_failure.withdraw ? "withdrawn"
                                                                     : "degraded"},
                         {"why", route_control_->explain_peer(p.cfg)}});
    }
    out["tracked"] = tracked;
    nlohmann::json drained = nlohmann::json::array();
    for (const auto& n : route_control_->drained_peers()) drained.push_back(n);
    out["drained"] = drained;
    out["shutting_down"] = static_cast<bool>(drain_timer_);
    return out;
  });
  auto names = [](const nlohmann::json& args) {
    std::vector<std::string> v;
    auto it = args.find("peers");
    if (it == args.end() || it->is_null()) return v;
    if (!it->is_array()) throw ControlError("peers must be a list of peer names");
    for (const auto& n : *it) {
      if (!n.is_string()) throw ControlError("peers must be a list of peer names");
      v.push_back(n.get<std::string>());
    }
    return v;
  };
  c.on("drain", [this, names](const nlohmann::json& args) { return set_drain(names(args), true); });
  c.on("undrain",
       [this, names](const nlohmann::json& args) { return set_drain(names(args), false); });
}

}  // namespace nvabgpd::daemon
