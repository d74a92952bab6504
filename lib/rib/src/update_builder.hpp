#pragma once
// Update builder: turns an update group's state into OutboundBatches. The group batch (its
// pending changes, packed by attribute set), per-peer dumps of the Adj-RIB-Out (to a joiner,
// after a reexport as a difference, for a ROUTE-REFRESH re-send), and End-of-RIB-only
// answers. Reads the Loc-RIB only for the prefixes. Private to lib/rib.
#include <span>
#include <utility>
#include <vector>

#include "update_group.hpp"

namespace nvabgpd::rib {

class UpdateBuilder {
 public:
  explicit UpdateBuilder(const PrefixTable& table) : table_(table) {}

  // The group's pending changes: one batch to the members, plus one per member owed a
  // route on its own (it stopped being the route's source). Clears them.
  void group_batch(UpdateGroup& g, std::vector<OutboundBatch>& out) const;
  // The joiners' dumps (or, after a reexport, the difference against what they hold) with
  // End-of-RIB when owed; then they are members.
  void welcome_joiners(UpdateGroup& g, std::vector<OutboundBatch>& out) const;
  // End-of-RIB (and an owed EoRR) to the peers answered without a re-send.
  void end_of_rib_only(UpdateGroup& g, std::vector<OutboundBatch>& out) const;
  // What `to` must be sent to hold the group's Adj-RIB-Out, given what it holds now (`held`,
  // sorted by id; a null AttrRef: unknown). With nothing held, a full dump. `families`:
  // only routes of these families (empty: all).
  OutboundBatch dump(const UpdateGroup& g, PeerId to,
                     std::span<const std::pair<EntryId, AttrRef>> held = {},
                     std::span<const wire::AfiSafi> families = {}) const;

 private:
  const PrefixTable& table_;
};

}  // namespace nvabgpd::rib
