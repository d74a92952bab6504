// Adj-RIB-In: per-peer import state (see adj_rib_in.hpp).
#include "adj_rib_in.hpp"

#include "peer_table.hpp"

namespace nvabgpd::rib {

const AttrRef* AdjRibIn::pre_policy(const base::Prefix& p) const {
  if (!cfg.soft_reconfig_in) return nullptr;
  auto it = pre_policy_.find(p);
  return it == pre_policy_.end() ? nullptr : &it->second;
}

std::vector<std::pair<base::Prefix, AttrRef>> AdjRibIn::pre_policy_routes() const {
  if (!cfg.soft_reconfig_in) return {};
  return {pre_policy_.begin(), pre_policy_.end()};
}

void AdjRibIn::shorten_stale_deadline(base::SteadyTime t) {
  if (!stale_deadline_ || t < *stale_deadline_) stale_deadline_ = t;
}

void AdjRibIn::swept(bool left) {
  has_stale_ = left;
  if (!left) stale_deadline_.reset();
}

}  // namespace nvabgpd::rib

namespace nvabgpd::rib {

// The Rib facade's read of the copy, for monitoring (BMP).
std::vector<std::pair<base::Prefix, AttrRef>> Rib::pre_policy_routes(PeerId peer) const {
  const AdjRibIn* p = peer_by_id(peer);
  return p ? p->pre_policy_routes() : std::vector<std::pair<base::Prefix, AttrRef>>{};
}

}  // namespace nvabgpd::rib
