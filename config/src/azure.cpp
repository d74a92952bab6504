// The built-in azure-route-server template. Values and reasons: docs/config.md.
#include "nvabgpd/config/azure.hpp"

#include <fmt/format.h>

#include "parse.hpp"

namespace nvabgpd::config {

bool azure::is_reserved_asn(std::uint32_t asn) {
  return asn == 8074 || asn == 8075 || asn == 12076 || asn == 65515 ||
         (asn >= 65517 && asn <= 65520) || asn == 23456 || (asn >= 64496 && asn <= 64511) ||
         (asn >= 65535 && asn <= 65551);
}

namespace detail {

namespace {

bool same_policy(const PeerConfig& a, const PeerConfig& b) {
  return a.import_filter == b.import_filter && a.export_filter == b.export_filter &&
         a.import_limit == b.import_limit && a.export_limit == b.export_limit &&
         a.allowas_in == b.allowas_in && a.next_hop_self == b.next_hop_self &&
         a.enabled == b.enabled;
}

// The peer's value for `key` must stay what the template sets; report where it was changed.
void lock(Reader& r, const PeerSource& src, std::string_view key, bool holds,
          std::string_view why) {
  if (holds) return;
  if (const Entry* e = src.get(key))
    r.error(e->value, e->field,
            fmt::format("'{}' is locked by template azure-route-server: {}", key, why));
}

}  // namespace

void apply_azure_defaults(PeerConfig& p) {
  p.asn = azure::kRouteServerAsn;
  p.multihop = azure::kDefaultMultihop;
  p.hold_time = azure::kHoldTime;
  p.keepalive = azure::kKeepalive;
  p.families = {wire::kIpv4Unicast};
  p.route_refresh = true;
  p.ttl_security = false;
  p.export_limit = PrefixLimit{azure::kDefaultExportLimit, LimitAction::Block, 60};
  p.description = "Azure Route Server";
}

void check_azure_peer(Reader& r, const PeerConfig& p, const PeerSource& src) {
  lock(r, src, "asn", p.asn == azure::kRouteServerAsn, "Azure Route Server always uses AS 65515");
  lock(r, src, "hold-time", p.hold_time == azure::kHoldTime,
       "Azure Route Server uses hold time 180 s");
  lock(r, src, "keepalive", p.keepalive == azure::kKeepalive,
       "Azure Route Server uses keepalive 60 s");
  lock(r, src, "families", p.families == std::vector{wire::kIpv4Unicast},
       "Azure Route Server supports IPv4 unicast only");
  lock(r, src, "multihop", p.multihop && *p.multihop >= 2,
       "Route Server instances are not on the NVA's subnet; eBGP multihop (2..255) is required");
  lock(r, src, "ttl-security", !p.ttl_security, "Azure Route Server does not use GTSM");
  lock(r, src, "route-refresh", p.route_refresh,
       "Azure Route Server resets NVAs that cannot answer ROUTE-REFRESH");
  lock(r, src, "bfd", !p.bfd.enabled,
       "Azure Route Server has no BFD (its timers are fixed at keepalive 60 s, hold 180 s); "
       "use BFD toward NVAs and on-premises routers only");
  if (!p.address.is_v4()) {
    if (const Entry* e = src.get("address"))
      r.error(e->value, e->field, "Azure Route Server instances have IPv4 addresses");
  }
  if (const Entry* e = src.get("export-limit")) {
    if (!p.export_limit) {
      // unreachable: the key parsed or apply_key already reported it
    } else if (p.export_limit->action != LimitAction::Block) {
      r.error(e->value, e->field,
              "action is locked to block by template azure-route-server: Route Server drops the "
              "session of an NVA that advertises more than 1,000 routes");
    } else if (p.export_limit->max >= azure::kRaisedRouteServerLimit) {
      r.error(e->value, e->field,
              fmt::format("max {} is at or above Azure Route Server's highest limit ({}); the "
                          "session would be reset",
                          p.export_limit->max, azure::kRaisedRouteServerLimit));
    } else if (p.export_limit->max >= azure::kRouteServerLimit) {
      r.warn(e->value, e->field,
             fmt::format("max {} is above Azure Route Server's default limit of {} routes; only "
                         "safe if Microsoft raised your limit to {}",
                         p.export_limit->max, azure::kRouteServerLimit,
                         azure::kRaisedRouteServerLimit));
    }
  }
}

void check_azure_global(Reader& r, const Config& cfg, const std::vector<PeerSource>& sources,
                        const YAML::Node* asn_node) {
  std::vector<std::size_t> ars;
  for (std::size_t i = 0; i < cfg.peers.size(); ++i)
    if (cfg.peers[i].azure_route_server) ars.push_back(i);
  if (ars.empty()) return;
  const PeerConfig& first = cfg.peers[ars.front()];
  if (cfg.asn != 0 && asn_node) {
    if (cfg.asn > 65535)
      r.error(*asn_node, "asn",
              fmt::format("AS {} is 4-octet, but the local ASN toward Azure Route Server (peer "
                          "{}) must be a 2-octet ASN",
                          cfg.asn, first.name));
    else if (azure::is_reserved_asn(cfg.asn))
      r.error(*asn_node, "asn",
              fmt::format("AS {} is reserved by Azure or IANA and cannot peer with Azure Route "
                          "Server (peer {}); reserved: 8074, 8075, 12076, 65515, 65517-65520, "
                          "23456, 64496-64511, 65535-65551",
                          cfg.asn, first.name));
  }
  const PeerSource& fs = sources[ars.front()];
  if (ars.size() == 1) {
    r.warn(fs.node, fs.field,
           fmt::format("only one Azure Route Server instance is configured (peer {}); Route "
                       "Server has two instances, peer with both for redundancy",
                       first.name));
  }
  for (std::size_t k = 1; k < ars.size(); ++k) {
    const PeerConfig& p = cfg.peers[ars[k]];
    if (!same_policy(first, p))
      r.warn(sources[ars[k]].node, sources[ars[k]].field,
             fmt::format("Azure Route Server peers {} and {} have different policy (import, "
                         "export, limits, allowas-in, next-hop-self or enabled); both instances "
                         "must see the same routes",
                         first.name, p.name));
  }
}

}  // namespace detail
}  // namespace nvabgpd::config
