#pragma once
// Private state of Rib (peers, update groups). Included by the rib sources only.
#include <unordered_map>
#include <vector>

#include "chunked_array.hpp"
#include "nvabgpd/rib/rib.hpp"

namespace nvabgpd::rib {

struct Rib::Peer {
  PeerUp cfg;
  std::uint32_t slot = 0;
  bool up = false;
  bool local = false;  // slot 0: locally originated routes
  Group* group = nullptr;
  PeerCounters counters;
  bool import_limit_reported = false;
  // Graceful restart helper state.
  bool has_stale = false;
  std::optional<base::SteadyTime> stale_deadline;
  // Soft reconfiguration inbound: the routes as received, before the import filter.
  std::unordered_map<base::Prefix, AttrRef> pre_policy;
  // After reexport() into an existing update group: what the peer held from its previous
  // group, sorted by EntryId, until the next take_outbound() sends it the difference. A null
  // AttrRef marks a route whose change was still pending there (its state at the peer is
  // unknown, so the current one is sent).
  std::vector<std::pair<EntryId, AttrRef>> reexport_held;
  bool reexporting = false;
  bool reexport_eor_owed = false;  // it had not had End-of-RIB yet
  // Families of the pending ROUTE-REFRESH re-send (the peer is in its group's `refresh`).
  std::vector<wire::AfiSafi> refresh_families;
  // EoRR owed after a re-send made while the group's table walk was still running (sent with
  // the End-of-RIB that waits for the walk).
  std::vector<wire::AfiSafi> eorr_owed;
};

// Peers with identical export settings share one Adj-RIB-Out and one export run.
struct GroupKey {
  bool ebgp = false;
  std::uint32_t local_asn = 0;
  std::uint32_t remote_asn = 0;  // eBGP only (0 for iBGP groups)
  std::vector<wire::AfiSafi> families;
  bool rr_client = false;
  bool route_server_client = false;
  bool next_hop_self = false;
  bool next_hop_unchanged = false;
  std::uint32_t export_policy_id = 0;
  const RouteFilter* export_filter = nullptr;
  std::uint32_t export_limit = 0;
  LimitAction export_action = LimitAction::Warn;
  std::int64_t mrai_ms = 0;
  bool operator==(const GroupKey&) const = default;
  static GroupKey of(const PeerUp& p);
};

struct Rib::Group {
  std::uint32_t id = 0;
  GroupKey key;
  FilterPtr export_filter;
  std::vector<PeerId> members;   // receive group batches
  std::vector<PeerId> joining;   // get a dump of `out` at the next take, then become members
  std::vector<PeerId> eor_waiting;  // get End-of-RIB when the initial walk completes
  std::vector<PeerId> eor_only;     // refresh answered without re-sending
  std::vector<PeerId> refresh;      // members owed a re-send (ROUTE-REFRESH), each once
  // Adj-RIB-Out, indexed by EntryId (chunked: see chunked_array.hpp). out.size() ==
  // except.size(); both cover every id below it once ensure()d.
  ChunkedArray<AttrRef> out;
  SparseChunkedArray<PeerId> except;  // member that is the route's source (does not receive it)
  std::size_t out_count = 0;
  // Pending changes, coalesced until take_outbound(). pending_bit is authoritative; the
  // `pending` list keeps their order while short. Past kPendingListMax ids (the group's
  // outbound held back while its members' write queues are full, see take_outbound) the list
  // is dropped and the next batch scans pending_bit instead: 1 bit per route, not 4 bytes.
  static constexpr std::size_t kPendingListMax = 65536;
  std::vector<EntryId> pending;
  bool pending_overflow = false;
  std::vector<bool> pending_bit;
  std::vector<std::pair<PeerId, EntryId>> peer_withdraw;
  std::vector<std::pair<PeerId, EntryId>> peer_announce;
  // Initial table walk.
  bool walking = true;
  EntryId walk_cursor = 0;
  // Export limit.
  bool limit_reported = false;
  // Routes not stored because the only member is their source; a joiner triggers a re-walk.
  mutable bool suppressed_single = false;
  std::vector<EntryId> blocked;
  std::vector<bool> blocked_bit;
  // MRAI.
  std::optional<base::SteadyTime> last_sent;
  // Export transform memo: post-filter attribute set (+ source slot, flags) -> exported set.
  struct MemoKey {
    const AttrSet* attrs;
    std::uint32_t src;
    std::uint32_t flags;
    bool operator==(const MemoKey&) const = default;
  };
  struct MemoHash {
    std::size_t operator()(const MemoKey& k) const noexcept {
      return hash_mix(hash_mix(reinterpret_cast<std::uintptr_t>(k.attrs), k.src), k.flags);
    }
  };
  mutable std::unordered_map<MemoKey, std::pair<AttrRef, AttrRef>, MemoHash> memo;

  void ensure(EntryId e) {
    if (out.size() <= e) {
      out.ensure(std::size_t{e} + 1);  // whole chunks, never reallocated
      except.ensure(out.size());
      pending_bit.resize(out.size(), false);
      blocked_bit.resize(out.size(), false);
    }
  }
  void mark_pending(EntryId e) {
    ensure(e);
    if (pending_bit[e]) return;
    pending_bit[e] = true;
    if (pending_overflow) return;
    if (pending.size() < kPendingListMax) {
      pending.push_back(e);
      return;
    }
    pending_overflow = true;
    std::vector<EntryId>().swap(pending);
  }
  bool has_pending() const { return pending_overflow || !pending.empty(); }
  AttrRef current(EntryId e) const { return e < out.size() ? out[e] : AttrRef{}; }
};

struct Rib::ExportResult {
  AttrRef attrs;      // null: not exported
  PeerId except = 0;  // group member that is the source
  std::string reason; // filled when asked
};

}  // namespace nvabgpd::rib
