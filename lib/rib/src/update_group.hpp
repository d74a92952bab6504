#pragma once
// Update group: peers with identical export settings (GroupKey) share one export run and one
// Adj-RIB-Out. The group keeps who receives what (members, joiners owed a dump, peers owed
// End-of-RIB or a ROUTE-REFRESH re-send), the changes pending since the last batch, the
// cursor of its initial table walk, the export limit's held-back routes, MRAI, and a memo of
// the export transform. It decides nothing about routes: the ExportPolicy says what the group
// exports, store() records it, UpdateBuilder turns the pending changes into batches.
// Private to lib/rib.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adj_rib_out.hpp"
#include "nvabgpd/rib/prefix_table.hpp"
#include "nvabgpd/rib/rib.hpp"

namespace nvabgpd::rib {

// The export settings that put peers in one group.
struct GroupKey {
  bool ebgp = false;
  std::uint32_t local_asn = 0;
  std::uint32_t remote_asn = 0;  // eBGP only (0 for iBGP groups)
  std::vector<wire::AfiSafi> families;
  bool rr_client = false;
  bool route_server_client = false;
  bool next_hop_self = false;
  bool next_hop_unchanged = false;
  std::uint64_t export_filter = 0;  // RouteFilter::fingerprint()
  std::uint32_t export_limit = 0;
  LimitAction export_action = LimitAction::Warn;
  std::int64_t mrai_ms = 0;
  bool operator==(const GroupKey&) const = default;
  static GroupKey of(const PeerUp& p);
  bool has_family(wire::AfiSafi af) const;
};

// Export state of one member, held while it is in the group.
struct UpdateGroupMember {
  // After a reexport() into this (existing) group: what the peer held from its previous
  // group, sorted by EntryId, until the next batch sends it the difference. A null AttrRef
  // marks a route whose change was still pending there (the current one is sent).
  std::vector<std::pair<EntryId, AttrRef>> reexport_held;
  bool reexporting = false;
  bool reexport_eor_owed = false;  // it had not had End-of-RIB yet
  // Families of the pending ROUTE-REFRESH re-send (the peer is in the refresh list).
  std::vector<wire::AfiSafi> refresh_families;
  // EoRR owed after a re-send made while the table walk was still running (sent with the
  // End-of-RIB that waits for the walk).
  std::vector<wire::AfiSafi> eorr_owed;
};

class UpdateGroup {
 public:
  using Member = UpdateGroupMember;
  // What store() did.
  enum class Stored { Unchanged, Changed, Withdrawn, OverLimit };
  // Export transform memo key: post-filter attribute set, source slot (reflected routes),
  // flags.
  struct MemoKey {
    const AttrSet* attrs;
    std::uint32_t src;
    std::uint32_t flags;
    bool operator==(const MemoKey&) const = default;
  };

  // A new group with its first member, which gets End-of-RIB when the walk completes.
  UpdateGroup(std::uint32_t id, GroupKey key, FilterPtr export_filter, PeerId first);
  UpdateGroup(const UpdateGroup&) = delete;
  UpdateGroup& operator=(const UpdateGroup&) = delete;

  std::uint32_t id() const { return id_; }
  const GroupKey& key() const { return key_; }
  const RouteFilter* export_filter() const { return export_filter_.get(); }
  // A reload gave the group's peers a new filter object that does the same (equal
  // fingerprint): use it, so the old one (and its program) can go.
  void adopt_filter(FilterPtr f) { export_filter_ = std::move(f); }
  const AdjRibOut& out() const { return out_; }

  // --- membership ---
  // `peer` (tagging its paths with `slot`) joins: it gets a dump at the next batch. Routes
  // whose best path it is the source of (stale ones after a graceful restart) are not sent
  // back to it.
  void join(PeerId peer, std::uint32_t slot, const PrefixTable& table);
  // Takes `peer` out of every list; returns its export state. The group is empty() after the
  // last member leaves.
  Member leave(PeerId peer);
  bool empty() const { return members_.empty() && joining_.empty(); }
  const std::vector<PeerId>& members() const { return members_; }
  const std::vector<PeerId>& joining() const { return joining_; }
  const std::vector<PeerId>& eor_only() const { return eor_only_; }
  bool is_joining(PeerId peer) const;
  bool owes_eor(PeerId peer) const;    // End-of-RIB waits for the walk
  bool has_member(PeerId peer) const;  // member or joiner
  std::size_t member_count() const { return members_.size() + joining_.size(); }
  // The member an export filter runs for (FilterContext::peer_id), 0 if none.
  PeerId first_member() const;
  Member& member(PeerId peer) { return member_[peer]; }

