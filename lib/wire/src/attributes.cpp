// Helpers on the attribute value types declared in attributes.hpp and messages.hpp.
#include <algorithm>

#include "nvabgpd/wire/attributes.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::wire {

bool PathAttributes::has_community(Community c) const {
  return std::find(communities.begin(), communities.end(), c) != communities.end();
}

std::optional<AfiSafi> Update::end_of_rib() const {
  if (has_attributes || !withdrawn.empty() || !nlri.empty() || mp_reach) return std::nullopt;
  if (!mp_unreach) return kIpv4Unicast;
  if (mp_unreach->withdrawn.empty()) return mp_unreach->af;
  return std::nullopt;
}

}  // namespace nvabgpd::wire
