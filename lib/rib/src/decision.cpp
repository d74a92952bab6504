#include "nvabgpd/rib/decision.hpp"

namespace nvabgpd::rib {

std::string_view step_name(DecisionStep s) {
  switch (s) {
    case DecisionStep::Eligibility:
      return "eligibility";
    case DecisionStep::LocalPref:
      return "local-pref";
    case DecisionStep::LocallyOriginated:
      return "locally-originated";
    case DecisionStep::AsPathLength:
      return "as-path-length";
    case DecisionStep::Origin:
      return "origin";
    case DecisionStep::Med:
      return "med";
    case DecisionStep::EbgpOverIbgp:
      return "ebgp-over-ibgp";
    case DecisionStep::IgpCost:
      return "igp-cost";
    case DecisionStep::RouterId:
      return "router-id";
    case DecisionStep::ClusterListLength:
      return "cluster-list-length";
    case DecisionStep::NeighbourAddress:
      return "neighbour-address";
    case DecisionStep::Equal:
      return "equal";
  }
  return "?";
}

namespace {

// Lower wins.
Comparison lower(std::uint64_t a, std::uint64_t b, DecisionStep s) { return {a < b, s}; }

std::uint32_t med_of(const Candidate& c, const DecisionOptions& o) {
  auto m = c.attrs->med();
  return m ? *m : (o.med_missing_as_worst ? 0xFFFFFFFFU : 0U);
}

std::uint32_t local_pref_of(const Candidate& c, const DecisionOptions& o) {
  return c.attrs->local_pref().value_or(o.default_local_pref);
}

// RFC 4456 section 9: a reflected route is compared by its ORIGINATOR_ID in place of the
// peer's BGP identifier.
std::uint32_t router_id_of(const Candidate& c) {
  return c.attrs->originator_id().value_or(c.router_id);
}

}  // namespace

Comparison compare(const Candidate& a, const Candidate& b, const DecisionOptions& o) {
  // A path whose next hop is unresolvable, or that loops, is not a candidate (9.1.2).
  if (a.eligible != b.eligible) return {a.eligible, DecisionStep::Eligibility};
  // 9.1.1: degree of preference = LOCAL_PREF (or the configured default when absent).
  if (auto la = local_pref_of(a, o), lb = local_pref_of(b, o); la != lb)
    return {la > lb, DecisionStep::LocalPref};
  // Our own configured routes beat learned ones of the same preference.
  if (a.local != b.local) return {a.local, DecisionStep::LocallyOriginated};
  // 9.1.2.2 a: fewest AS numbers in AS_PATH.
  if (!o.ignore_as_path_length) {
    if (auto pa = a.attrs->as_path().length(), pb = b.attrs->as_path().length(); pa != pb)
      return lower(pa, pb, DecisionStep::AsPathLength);
  }
  // 9.1.2.2 b: lowest ORIGIN.
  if (a.attrs->origin() != b.attrs->origin())
    return lower(static_cast<unsigned>(a.attrs->origin()), static_cast<unsigned>(b.attrs->origin()),
                 DecisionStep::Origin);
  // 9.1.2.2 c: lowest MED, only between routes from the same neighbouring AS by default.
  if (o.always_compare_med || a.neighbour_as == b.neighbour_as) {
    if (auto ma = med_of(a, o), mb = med_of(b, o); ma != mb)
      return lower(ma, mb, DecisionStep::Med);
  }
  // 9.1.2.2 d: routes learned by eBGP over routes learned by iBGP.
  if (a.ebgp != b.ebgp) return {a.ebgp, DecisionStep::EbgpOverIbgp};
  // 9.1.2.2 e: lowest interior cost to the NEXT_HOP.
  if (a.igp_cost != b.igp_cost) return lower(a.igp_cost, b.igp_cost, DecisionStep::IgpCost);
  // 9.1.2.2 f with RFC 4456: lowest ORIGINATOR_ID or BGP identifier.
  if (auto ra = router_id_of(a), rb = router_id_of(b); ra != rb)
    return lower(ra, rb, DecisionStep::RouterId);
  // RFC 4456 section 9: shortest CLUSTER_LIST.
  if (auto ca = a.attrs->cluster_list_length(), cb = b.attrs->cluster_list_length(); ca != cb)
    return lower(ca, cb, DecisionStep::ClusterListLength);
  // 9.1.2.2 g: lowest peer address.
  if (a.peer_address != b.peer_address)
    return {a.peer_address < b.peer_address, DecisionStep::NeighbourAddress};
  return {true, DecisionStep::Equal};
}

bool ecmp_equal(const Candidate& best, const Candidate& b, const DecisionOptions& o) {
  if (!b.eligible || b.local || best.local) return false;
  if (!o.multipath_relax && best.neighbour_as != b.neighbour_as) return false;
  if (!b.attrs->next_hop()) return false;
  const DecisionStep s = compare(best, b, o).step;
  return s == DecisionStep::RouterId || s == DecisionStep::ClusterListLength ||
         s == DecisionStep::NeighbourAddress || s == DecisionStep::Equal;
}

namespace {

bool beats(const Candidate& a, const Candidate& b, const DecisionOptions& o) {
  const Comparison c = compare(a, b, o);
  return c.step != DecisionStep::Equal && c.first_wins;
}

}  // namespace

std::uint32_t select_best(std::span<const Candidate> c, const DecisionOptions& o) {
  const auto n = static_cast<std::uint32_t>(c.size());
  if (n == 0) return Selection::kNone;
  if (n == 1) return c[0].eligible ? 0 : Selection::kNone;
  // Stage 1 (skipped with always-compare-med): best per neighbour AS, marked in `group_best`.
  // Stage 2: the group winners compete; MED never applies between different ASes, so each
  // stage is a strict lexicographic order and the result is order independent.
  std::uint32_t best = Selection::kNone;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!c[i].eligible) continue;
    bool group_winner = true;
    if (!o.always_compare_med) {
      for (std::uint32_t j = 0; j < n && group_winner; ++j) {
        if (j != i && c[j].eligible && c[j].neighbour_as == c[i].neighbour_as &&
            beats(c[j], c[i], o))
          group_winner = false;
      }
    }
    if (!group_winner) continue;
    if (best == Selection::kNone || beats(c[i], c[best], o)) best = i;
  }
  return best;
}

Selection select(std::span<const Candidate> c, const DecisionOptions& o) {
  Selection s;
  const auto n = static_cast<std::uint32_t>(c.size());
  s.lost_to.assign(n, Selection::kNone);
  s.step.assign(n, DecisionStep::Equal);
  s.best = select_best(c, o);
  if (s.best == Selection::kNone) {
    for (std::uint32_t i = 0; i < n; ++i) s.step[i] = DecisionStep::Eligibility;
    return s;
  }
  const Candidate& b = c[s.best];
  s.ecmp.push_back(s.best);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i == s.best) continue;
    // A loser within its own neighbour AS is explained against that AS's winner (that is the
    // comparison that removed it); otherwise against the overall best.
    std::uint32_t against = s.best;
    if (!o.always_compare_med && c[i].eligible) {
      for (std::uint32_t j = 0; j < n; ++j) {
        if (j != i && c[j].eligible && c[j].neighbour_as == c[i].neighbour_as &&
            beats(c[j], c[i], o) && (against == s.best || beats(c[j], c[against], o)))
          against = j;
      }
    }
    s.lost_to[i] = against;
    s.step[i] = compare(c[against], c[i], o).step;
    if (s.ecmp.size() < o.max_paths && ecmp_equal(b, c[i], o)) s.ecmp.push_back(i);
  }
  return s;
}

}  // namespace nvabgpd::rib
