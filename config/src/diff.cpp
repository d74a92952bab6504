// Reload diff: classify every changed setting by its least disruptive correct action.
#include "nvabgpd/config/diff.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "nvabgpd/config/print.hpp"

namespace nvabgpd::config {

std::string_view to_string(PeerAction a) {
  switch (a) {
    case PeerAction::Keep:
      return "keep";
    case PeerAction::UpdateInPlace:
      return "update in place";
    case PeerAction::RerunImport:
      return "re-run import";
    case PeerAction::RerunExport:
      return "re-run export";
    case PeerAction::RerunImportExport:
      return "re-run import and export";
    case PeerAction::Restart:
      return "restart session";
    case PeerAction::Add:
      return "add";
    case PeerAction::Remove:
      return "remove";
  }
  return "keep";
}

bool ReloadPlan::empty() const {
  const GlobalChanges& g = global;
  if (g.restart_all || g.listen || g.filter_files || g.originate || g.kernel || g.control ||
      g.metrics || g.log || g.monitoring || g.health || g.shutdown)
    return false;
  return std::all_of(peers.begin(), peers.end(),
                     [](const PeerChange& p) { return p.action == PeerAction::Keep; });
}

const PeerChange* ReloadPlan::find(std::string_view name) const {
  for (const auto& p : peers)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

enum Effect : unsigned { kInPlace = 1, kImport = 2, kExport = 4, kRestart = 8 };

std::string show_opt_addr(const std::optional<base::IpAddress>& a) {
  return a ? a->to_string() : "unset";
}
std::string show_limit(const std::optional<PrefixLimit>& l) {
  if (!l) return "unset";
  return fmt::format("{} {} (restart-delay {})", l->max, to_string(l->action), l->restart_delay);
}
std::string show_families(const std::vector<wire::AfiSafi>& f) {
  std::string s;
  for (auto x : f) s += (s.empty() ? "" : ",") + std::string(family_name(x));
  return s;
}
std::string show_gr(const GracefulRestart& g) {
  return g.enabled
             ? fmt::format("on (restart-time {}, stale-time {})", g.restart_time, g.stale_time)
             : "off";
}
std::string yes(bool b) { return b ? "true" : "false"; }
std::string show_bfd(const BfdConfig& b) {
  return b.enabled ? fmt::format("on (min-tx {} ms, min-rx {} ms, multiplier {}{})", b.min_tx_ms,
                                 b.min_rx_ms, b.multiplier, b.multihop ? ", multihop" : "")
                   : "off";
}

struct Field {
  std::string_view name;
  unsigned effect;
  std::string (*show)(const PeerConfig&);
  bool secret = false;
};

// Every PeerConfig member appears here once (name and template_name are identity/comment).
const Field kFields[] = {
    // Transport and OPEN contents: only a new session can change them.
    {"address", kRestart, [](const PeerConfig& p) { return p.address.to_string(); }},
    {"port", kRestart, [](const PeerConfig& p) { return std::to_string(p.port); }},
    {"asn", kRestart, [](const PeerConfig& p) { return std::to_string(p.asn); }},
    {"local-address", kRestart, [](const PeerConfig& p) { return show_opt_addr(p.local_address); }},
    {"ipv6-next-hop", kRestart, [](const PeerConfig& p) { return show_opt_addr(p.ipv6_next_hop); }},
    {"multihop", kRestart,
     [](const PeerConfig& p) { return p.multihop ? std::to_string(*p.multihop) : "unset"; }},
    {"ttl-security", kRestart, [](const PeerConfig& p) { return yes(p.ttl_security); }},
    {"password", kRestart, [](const PeerConfig& p) { return p.password; }, true},
    {"hold-time", kRestart, [](const PeerConfig& p) { return std::to_string(p.hold_time); }},
    {"idle-hold", kRestart, [](const PeerConfig& p) { return std::to_string(p.idle_hold); }},
    {"idle-hold-max", kRestart,
     [](const PeerConfig& p) { return std::to_string(p.idle_hold_max); }},
    {"send-hold-time", kRestart,
     [](const PeerConfig& p) {
       return p.send_hold_time ? std::to_string(*p.send_hold_time) : std::string("auto");
     }},
    {"send-queue-limit", kRestart,
     [](const PeerConfig& p) { return std::to_string(p.send_queue_limit); }},
    {"keepalive", kRestart, [](const PeerConfig& p) { return std::to_string(p.keepalive); }},
    {"families", kRestart, [](const PeerConfig& p) { return show_families(p.families); }},
    {"graceful-restart", kRestart, [](const PeerConfig& p) { return show_gr(p.graceful_restart); }},
    {"route-refresh", kRestart, [](const PeerConfig& p) { return yes(p.route_refresh); }},
    {"enabled", kRestart, [](const PeerConfig& p) { return yes(p.enabled); }},
    // Reflection changes which iBGP peers see this peer's routes and the loop checks on them.
    {"route-reflector-client", kRestart,
     [](const PeerConfig& p) { return yes(p.route_reflector_client); }},
    // Applied as routes arrive (the soft-reconfiguration copy already holds the old value).
    {"default-local-pref", kRestart,
     [](const PeerConfig& p) {
       return p.default_local_pref ? std::to_string(*p.default_local_pref) : "unset";
     }},
    {"cluster-id", kRestart,
     [](const PeerConfig& p) {
       return p.cluster_id ? base::IpAddress::v4(*p.cluster_id).to_string() : "unset";
     }},
    // Import side: routes already received are filtered again.
    {"import", kImport, [](const PeerConfig& p) { return p.import_filter.to_string(); }},
    {"import-limit", kImport, [](const PeerConfig& p) { return show_limit(p.import_limit); }},
    {"allowas-in", kImport, [](const PeerConfig& p) { return std::to_string(p.allowas_in); }},
    {"always-compare-med", kImport, [](const PeerConfig& p) { return yes(p.always_compare_med); }},
    {"soft-reconfiguration", kImport,
     [](const PeerConfig& p) { return yes(p.soft_reconfiguration); }},
    // Export side: the Adj-RIB-Out is recomputed and only differences are sent.
    {"export", kExport, [](const PeerConfig& p) { return p.export_filter.to_string(); }},
    {"export-limit", kExport, [](const PeerConfig& p) { return show_limit(p.export_limit); }},
    {"next-hop-self", kExport, [](const PeerConfig& p) { return yes(p.next_hop_self); }},
    {"route-server-client", kExport,
     [](const PeerConfig& p) { return yes(p.route_server_client); }},
    {"track", kExport, [](const PeerConfig& p) { return p.track.to_string(); }},
    // Local only.
    {"description", kInPlace, [](const PeerConfig& p) { return p.description; }},
    {"connect-retry", kInPlace,
     [](const PeerConfig& p) { return std::to_string(p.connect_retry); }},
    {"passive", kInPlace, [](const PeerConfig& p) { return yes(p.passive); }},
    {"template", kInPlace, [](const PeerConfig& p) { return p.template_name; }},
    // The daemon adds, changes (Poll Sequence) or removes the BFD session; BGP stays up.
    {"bfd", kInPlace, [](const PeerConfig& p) { return show_bfd(p.bfd); }},
};

PeerAction action_of(unsigned effects) {
  if (effects & kRestart) return PeerAction::Restart;
  if ((effects & kImport) && (effects & kExport)) return PeerAction::RerunImportExport;
  if (effects & kImport) return PeerAction::RerunImport;
  if (effects & kExport) return PeerAction::RerunExport;
  if (effects & kInPlace) return PeerAction::UpdateInPlace;
  return PeerAction::Keep;
}

PeerChange diff_peer(const PeerConfig& a, const PeerConfig& b,
                     const std::set<std::string, std::less<>>& changed_filters, bool restart_all) {
  PeerChange c{b.name, PeerAction::Keep, {}};
  unsigned effects = 0;
  for (const Field& f : kFields) {
    const std::string x = f.show(a);
    const std::string y = f.show(b);
    if (x == y) continue;
    effects |= f.effect;
    c.changes.push_back(f.secret ? fmt::format("{} changed", f.name)
                                 : fmt::format("{}: {} -> {}", f.name, x.empty() ? "\"\"" : x,
                                               y.empty() ? "\"\"" : y));
  }
  if (b.import_filter.kind == FilterRef::Kind::Named &&
      changed_filters.count(b.import_filter.name) && a.import_filter == b.import_filter) {
    effects |= kImport;
    c.changes.push_back(fmt::format("filter {} changed (import)", b.import_filter.name));
  }
  if (b.export_filter.kind == FilterRef::Kind::Named &&
      changed_filters.count(b.export_filter.name) && a.export_filter == b.export_filter) {
    effects |= kExport;
    c.changes.push_back(fmt::format("filter {} changed (export)", b.export_filter.name));
  }
  if (restart_all) {
    effects |= kRestart;
    c.changes.push_back("router-id or local asn changed");
  }
  c.action = action_of(effects);
  return c;
}

void note(GlobalChanges& g, bool& flag, bool changed, std::string text) {
  if (!changed) return;
  flag = true;
  g.changes.push_back(std::move(text));
}

std::string show_listen(const std::vector<ListenAddress>& l) {
  std::string s;
  for (const auto& x : l)
    s += fmt::format("{}{} port {}", s.empty() ? "" : ", ", x.address, x.port);
  return s.empty() ? "none" : s;
}

}  // namespace

ReloadPlan diff_configs(const Config& a, const Config& b,
                        const std::set<std::string, std::less<>>& changed_filters) {
  ReloadPlan plan;
  GlobalChanges& g = plan.global;
  note(g, g.restart_all, a.router_id != b.router_id,
       fmt::format("router-id: {} -> {} (all sessions restart)", a.router_id, b.router_id));
  note(g, g.restart_all, a.asn != b.asn,
       fmt::format("asn: {} -> {} (all sessions restart)", a.asn, b.asn));
  note(g, g.listen, a.listen != b.listen,
       fmt::format("listen: {} -> {}", show_listen(a.listen), show_listen(b.listen)));
  note(g, g.filter_files, a.filters != b.filters, "filter files list changed");
  note(g, g.originate, a.originate != b.originate, "originated routes changed");
  note(g, g.kernel, a.kernel != b.kernel, "kernel settings changed");
  note(g, g.control, a.control != b.control,
       fmt::format("control socket: {} -> {}", a.control.socket, b.control.socket));
  note(g, g.metrics, a.metrics != b.metrics, "metrics settings changed");
  note(g, g.monitoring, a.bmp != b.bmp, "bmp stations changed (applied at restart)");
  note(g, g.monitoring, a.mrt != b.mrt, "mrt settings changed (applied at restart)");
  note(g, g.health, a.health_checks != b.health_checks,
       "health checks changed (restarted without session resets)");
  note(g, g.shutdown, a.shutdown != b.shutdown, "shutdown settings changed");
  note(g, g.log, a.log_level != b.log_level,
       fmt::format("log level: {} -> {}", to_string(a.log_level), to_string(b.log_level)));

  for (const PeerConfig& nb : b.peers) {
    const PeerConfig* old = a.find_peer(nb.name);
    if (!old) {
      plan.peers.push_back(
          {nb.name, PeerAction::Add, {fmt::format("new peer {} AS{}", nb.address, nb.asn)}});
      continue;
    }
    plan.peers.push_back(diff_peer(*old, nb, changed_filters, g.restart_all));
  }
  for (const PeerConfig& na : a.peers)
    if (!b.find_peer(na.name))
      plan.peers.push_back(
          {na.name, PeerAction::Remove, {fmt::format("peer {} AS{} removed", na.address, na.asn)}});
  return plan;
}

std::string format_plan(const ReloadPlan& plan) {
  std::string out;
  for (const auto& c : plan.global.changes) out += fmt::format("global: {}\n", c);
  for (const auto& p : plan.peers) {
    out += fmt::format("peer {}: {}", p.name, to_string(p.action));
    if (!p.changes.empty()) {
      out += " (";
      for (std::size_t i = 0; i < p.changes.size(); ++i) out += (i ? "; " : "") + p.changes[i];
      out += ")";
    }
    out += '\n';
  }
  if (plan.empty()) out += "no changes\n";
  return out;
}

}  // namespace nvabgpd::config
