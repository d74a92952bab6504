#include "peer_settings.hpp"

#include <algorithm>
#include <functional>

namespace nvabgpd::daemon {

namespace {

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

session::PeerConfig session_settings(const config::Config& cfg, const config::PeerConfig& pc,
                                     RestartState restart) {
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
  if (!cfg.is_ibgp(pc)) s.multihop = pc.multihop;
  s.gtsm = pc.ttl_security;
  s.password = pc.password;
  s.families = pc.families;
  s.route_refresh = pc.route_refresh;
  // Enhanced Route Refresh (RFC 7313): BoRR/EoRR around a re-send, stale marking on BoRR.
  s.enhanced_route_refresh = pc.route_refresh;
  if (pc.graceful_restart.enabled) {
    wire::GracefulRestartCap gr;
    gr.restart_time = pc.graceful_restart.restart_time;
    gr.restart_state = restart.restarting;  // RFC 4724 3
    for (const auto& f : pc.families) gr.families.push_back({f, restart.forwarding});
    s.graceful_restart = gr;
  }
  return s;
}

rib::PeerUp rib_settings(const config::Config& cfg, const config::PeerConfig& pc, rib::PeerId id,
                         PeerFilters filters) {
  rib::PeerUp r;
  r.id = id;
  r.name = pc.name;
  r.address = pc.address;
  r.local_asn = cfg.asn;
  r.remote_asn = pc.asn;
  r.rr_client = pc.route_reflector_client;
  r.route_server_client = pc.route_server_client;
  r.next_hop_self = pc.next_hop_self;
  r.allowas_in = pc.allowas_in;
  r.default_local_pref = pc.default_local_pref;
  r.soft_reconfig_in = pc.soft_reconfiguration;
  // Azure Route Server counts every route it receives, re-sent or not, against its limit:
  // answer its ROUTE-REFRESH with End-of-RIB only (the routes it holds are unchanged).
  r.resend_on_refresh = !pc.azure_route_server;
  r.stale_time = std::chrono::seconds(pc.graceful_restart.stale_time);
  r.import_limit = to_rib(pc.import_limit);
  r.export_limit = to_rib(pc.export_limit);
  r.import_filter = std::move(filters.import);
  r.export_filter = std::move(filters.export_);
  return r;
}

rib::PeerUp rib_settings(const config::Config& cfg, const config::PeerConfig& pc, rib::PeerId id,
                         PeerFilters filters, const session::PeerUp& up) {
  rib::PeerUp r = rib_settings(cfg, pc, id, std::move(filters));
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

rib::RibConfig rib_config(const config::Config& cfg, bool fib) {
  rib::RibConfig rc;
  rc.local_asn = cfg.asn;
  rc.router_id = cfg.router_id.v4_value();
  for (const auto& p : cfg.peers) {
    if (p.cluster_id && !rc.cluster_id) rc.cluster_id = p.cluster_id;
    if (p.always_compare_med) rc.decision.always_compare_med = true;
  }
  rc.decision.max_paths = cfg.kernel.max_paths == 0 ? 1 : cfg.kernel.max_paths;
  rc.fib = fib;  // fixed for the daemon's lifetime (kernel settings apply at restart)
  return rc;
}

}  // namespace nvabgpd::daemon
