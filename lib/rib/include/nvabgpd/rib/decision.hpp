#pragma once
// The BGP decision process (RFC 4271 section 9.1.2) as ONE comparison function that returns
// the winner and the step that decided, plus best-path and ECMP selection built on it.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/attrs.hpp"

namespace nvabgpd::rib {

enum class DecisionStep : std::uint8_t {
  Eligibility,        // an unusable path (unresolvable next hop, loop) always loses
  LocalPref,          // 9.1.1: higher LOCAL_PREF
  LocallyOriginated,  // our own (configured) route over a learned one
  AsPathLength,       // 9.1.2.2 a: shorter AS_PATH
  Origin,             // 9.1.2.2 b: lower ORIGIN (IGP < EGP < INCOMPLETE)
  Med,                // 9.1.2.2 c: lower MED, same neighbour AS unless always-compare-med
  EbgpOverIbgp,       // 9.1.2.2 d: eBGP-learned over iBGP-learned
  IgpCost,            // 9.1.2.2 e: lower interior cost to the next hop
  RouterId,           // 9.1.2.2 f + RFC 4456 9: lower ORIGINATOR_ID, else peer BGP identifier
  ClusterListLength,  // RFC 4456 9: shorter CLUSTER_LIST
  NeighbourAddress,   // 9.1.2.2 g: lower peer address
  Equal,              // indistinguishable (same source)
};
std::string_view step_name(DecisionStep s);

struct DecisionOptions {
  bool always_compare_med = false;
  bool med_missing_as_worst = false;  // RFC 4271 says missing MED = 0 (best); option flips it
  bool ignore_as_path_length = false;
  std::uint32_t default_local_pref = 100;
  unsigned max_paths = 1;        // ECMP width (1: no multipath)
  bool multipath_relax = false;  // ECMP across different neighbour ASes
};

// What the comparison needs to know about one candidate path.
struct Candidate {
  const AttrSet* attrs = nullptr;
  bool eligible = true;
  bool local = false;  // locally originated
  bool ebgp = false;
  std::uint32_t neighbour_as = 0;  // leftmost AS of the path, or our ASN when the path is empty
  std::uint32_t router_id = 0;     // the peer's BGP identifier (ours for local routes)
  base::IpAddress peer_address;
  std::uint32_t igp_cost = 0;
};

struct Comparison {
  bool first_wins = false;  // meaningless when step == Equal
  DecisionStep step = DecisionStep::Equal;
};

// The one comparison function: which of a and b is preferred, and why.
Comparison compare(const Candidate& a, const Candidate& b, const DecisionOptions& o);

struct Selection {
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  std::uint32_t best = kNone;
  std::vector<std::uint32_t> ecmp;  // indexes of the multipath set, best first
  // Per candidate: the candidate it lost to (kNone for the best) and the deciding step.
  std::vector<std::uint32_t> lost_to;
  std::vector<DecisionStep> step;
};

// Best path and ECMP set. MED is compared only within a neighbour AS (unless
// always-compare-med), which makes pairwise preference non-transitive; so candidates are first
// reduced to the best of each neighbour AS, then those winners compete (MED never applies
// between them). The result does not depend on the order of the candidates.
Selection select(std::span<const Candidate> c, const DecisionOptions& o);

// Only the winner, without the per-candidate bookkeeping (the hot path).
std::uint32_t select_best(std::span<const Candidate> c, const DecisionOptions& o);

// Whether b may join a's multipath set (a is the best).
bool ecmp_equal(const Candidate& best, const Candidate& b, const DecisionOptions& o);

}  // namespace nvabgpd::rib
