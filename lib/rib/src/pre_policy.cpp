// The pre-policy Adj-RIB-In copy kept for soft reconfiguration, read by monitoring.
#include "rib_state.hpp"

namespace nvabgpd::rib {

std::vector<std::pair<base::Prefix, AttrRef>> Rib::pre_policy_routes(PeerId peer) const {
  const Peer* p = peer_by_id(peer);
  if (!p || !p->cfg.soft_reconfig_in) return {};
  return {p->pre_policy.begin(), p->pre_policy.end()};
}

}  // namespace nvabgpd::rib