  // --- reexport: moving a member with what it holds ---
  // What `peer` (a member, not joining) holds: its routes sorted by id, null for a route
  // whose change is pending (its state at the peer is unknown).
  std::vector<std::pair<EntryId, AttrRef>> held_by(PeerId peer) const;
  // Into this new group of its own: start the Adj-RIB-Out from what it holds, so the walk
  // sends only the difference; End-of-RIB only if still owed.
  void seed(PeerId peer, const std::vector<std::pair<EntryId, AttrRef>>& held, bool eor_owed);
  // Into this existing group (`peer` joining): the next batch sends the difference.
  void reexport_into(PeerId peer, std::vector<std::pair<EntryId, AttrRef>> held, bool eor_owed);

  // --- route refresh ---
  void answer_with_eor_only(PeerId peer);
  // A re-send owed to `peer` for `af` (merged with one already pending).
  void request_refresh(PeerId peer, wire::AfiSafi af);
  std::vector<PeerId> take_refresh() { return std::exchange(refresh_, {}); }
  void defer_refresh(std::vector<PeerId> peers) { refresh_ = std::move(peers); }

  // --- export results ---
  // Records what the group exports for `id` (null: nothing; `source`: the member it came
  // from) and queues the change for the next batch.
  Stored store(EntryId id, AttrRef attrs, PeerId source);
  // Export limit: holds `id` back; false if it already was.
  bool hold_back(EntryId id);
  // True the first time the limit is reached (until clear_limit_report()).
  bool report_limit();
  // Below the limit again: the held-back ids to retry (empty if none or still at the limit).
  std::vector<EntryId> release_blocked();
  bool clear_limit_report();
  // The route or a change of it is held for `id` (the Loc-RIB entry must stay).
  bool holds(EntryId id) const { return id < out_.size() && (out_.at(id) || pending_bit_[id]); }
  // Cache hint: store() for `id` comes soon.
  void prefetch(EntryId id) const {
    if (id < out_.size()) __builtin_prefetch(&out_.at(id));
  }
  // Later: the attribute set held for it (its reference count changes).
  void prefetch_route(EntryId id) const {
    if (id < out_.size() && out_.at(id)) __builtin_prefetch(out_.at(id).get());
  }
  // Routes stored nothing because the only member is their source; a joiner re-walks.
  void note_suppressed_single() const { suppressed_single_ = true; }

  // --- pending changes, for the UpdateBuilder ---
  bool has_pending() const { return pending_overflow_ || !pending_.empty(); }
  bool has_changes() const {
    return has_pending() || !peer_withdraw_.empty() || !peer_announce_.empty();
  }
  // Calls f(id) for each pending id (in the order queued, or in id order after an
  // overflow) and clears the pending set; hint(id) a few ids ahead of f (a cache hint).
  template <typename F, typename H>
  void drain_pending(F&& f, H&& hint);
  // Changes for single members: the source member must withdraw (it held the route before
  // becoming its source), a former source member must be announced to.
  std::vector<std::pair<PeerId, EntryId>> take_peer_withdraw() {
    return std::exchange(peer_withdraw_, {});
  }
  std::vector<std::pair<PeerId, EntryId>> take_peer_announce() {
    return std::exchange(peer_announce_, {});
  }
  // After a batch: with no route held, nothing pending and nothing held back (everything was
  // withdrawn), frees the per-route arrays; they grow again with the next route.
  void release_if_empty();
  // Bytes of the per-route storage (Adj-RIB-Out, pending and held-back bits).
  std::size_t storage_bytes() const;
  // Joiners become members (after their dumps).
  void joined() {
    members_.insert(members_.end(), joining_.begin(), joining_.end());
    joining_.clear();
  }
  // End-of-RIB for `peer` when the walk completes.
  void eor_after_walk(PeerId peer);
  void eor_only_sent() { eor_only_.clear(); }

