// The import preprocessing: what a received route looks like when the import filter sees it,
// and whether it loops (checked on the path as received, before the filter, as BIRD does).
#include <algorithm>

#include "rib_state.hpp"

namespace nvabgpd::rib {

std::uint16_t Rib::loop_flags_for(const PeerUp& p, const wire::PathAttributes& a) const {
  std::uint16_t f = 0;
  if (a.as_path.count(cfg_.local_asn) > p.allowas_in) f |= path_flag::kAsLoop;
  if (!p.ebgp()) {
    // RFC 4456 section 8: our own ORIGINATOR_ID means the route looped. Our CLUSTER_ID in the
    // CLUSTER_LIST is checked on routes from our clients only: BIRD 2 accepts it from a
    // non-client iBGP peer (verified with bird 2.0.12, see README.md).
    if (a.originator_id && *a.originator_id == cfg_.router_id) f |= path_flag::kOriginatorIsUs;
    const std::uint32_t cluster = cfg_.cluster_id.value_or(cfg_.router_id);
    if (p.rr_client &&
        std::find(a.cluster_list.begin(), a.cluster_list.end(), cluster) != a.cluster_list.end())
      f |= path_flag::kClusterLoop;
  }
  return f;
}

std::uint16_t Rib::prepare_import(const PeerUp& peer, wire::PathAttributes& attrs) const {
  bool had_local_pref = false;
  if (peer.ebgp()) {
    // RFC 4271 5.1.5 / RFC 4456 8: not taken from an eBGP peer. BIRD then leaves LOCAL_PREF
    // undefined (no default) when the peer did send one.
    had_local_pref = attrs.local_pref.has_value();
    attrs.local_pref.reset();
    attrs.originator_id.reset();
    attrs.cluster_list.clear();
  }
  const std::uint16_t loops = loop_flags_for(peer, attrs);
  if (!attrs.local_pref && !had_local_pref)
    attrs.local_pref = peer.default_local_pref.value_or(cfg_.decision.default_local_pref);
  return loops;
}

std::string Rib::loop_reason(std::uint16_t flags) {
  if (flags & path_flag::kAsLoop) return "AS_PATH contains our ASN (more often than allowas-in)";
  if (flags & path_flag::kOriginatorIsUs) return "ORIGINATOR_ID is our router id";
  if (flags & path_flag::kClusterLoop) return "CLUSTER_LIST contains our cluster id";
  return {};
}

}  // namespace nvabgpd::rib
