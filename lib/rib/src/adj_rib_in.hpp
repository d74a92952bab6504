#pragma once
// Adj-RIB-In: what the RIB keeps per peer on the import side. The peer's settings and
// counters, its graceful-restart (and enhanced route refresh) stale state, and the optional
// pre-policy copy kept for soft reconfiguration inbound. The post-policy paths themselves are
// Loc-RIB candidates in the PrefixTable, tagged with this peer's slot. Private to lib/rib.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nvabgpd/rib/rib.hpp"

namespace nvabgpd::rib {

class UpdateGroup;

class AdjRibIn {
 public:
  AdjRibIn(std::uint32_t slot_index, bool is_local) : slot(slot_index), local(is_local) {}
  AdjRibIn(const AdjRibIn&) = delete;
  AdjRibIn& operator=(const AdjRibIn&) = delete;

  PeerUp cfg;  // the settings of the peer's current (or last) session
  PeerCounters counters;
  const std::uint32_t slot;  // the peer's tag on its Loc-RIB paths (Path::peer)
  const bool local;          // slot 0: locally originated routes
  bool up = false;
  UpdateGroup* group = nullptr;  // the update group it receives from, while up
  bool import_limit_reported = false;

  // --- soft reconfiguration inbound: the routes as received, before the import filter ---
  // Kept only when cfg.soft_reconfig_in; these do nothing otherwise.
  void keep_pre_policy(const base::Prefix& p, const AttrRef& attrs) {
    if (cfg.soft_reconfig_in) pre_policy_[p] = attrs;
  }
  void forget_pre_policy(const base::Prefix& p) {
    if (cfg.soft_reconfig_in) pre_policy_.erase(p);
  }
  // The copy's route for `p`, or nullptr.
  const AttrRef* pre_policy(const base::Prefix& p) const;
  std::vector<std::pair<base::Prefix, AttrRef>> pre_policy_routes() const;
  void clear_pre_policy() { pre_policy_.clear(); }

  // --- stale routes (graceful restart helper, RFC 4724; BoRR, RFC 7313) ---
  // Whether some of its Loc-RIB paths carry the stale mark, and until when they may stay.
  bool has_stale() const { return has_stale_; }
  std::optional<base::SteadyTime> stale_deadline() const {
    return has_stale_ ? stale_deadline_ : std::nullopt;
  }
  bool stale_due(base::SteadyTime now) const {
    return has_stale_ && stale_deadline_ && now >= *stale_deadline_;
  }
  // Paths were marked stale (restart or BoRR); the deadline is set separately.
  void marked_stale() { has_stale_ = true; }
  void set_stale_deadline(base::SteadyTime t) { stale_deadline_ = t; }
  // BoRR: the earlier of the current deadline and `t`.
  void shorten_stale_deadline(base::SteadyTime t);
  // After a sweep: `left` says whether stale paths of other families remain.
  void swept(bool left);

 private:
  std::unordered_map<base::Prefix, AttrRef> pre_policy_;
  bool has_stale_ = false;
  std::optional<base::SteadyTime> stale_deadline_;
};

}  // namespace nvabgpd::rib