  // --- initial (or re-) table walk ---
  bool walking() const { return walking_; }
  // The next id of the walk below `limit`; at the end the walk stops and the peers waiting
  // for End-of-RIB get it with the next batch.
  std::optional<EntryId> walk_next(EntryId limit);

  // --- MRAI ---
  bool mrai_holds(base::SteadyTime now) const {
    return key_.mrai_ms > 0 && last_sent_ &&
           now < *last_sent_ + std::chrono::milliseconds(key_.mrai_ms);
  }
  void sent(base::SteadyTime now) { last_sent_ = now; }

  // --- export transform memo (cleared after every batch) ---
  const AttrRef* memo_find(const MemoKey& k) const;
  void memo_put(const MemoKey& k, AttrRef in, AttrRef out) const;
  void memo_clear() { memo_.clear(); }  // keeps the buckets for the next batch
  // Gives the bucket array back too (it can grow to 2^18 entries during a full-table run).
  void memo_release() { decltype(memo_)().swap(memo_); }

 private:
  static constexpr std::size_t kPendingListMax = 65536;
  struct MemoHash {
    std::size_t operator()(const MemoKey& k) const noexcept {
      return hash_mix(hash_mix(reinterpret_cast<std::uintptr_t>(k.attrs), k.src), k.flags);
    }
  };

  void ensure(EntryId e) {
    if (out_.size() <= e) {
      out_.ensure(e);
      pending_bit_.resize(out_.size(), false);
      blocked_bit_.resize(out_.size(), false);
    }
  }
  void mark_pending(EntryId e);

  std::uint32_t id_;
  GroupKey key_;
  FilterPtr export_filter_;
  std::vector<PeerId> members_;      // receive group batches
  std::vector<PeerId> joining_;      // get a dump of the Adj-RIB-Out next, then become members
  std::vector<PeerId> eor_waiting_;  // get End-of-RIB when the initial walk completes
  std::vector<PeerId> eor_only_;     // refresh answered without re-sending
  std::vector<PeerId> refresh_;      // members owed a re-send (ROUTE-REFRESH), each once
  std::unordered_map<PeerId, Member> member_;
  AdjRibOut out_;
  // Pending changes, coalesced until the next batch. pending_bit_ is authoritative; the
  // `pending_` list keeps their order while short. Past kPendingListMax ids (the group's
  // outbound held back while its members' write queues are full, see take_outbound) the list
  // is dropped and the next batch scans pending_bit_ instead: 1 bit per route, not 4 bytes.
  std::vector<EntryId> pending_;
  bool pending_overflow_ = false;
  std::vector<bool> pending_bit_;
  std::vector<std::pair<PeerId, EntryId>> peer_withdraw_;
  std::vector<std::pair<PeerId, EntryId>> peer_announce_;
  bool walking_ = true;
  EntryId walk_cursor_ = 0;
  bool limit_reported_ = false;
  mutable bool suppressed_single_ = false;
  std::vector<EntryId> blocked_;
  std::vector<bool> blocked_bit_;
  std::optional<base::SteadyTime> last_sent_;
  mutable std::unordered_map<MemoKey, std::pair<AttrRef, AttrRef>, MemoHash> memo_;
};

template <typename F, typename H>
void UpdateGroup::drain_pending(F&& f, H&& hint) {
  if (pending_overflow_) {  // the list was dropped: every marked id, in id order
    for (EntryId id = 0; id < out_.size(); ++id)
      if (pending_bit_[id]) {
        pending_bit_[id] = false;
        f(id);
      }
    pending_overflow_ = false;
  } else {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (i + kAhead < pending_.size()) hint(pending_[i + kAhead]);
      const EntryId id = pending_[i];
      pending_bit_[id] = false;
      f(id);
    }
  }
  pending_.clear();
  if (pending_.capacity() > kPendingListMax) pending_.shrink_to_fit();
}

}  // namespace nvabgpd::rib
