// Reload: validate the new configuration in full, diff it against the running one, and apply
// the smallest set of actions. All or nothing: on any error the running config stays.
#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "daemon.hpp"
#include "nvabgpd/config/load.hpp"
#include "nvabgpd/config/load_with_filters.hpp"
#include "nvabgpd/policy/filter.hpp"

namespace nvabgpd::daemon {

namespace {

// What the named filter of `p` does (0: no such filter).
std::uint64_t filter_fingerprint(const policy::Program* p, const std::string& name) {
  const policy::Filter* f = p ? p->find_filter(name) : nullptr;
  return f ? policy::Program::fingerprint(*f) : 0;
}

}  // namespace

nlohmann::json Daemon::reload(bool check_only) {
  nlohmann::json out;
  config::LoadedConfig next = config::load_with_filters(opts_.config_path);
  if (!next.errors.empty()) {
    out["applied"] = false;
    out["errors"] = next.errors;
    spdlog::error("reload rejected, keeping the running configuration:\n  {}",
                  fmt::join(next.errors, "\n  "));
    return out;
  }
  std::set<std::string, std::less<>> changed_filters;
  // A named filter is re-run where what it does changed: its text or a definition it uses.
  // Moving it in its file, editing comments or another filter changes nothing.
  for (const auto& n : config::referenced_filters(*next.config))
    if (filter_fingerprint(program_.get(), n) != filter_fingerprint(next.program.get(), n))
      changed_filters.insert(n);
  config::ReloadPlan plan = config::diff_configs(cfg_, *next.config, changed_filters);
  out["plan"] = config::format_plan(plan);
  out["warnings"] = next.warnings;
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& pc : plan.peers)
    peers.push_back({{"peer", pc.name},
                     {"action", std::string(config::to_string(pc.action))},
                     {"changes", pc.changes}});
  out["peers"] = peers;
  if (check_only) {
    out["applied"] = false;
    return out;
  }
  service_.reloading();
  apply_reload(std::move(*next.config), std::move(next.program), plan);
  last_reload_ = std::chrono::system_clock::now();
  service_.ready("reloaded");
  out["applied"] = true;
  spdlog::info("reload applied:\n{}", config::format_plan(plan));
  return out;
}

void Daemon::apply_reload(config::Config next, std::shared_ptr<const policy::Program> program,
                          const config::ReloadPlan& plan) {
  program_ = std::move(program);
  const config::Config old = std::exchange(cfg_, std::move(next));
  std::size_t removed = 0;
  for (const auto& change : plan.peers) {
    const config::PeerConfig* now = cfg_.find_peer(change.name);
    PeerRuntime* p = find_peer(change.name);
    using A = config::PeerAction;
    A action = plan.global.restart_all && change.action != A::Add && change.action != A::Remove
                   ? A::Restart
                   : change.action;
    switch (action) {
      case A::Keep:
        break;
      case A::UpdateInPlace:
        if (p && now) p->cfg = *now;
        break;
      case A::RerunImport:
      case A::RerunExport:
      case A::RerunImportExport:
        if (!p || !now) break;
        p->cfg = *now;
        if (action != A::RerunExport)
          rib_->reimport(p->id, route_control_->import_filter(filter_for(now->import_filter)));
        if (action != A::RerunImport && p->up && p->last_up) {
          // The peer moves to the update group of its new export policy and is sent only
          // the differences against what it holds (withdrawals included), no full re-send.
          rib_->reexport(rib_peer_up(*p, *p->last_up));
        }
        break;
      case A::Restart:
        if (p && now) {
          restart_peer(*p, *now);
          break;
        }
        [[fallthrough]];
      case A::Remove:
        if (p) {
          remove_peer(p->id);
          ++removed;
        }
        if (action == A::Remove && metrics_) metrics_->remove_peer(change.name);
        if (action == A::Remove || !now) break;
        [[fallthrough]];
      case A::Add:
        if (now) {
          PeerRuntime& added = add_peer(*now);
          if (now->enabled) sessions_->start_peer(added.id);
        }
        break;
    }
  }
  sync_bfd();  // sessions for added/removed peers, timers changed in place
  if (plan.global.originate) {
    for (const auto& o : old.originate) rib_->withdraw_local(o.prefix);
    originate_all();
  }
  if (plan.global.health) {
    health_->configure(cfg_.health_checks);  // unchanged checks keep their state
    if (metrics_)
      for (const auto& c : old.health_checks)
        if (std::none_of(cfg_.health_checks.begin(), cfg_.health_checks.end(),
                         [&](const config::HealthCheck& n) { return n.name == c.name; }))
          metrics_->remove_health(c.name);
  }
  apply_route_control();  // tracking or check changes: re-originate / re-export what differs
  if (plan.global.log)
    spdlog::set_level(spdlog::level::from_str(std::string(config::to_string(cfg_.log_level))));
  if (plan.global.kernel || plan.global.listen || plan.global.control || plan.global.metrics ||
      plan.global.monitoring)
    spdlog::warn(
        "reload: kernel, listen, control, metrics, bmp and mrt settings take effect at restart");
  schedule_pump();
  // Give back what the removed peers held (glibc keeps freed heap mapped otherwise).
  if (removed > 0) malloc_trim(0);
}

void Daemon::remove_peer(PeerId id) {
  PeerRuntime* p = peer(id);
  if (!p) return;
  // on_down (if it was up) takes its routes out of use first, as for any session loss;
  // then every module frees what it held for the peer.
  sessions_->remove_peer(id, "peer removed from configuration");
  rib_->remove_peer(id);
  convergence_->untrack(id);
  directory_.erase(id);
  export_keys_.erase(p->cfg.name);
  for (const auto& s : log_limiter_.drain(id)) log_suppressed(s);
  peers_.erase(peers_.begin() + (p - peers_.data()));
}

void Daemon::restart_peer(PeerRuntime& p, const config::PeerConfig& pc) {
  // A new session with the new settings, under the same id: the session layer's message and
  // flap totals and the RIB's route counters carry on.
  sessions_->reconfigure_peer(p.id, session_config(pc), "configuration changed");
  if (p.up) rib_->peer_down(rib::PeerDown{p.id, false}, clock_.now());  // on_down did, normally
  p.up = false;
  p.cfg = pc;
  directory_.set(p.id, PeerIdentity{pc.name, pc.address});
  convergence_->untrack(p.id);
  if (pc.enabled && !convergence_->converged()) convergence_->track(p.id, pc.name, clock_.now());
  if (pc.enabled) sessions_->start_peer(p.id);
}

}  // namespace nvabgpd::daemon
