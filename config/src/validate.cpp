// Cross-field checks over a parsed config: duplicates, iBGP/eBGP rules, timers, filter use.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "parse.hpp"

namespace nvabgpd::config::detail {

namespace {

SourceLocation where(Reader& r, const PeerSource& src, std::string_view key) {
  if (const Entry* e = src.get(key)) return r.loc(e->value);
  return r.loc(src.node);
}
std::string field(const PeerSource& src, std::string_view key) {
  if (const Entry* e = src.get(key)) return e->field;
  return fmt::format("{}.{}", src.field, key);
}

void check_peer(Reader& r, const Config& cfg, const PeerConfig& p, const PeerSource& src) {
  auto err = [&](std::string_view key, std::string msg) {
    r.error_at(where(r, src, key), field(src, key), std::move(msg));
  };
  auto warn = [&](std::string_view key, std::string msg) {
    r.warn_at(where(r, src, key), field(src, key), std::move(msg));
  };
  const bool have_asn = cfg.asn != 0;
  const bool ibgp = have_asn && p.asn == cfg.asn;

  if (p.address.is_unspecified()) err("address", "the unspecified address cannot be a peer");
  if ((p.address.is_v4() && p.address.bytes()[0] >= 224) ||
      (p.address.is_v6() && p.address.bytes()[0] == 0xff))
    err("address", fmt::format("{} is a multicast or reserved address", p.address));
  if (p.address.is_v6() && p.address.is_link_local())
    err("address", "link-local peer addresses need an interface scope, which is not supported");
  if (p.address.is_v4() && p.address == cfg.router_id)
    warn("address", "the peer address equals our router-id");
  if (p.local_address && p.local_address->family() != p.address.family())
    err("local-address", fmt::format("local address {} and peer address {} are of different "
                                     "families",
                                     *p.local_address, p.address));
  if (p.ipv6_next_hop) {
    const auto& nh = *p.ipv6_next_hop;
    if (!nh.is_v6())
      err("ipv6-next-hop", fmt::format("{} is not an IPv6 address", nh));
    else if (nh.is_unspecified() || nh.bytes()[0] == 0xff || nh.is_link_local() ||
             nh == *base::IpAddress::parse("::1"))
      err("ipv6-next-hop", fmt::format("{} is not a global unicast address", nh));
  }

  // Timers (RFC 4271 4.2, 10); a Route Server peer's timers are locked by its template.
  if (!p.azure_route_server) {
    if (p.hold_time == 0 && p.keepalive != 0 && src.get("keepalive"))
      err("keepalive", "keepalive must be 0 when hold-time is 0 (no keepalives are sent)");
    else if (p.hold_time != 0 && p.keepalive >= p.hold_time)
      err("keepalive",
          fmt::format("keepalive {} must be less than hold-time {}", p.keepalive, p.hold_time));
    else if (p.hold_time != 0 && p.keepalive == 0)
      err("keepalive", "keepalive 0 with a non-zero hold time would let the session expire");
    else if (p.hold_time != 0 && p.keepalive > p.hold_time / 3 && src.get("keepalive"))
      warn("keepalive", fmt::format("keepalive {} is more than a third of hold-time {}; one lost "
                                    "KEEPALIVE can expire the session",
                                    p.keepalive, p.hold_time));
  }

  if (p.idle_hold_max < p.idle_hold)
    err("idle-hold-max",
        fmt::format("idle-hold-max {} is less than idle-hold {}", p.idle_hold_max, p.idle_hold));
  if (p.send_hold_time && p.hold_time != 0 && *p.send_hold_time < p.hold_time)
    warn("send-hold-time", fmt::format("send-hold-time {} is below hold-time {}; RFC 9687 "
                                       "suggests at least max(480, 2 x hold-time)",
                                       *p.send_hold_time, p.hold_time));

  if (p.route_reflector_client && have_asn && !ibgp)
    err("route-reflector-client",
        "route reflection applies to iBGP peers only (peer asn differs "
        "from ours)");
  if (p.cluster_id && !p.route_reflector_client)
    warn("cluster-id", "cluster-id has no effect unless route-reflector-client is true");
  if (p.route_server_client && ibgp)
    err("route-server-client", "a route server client must be an eBGP peer (RFC 7947)");
  if (p.route_server_client && p.next_hop_self)
    err("next-hop-self",
        "a route server leaves the next hop unchanged; next-hop-self conflicts "
        "with route-server-client");
  if (p.multihop && ibgp && !p.azure_route_server)
    warn("multihop", "multihop has no effect on iBGP sessions (they are never limited to TTL 1)");
  if (have_asn && !ibgp) {
    const bool imp = src.get("import") != nullptr;
    const bool exp = src.get("export") != nullptr;
    if (!imp || !exp)
      r.warn_at(r.loc(src.node), src.field,
                fmt::format("eBGP peer without {}: per RFC 8212 nothing is {} (set import/export "
                            "to all, none or a filter)",
                            !imp && !exp ? "import or export policy"
                            : !imp       ? "import policy"
                                         : "export policy",
                            !imp && !exp ? "accepted or advertised"
                            : !imp       ? "accepted"
                                         : "advertised"));
  }
  for (const FilterRef* f : {&p.import_filter, &p.export_filter}) {
    if (f->kind == FilterRef::Kind::Named && cfg.filters.empty())
      err(f == &p.import_filter ? "import" : "export",
          fmt::format("filter '{}' is named but no filter files are listed under 'filters'",
                      f->name));
  }
  if (p.graceful_restart.enabled && !p.route_refresh)
    warn("route-refresh", "graceful restart without route refresh cannot re-sync after a reload");
}

}  // namespace

void validate(Reader& r, const Config& cfg, const std::vector<PeerSource>& sources,
              const YAML::Node* asn_node, const LoadOptions&) {
  // The first peer with each name and address: a later one is an error naming it. Maps, not
  // a pairwise scan: a file with 30,000 peers took 70 s to check.
  std::map<std::string_view, std::size_t> names;
  std::map<base::IpAddress, std::size_t> addresses;
  for (std::size_t i = 0; i < cfg.peers.size(); ++i) {
    const PeerConfig& p = cfg.peers[i];
    const PeerSource& src = sources[i];
    check_peer(r, cfg, p, src);
    if (auto [it, fresh] = names.try_emplace(p.name, i); !fresh) {
      const SourceLocation first = r.loc(sources[it->second].node);
      r.error_at(where(r, src, "name"), field(src, "name"),
                 fmt::format("peer name '{}' is already used at line {}", p.name, first.line));
    }
    if (auto [it, fresh] = addresses.try_emplace(p.address, i); !fresh) {
      r.error_at(where(r, src, "address"), field(src, "address"),
                 fmt::format("peer address {} is already used by peer '{}'", p.address,
                             cfg.peers[it->second].name));
    }
  }
  check_azure_global(r, cfg, sources, asn_node);
}

}  // namespace nvabgpd::config::detail
