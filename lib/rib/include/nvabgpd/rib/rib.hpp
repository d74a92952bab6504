#pragma once
// The RIB: Adj-RIB-In (post-policy paths held as Loc-RIB candidates, optional pre-policy
// copy), Loc-RIB with every candidate per prefix, the decision process, update groups with
// their Adj-RIB-Out, and the FIB delta stream.
//
// Threading: pure and single-threaded. The daemon's BGP thread owns the Rib, feeds it the
// input messages, calls run(budget) while busy(), and drains take_outbound(), take_fib() and
// take_events(). Time is an input (the `now` arguments); nothing here reads a clock.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "nvabgpd/base/next_hop_resolver.hpp"
#include "nvabgpd/rib/attrs.hpp"
#include "nvabgpd/rib/decision.hpp"
#include "nvabgpd/rib/messages.hpp"
#include "nvabgpd/rib/next_hop_table.hpp"
#include "nvabgpd/rib/prefix_table.hpp"

namespace nvabgpd::rib {

// The RIB's private nouns (lib/rib/src): per-peer Adj-RIB-In and the peers by id and slot,
// update groups (each with its Adj-RIB-Out), the export rules.
class AdjRibIn;
class PeerTable;
class UpdateGroup;
struct UpdateGroupMember;
class ExportPolicy;

struct RibConfig {
  std::uint32_t local_asn = 0;
  std::uint32_t router_id = 0;
  std::optional<std::uint32_t> cluster_id;  // route reflector cluster id (default: router id)
  DecisionOptions decision;
  // Produce the FIB stream (take_fib). Off when nothing installs routes (no kernel FIB):
  // collecting and interning every best route's next hops would be work for nobody.
  bool fib = true;
};

struct PeerCounters {
  std::uint64_t updates = 0;
  std::uint64_t received = 0;        // announced prefixes
  std::uint64_t withdrawn = 0;       // withdrawn prefixes
  std::uint64_t filtered = 0;        // rejected by the import filter
  std::uint64_t loops = 0;           // AS / cluster / originator loops (kept, ineligible)
  std::uint64_t limit_blocked = 0;   // refused by the import limit
  std::uint64_t accepted = 0;        // paths currently held (post-policy)
  std::uint64_t export_blocked = 0;  // announcements held back by the export limit
  std::uint64_t advertised = 0;  // routes in the peer's update group Adj-RIB-Out (filled on read)
  std::uint64_t refresh_requests = 0;  // ROUTE-REFRESH requests received
  std::uint64_t refresh_dumps = 0;     // re-sends made for them (merged: at most one pending)
};

// One candidate path as shown by `show route` / `explain`.
struct PathView {
  PeerId peer = 0;
  std::string peer_name;
  AttrRef attrs;
  bool best = false;
  bool ecmp = false;
  bool stale = false;
  std::string ineligible;  // empty if eligible
  PeerId lost_to = 0;      // meaningful when !best and eligible
  DecisionStep step = DecisionStep::Equal;
};

struct PrefixExplain {
  base::Prefix prefix;
  std::vector<PathView> paths;
  // Routes held only in a pre-policy copy (rejected by the import filter), with the reason.
  std::vector<std::pair<PeerId, std::string>> filtered;
};

struct ExportExplain {
  bool exported = false;  // would be sent by the export rules now
  std::string reason;     // rule or filter that stopped it, or "exported"
  AttrRef attrs;          // what would be sent
  AttrRef adj_rib_out;    // what the peer currently holds from us
};

class Rib {
 public:
  // `resolver` (the FIB, or base::ReachableResolver without one) must outlive the Rib.
  Rib(RibConfig cfg, base::NextHopResolver& resolver);
  Rib(const Rib&) = delete;
  Rib& operator=(const Rib&) = delete;
  ~Rib();

