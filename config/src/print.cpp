// Canonical YAML print of a validated Config.
#include "nvabgpd/config/print.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "health.hpp"
#include "nvabgpd/config/azure.hpp"
#include "nvabgpd/policy/route_text.hpp"

namespace nvabgpd::config {

std::string community_to_string(wire::Community c) {
  if (c == wire::kNoExport) return "no-export";
  if (c == wire::kNoAdvertise) return "no-advertise";
  if (c == wire::kNoExportSubconfed) return "no-export-subconfed";
  if (c == wire::kBlackhole) return "blackhole";
  if (c == wire::kGracefulShutdown) return "graceful-shutdown";
  return fmt::format("{}:{}", c.asn(), c.low());
}

std::string large_community_to_string(const wire::LargeCommunity& c) {
  return fmt::format("{}:{}:{}", c.global, c.local1, c.local2);
}

namespace {

template <typename T>
void kv(YAML::Emitter& out, std::string_view key, const T& value) {
  out << YAML::Key << std::string(key) << YAML::Value << value;
}
void kv(YAML::Emitter& out, std::string_view key, bool value) {
  out << YAML::Key << std::string(key) << YAML::Value << (value ? "true" : "false");
}
void kv(YAML::Emitter& out, std::string_view key, std::string_view value) {
  out << YAML::Key << std::string(key) << YAML::Value << std::string(value);
}
void kv(YAML::Emitter& out, std::string_view key, const base::IpAddress& a) {
  kv(out, key, std::string_view(a.to_string()));
}

void print_limit(YAML::Emitter& out, std::string_view key, const std::optional<PrefixLimit>& l,
                 bool is_import) {
  if (!l) return;
  out << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
  kv(out, "max", l->max);
  kv(out, "action", to_string(l->action));
  if (is_import) kv(out, "restart-delay", l->restart_delay);
  out << YAML::EndMap;
}

void print_peer(YAML::Emitter& out, const PeerConfig& p, const PrintOptions& opts) {
  out << YAML::BeginMap;
  kv(out, "name", std::string_view(p.name));
  if (!p.template_name.empty() && p.template_name != azure::kTemplateName)
    out << YAML::Comment(fmt::format("expanded from template {}", p.template_name));
  if (p.azure_route_server) kv(out, "template", azure::kTemplateName);
  kv(out, "address", p.address);
  kv(out, "port", p.port);
  kv(out, "asn", p.asn);
  kv(out, "description", std::string_view(p.description));
  kv(out, "enabled", p.enabled);
  if (p.local_address) kv(out, "local-address", *p.local_address);
  if (p.ipv6_next_hop) kv(out, "ipv6-next-hop", *p.ipv6_next_hop);
  if (p.multihop) kv(out, "multihop", unsigned{*p.multihop});
  kv(out, "ttl-security", p.ttl_security);
  if (!p.password.empty()) {
    if (opts.show_secrets)
      kv(out, "password", std::string_view(p.password));
    else
      out << YAML::Comment("password: set (hidden)");
  }
  kv(out, "hold-time", p.hold_time);
  kv(out, "keepalive", p.keepalive);
  kv(out, "connect-retry", p.connect_retry);
  // Printed only when set away from their defaults.
  if (p.idle_hold != kDefaultIdleHold) kv(out, "idle-hold", p.idle_hold);
  if (p.idle_hold_max != kDefaultIdleHoldMax) kv(out, "idle-hold-max", p.idle_hold_max);
  if (p.send_hold_time) kv(out, "send-hold-time", *p.send_hold_time);
  if (p.send_queue_limit != kDefaultSendQueueLimit) kv(out, "send-queue-limit", p.send_queue_limit);
  kv(out, "passive", p.passive);
  out << YAML::Key << "families" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (auto f : p.families) out << std::string(family_name(f));
  out << YAML::EndSeq;
  kv(out, "import", std::string_view(p.import_filter.to_string()));
  kv(out, "export", std::string_view(p.export_filter.to_string()));
  print_limit(out, "import-limit", p.import_limit, true);
  print_limit(out, "export-limit", p.export_limit, false);
  kv(out, "next-hop-self", p.next_hop_self);
  kv(out, "route-reflector-client", p.route_reflector_client);
  if (p.cluster_id) kv(out, "cluster-id", base::IpAddress::v4(*p.cluster_id));
  kv(out, "route-server-client", p.route_server_client);
  kv(out, "allowas-in", unsigned{p.allowas_in});
  if (p.default_local_pref) kv(out, "default-local-pref", *p.default_local_pref);
  kv(out, "always-compare-med", p.always_compare_med);
  out << YAML::Key << "graceful-restart" << YAML::Value << YAML::BeginMap;
  kv(out, "enabled", p.graceful_restart.enabled);
  kv(out, "restart-time", p.graceful_restart.restart_time);
  kv(out, "stale-time", p.graceful_restart.stale_time);
  out << YAML::EndMap;
  kv(out, "soft-reconfiguration", p.soft_reconfiguration);
  kv(out, "route-refresh", p.route_refresh);
  detail::print_tracking(out, p.track);
  if (p.bfd.enabled) {  // printed only when on, so configs without BFD print as before
    out << YAML::Key << "bfd" << YAML::Value << YAML::BeginMap;
    kv(out, "min-tx", p.bfd.min_tx_ms);
    kv(out, "min-rx", p.bfd.min_rx_ms);
    kv(out, "multiplier", unsigned{p.bfd.multiplier});
    kv(out, "multihop", p.bfd.multihop);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void print_originate(YAML::Emitter& out, const Originate& o) {
  out << YAML::BeginMap;
  kv(out, "prefix", std::string_view(o.prefix.to_string()));
  kv(out, "origin", policy::origin_text(o.origin));
  if (o.med) kv(out, "med", *o.med);
  if (o.local_pref) kv(out, "local-pref", *o.local_pref);
  out << YAML::Key << "communities" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (auto c : o.communities) out << community_to_string(c);
  out << YAML::EndSeq;
  out << YAML::Key << "large-communities" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& c : o.large_communities) out << large_community_to_string(c);
  out << YAML::EndSeq;
  kv(out, "as-path-prepend", unsigned{o.as_path_prepend});
  if (o.next_hop) kv(out, "next-hop", *o.next_hop);
  detail::print_tracking(out, o.track);
  out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const Config& cfg, const PrintOptions& opts) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::BeginMap;
  kv(out, "router-id", cfg.router_id);
  kv(out, "asn", cfg.asn);
  out << YAML::Key << "listen" << YAML::Value;
  if (cfg.listen.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& l : cfg.listen) {
    out << YAML::BeginMap;
    kv(out, "address", l.address);
    kv(out, "port", l.port);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "filters" << YAML::Value;
  if (cfg.filters.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& f : cfg.filters) out << f.written;
  out << YAML::EndSeq;
  out << YAML::Key << "kernel" << YAML::Value << YAML::BeginMap;
  kv(out, "enabled", cfg.kernel.enabled);
  if (cfg.kernel.table == kKernelTableMain)
    kv(out, "table", std::string_view("main"));
  else
    kv(out, "table", cfg.kernel.table);
  if (cfg.kernel.resolve_table == kKernelTableMain)
    kv(out, "resolve-table", std::string_view("main"));
  else
    kv(out, "resolve-table", cfg.kernel.resolve_table);
  kv(out, "protocol", unsigned{cfg.kernel.protocol});
  kv(out, "metric", cfg.kernel.metric);
  kv(out, "persist", cfg.kernel.persist);
  kv(out, "max-paths", cfg.kernel.max_paths);
  out << YAML::Key << "convergence" << YAML::Value << YAML::BeginMap;
  kv(out, "peer-up-wait", cfg.kernel.peer_up_wait);
  kv(out, "end-of-rib-wait", cfg.kernel.end_of_rib_wait);
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "originate" << YAML::Value;
  if (cfg.originate.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& o : cfg.originate) print_originate(out, o);
  out << YAML::EndSeq;
  out << YAML::Key << "control" << YAML::Value << YAML::BeginMap;
  kv(out, "socket", std::string_view(cfg.control.socket));
  out << YAML::EndMap;
  out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap;
  kv(out, "enabled", cfg.metrics.enabled);
  const std::string listen = cfg.metrics.address.is_v6()
                                 ? fmt::format("[{}]:{}", cfg.metrics.address, cfg.metrics.port)
                                 : fmt::format("{}:{}", cfg.metrics.address, cfg.metrics.port);
  kv(out, "listen", std::string_view(listen));
  out << YAML::EndMap;
  if (!cfg.bmp.empty()) {  // printed only when configured (older configs print unchanged)
    out << YAML::Key << "bmp" << YAML::Value << YAML::BeginSeq;
    for (const auto& b : cfg.bmp) {
      out << YAML::BeginMap;
      kv(out, "address", b.address);
      kv(out, "port", b.port);
      kv(out, "buffer", b.buffer);
      kv(out, "stats-interval", b.stats_interval);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (cfg.mrt.enabled) {
    out << YAML::Key << "mrt" << YAML::Value << YAML::BeginMap;
    kv(out, "file", std::string_view(cfg.mrt.file));
    kv(out, "interval", cfg.mrt.interval);
    kv(out, "table-dump", cfg.mrt.table_dump);
    kv(out, "messages", cfg.mrt.messages);
    out << YAML::EndMap;
  }
  detail::print_health(out, cfg);
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
  kv(out, "level", to_string(cfg.log_level));
  out << YAML::EndMap;
  out << YAML::Key << "peers" << YAML::Value;
  if (cfg.peers.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& p : cfg.peers) print_peer(out, p, opts);
  out << YAML::EndSeq;
  out << YAML::EndMap;
  std::string s = out.c_str();
  s += '\n';
  return s;
}

}  // namespace nvabgpd::config