  // --- inputs ---
  void peer_up(const PeerUp& p, base::SteadyTime now);
  void peer_down(const PeerDown& d, base::SteadyTime now);
  // The peer is gone from the configuration: its routes are withdrawn and re-decided as after
  // a peer_down() without graceful restart (stale ones too), and everything it held is freed
  // (update group membership, pre-policy copy, counters, its slot). A later peer_up() with the
  // same id starts afresh. (peer_removal.cpp)
  void remove_peer(PeerId id);
  void update(const UpdateIn& u, base::SteadyTime now);
  // A ROUTE-REFRESH from the peer. Requests are merged: at most one re-send is pending per
  // peer (covering the families asked for), and it is made at the first take_outbound() where
  // the peer is not congested, so a peer that asks again and again without reading gets no
  // more than one dump queued behind its full write queue.
  void refresh_request(const RefreshRequest& r);
  // Enhanced Route Refresh (RFC 7313 4.2), as receiver. BoRR (`begin`): the peer's routes of
  // `af` are marked stale (the graceful-restart mark; they stay in use, nothing is withdrawn)
  // and a re-sent route clears the mark like any announcement. EoRR: the routes still stale
  // in `af` are removed. If EoRR does not come within the peer's stale_time (RFC 7313 4.2
  // leaves the time to the implementation; the GR stale-time, default 360 s, is reused) tick()
  // removes them too.
  void refresh_marker(PeerId peer, wire::AfiSafi af, bool begin, base::SteadyTime now);
  // New export settings for an established peer (export filter, limit, next hop, ...) without
  // a session reset: the peer moves to the update group of its new settings and is sent only
  // the difference against what it holds. Routes the new policy rejects are withdrawn, changed
  // ones re-announced, unchanged ones not re-sent. A peer that is not up just takes the
  // settings at its next peer_up().
  void reexport(const PeerUp& cfg);
  // Re-run the import filter of a peer (after a policy change): from the pre-policy copy when
  // the peer keeps one, else a SendRouteRefresh event asks the daemon to request the routes.
  void reimport(PeerId peer, FilterPtr new_import_filter);
  // Locally originated routes (from the config); exported like any route.
  void originate(const base::Prefix& prefix, const wire::PathAttributes& attrs);
  void withdraw_local(const base::Prefix& prefix);
  // The resolver's answers may have changed for these next hops (the FIB's list): each is
  // re-resolved, and the prefixes with a path via one whose reachability or IGP cost changed
  // are re-decided by run(), in its budget (this call touches no prefix).
  void next_hops_changed(std::span<const base::IpAddress> changed);
  // Timers (graceful restart). Call when the earliest next_deadline() passes.
  void tick(base::SteadyTime now);
  std::optional<base::SteadyTime> next_deadline() const;

  // --- work ---
  // Runs up to `budget` units (one prefix examined after a next-hop change, one dirty prefix
  // decided, or one entry of a group's table walk). Returns the units used.
  std::size_t run(std::size_t budget);
  bool busy() const;

  // --- outputs ---
  // `congested(peer)`, if given, says a peer's write queue is full: a group whose members
  // are all congested is held (its changes keep coalescing in the RIB, where they cost a bit
  // per route instead of encoded bytes per route) until one of them drains.
  std::vector<OutboundBatch> take_outbound(base::SteadyTime now,
                                           const std::function<bool(PeerId)>& congested = {});
  FibBatch take_fib();
  std::vector<RibEvent> take_events();

  // The one import preprocessing, run on every received route before the import filter (as
  // BIRD does): from an eBGP peer LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are dropped;
  // the loop checks run on the path as received (own ASN more often than allowas-in, and from
  // iBGP ORIGINATOR_ID = our router id, our cluster id in CLUSTER_LIST from a route reflector
  // client); a route with no LOCAL_PREF then gets the peer's default (100), unless an eBGP
  // peer sent one (it was dropped: BIRD leaves it undefined). Returns the path_flag loop bits
  // (a looping route is kept ineligible and never reaches the filter). `attrs` is changed in
  // place. Used by update() and by the daemon's `filter test --peer` (no copy of it).
  std::uint16_t prepare_import(const PeerUp& peer, wire::PathAttributes& attrs) const;
  // Why prepare_import's loop bits make a route unusable (empty when none).
  static std::string loop_reason(std::uint16_t loop_flags);
  // The well-known community (RFC 1997) that keeps a Loc-RIB route from a peer, checked before
  // the export filter (as BIRD does), or nullptr. Used by the export and by `filter test`.
  static const char* community_block(const AttrSet& attrs, bool ebgp_peer);

  // --- queries ---
  std::vector<PathView> routes(const base::Prefix& p) const;
  PrefixExplain explain(const base::Prefix& p) const;
  ExportExplain explain_export(const base::Prefix& p, PeerId peer) const;
  AttrRef adj_rib_out(PeerId peer, const base::Prefix& p) const;
  std::size_t adj_rib_out_size(PeerId peer) const;
  std::optional<PeerCounters> counters(PeerId peer) const;
  // A peer's routes as received, before the import filter: kept only for peers with
  // soft_reconfig_in (empty otherwise). A copy, for monitoring (BMP); unordered.
  std::vector<std::pair<base::Prefix, AttrRef>> pre_policy_routes(PeerId peer) const;
  std::size_t prefix_count() const { return table_.size(); }
  std::size_t group_count() const;
  // Bytes of the update groups' per-route storage (Adj-RIB-Out, pending changes): 0 once
  // everything is withdrawn and sent.
  std::size_t export_bytes() const;
  std::size_t peer_count() const;  // peers known, local excluded
  std::optional<std::uint32_t> group_of(PeerId peer) const;
  const AttrStore& store() const { return store_; }
  AttrStore& store() { return store_; }
  const PrefixTable& table() const { return table_; }
  const NextHopTable& next_hops() const { return next_hops_; }

 private:
  using Peer = AdjRibIn;

  Peer* peer_by_id(PeerId id);
  const Peer* peer_by_id(PeerId id) const;
  void mark_dirty(EntryId id);
  void withdraw_path(Peer& p, const base::Prefix& prefix);
  void withdraw_all(Peer& p, const std::vector<base::Prefix>& prefixes);
  void remove_path(Peer& p, const base::Prefix& prefix);
  // Every change of a Loc-RIB path goes through these two (they keep next_hops_ up to date).
  Path& set_path(EntryId id, std::uint32_t slot, AttrRef attrs);
  bool drop_path(EntryId id, std::uint32_t slot);
  // The import filter's verdicts on the prefixes of one UPDATE so far (import.cpp).
  struct ImportMemo;
  void announce_path(Peer& p, const base::Prefix& prefix, const AttrRef& pre_policy,
                     const AttrRef& accepted_same, const wire::PathAttributes& wire_attrs,
                     std::uint16_t loop_flags, ImportMemo* memo = nullptr);
  void end_of_rib(Peer& p, wire::AfiSafi af);
  // Removes the peer's stale routes: all of them, or only those of `af` (its End-of-RIB).
  void sweep_stale(Peer& p, std::optional<wire::AfiSafi> af = std::nullopt);
  void remove_all_paths(Peer& p, bool keep_as_stale);
  void decide(EntryId id);
  Candidate candidate(const Path& path) const;
  void update_fib(EntryId id, Entry& e);
  void export_entry(UpdateGroup& g, EntryId id);
  void hold_back(UpdateGroup& g, EntryId id);
  void unblock(UpdateGroup& g);
  // Puts an up peer into the update group of its settings (a new one or as a joiner).
  void join_group(Peer& p);
  // Takes the peer out of its group (freed when empty); returns its export state there.
  UpdateGroupMember leave_group(Peer& p);
  void free_empty_entries();
  std::uint32_t intern_fib_set(std::span<const base::IpAddress> nhs);
  void release_fib_set(std::uint32_t id);
  std::uint16_t loop_flags_for(const PeerUp& p, const wire::PathAttributes& a) const;

  RibConfig cfg_;
  mutable AttrStore store_;
  PrefixTable table_;
  NextHopTable next_hops_;  // after store_ and table_: it holds next hops and reads the table
  std::unique_ptr<PeerTable> peer_table_;  // by id and by slot; slot 0 = local routes
  PeerTable& peers_;
  std::vector<std::unique_ptr<UpdateGroup>> groups_;
  std::uint32_t next_group_id_ = 1;
  std::unique_ptr<ExportPolicy> export_policy_;
  std::vector<EntryId> dirty_;
  std::size_t dirty_head_ = 0;
  std::vector<EntryId> maybe_free_;
  FibBatch fib_out_;
  std::vector<std::uint32_t>
      fib_batch_index_;  // RIB next-hop set id -> index in fib_out_ (0: none)
  std::vector<RibEvent> events_;
  // Forwarding next-hop sets, interned (id 0 = none).
  struct FibSet {
    std::vector<base::IpAddress> nhs;
    std::uint32_t refs = 0;
  };
  std::vector<FibSet> fib_sets_;
  std::vector<std::uint32_t> free_fib_sets_;
  struct SetLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
  };
  std::map<std::vector<base::IpAddress>, std::uint32_t, SetLess> fib_set_ids_;
  std::vector<Candidate> scratch_;
};

}  // namespace nvabgpd::rib
