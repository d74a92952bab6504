// The Rib's export side: peers join and leave update groups, reexport() moves a peer between
// groups with what it holds, ROUTE-REFRESH requests, and each decided entry is run through
// the ExportPolicy into every group (export limit events included). The nouns are in
// update_group, adj_rib_out, export_policy and update_builder.
#include <algorithm>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

void Rib::join_group(Peer& p) {
  const GroupKey key = GroupKey::of(p.cfg);
  for (auto& g : groups_) {
    if (g->key() == key) {
      g->join(p.cfg.id, p.slot, table_);
      p.group = g.get();
      return;
    }
  }
  groups_.push_back(
      std::make_unique<UpdateGroup>(next_group_id_++, key, p.cfg.export_filter, p.cfg.id));
  p.group = groups_.back().get();
}

UpdateGroup::Member Rib::leave_group(Peer& p) {
  UpdateGroup* g = std::exchange(p.group, nullptr);
  if (!g) return {};
  UpdateGroup::Member m = g->leave(p.cfg.id);
  if (g->empty()) std::erase_if(groups_, [g](const auto& x) { return x.get() == g; });
  return m;
}

void Rib::reexport(const PeerUp& cfg) {
  Peer* p = peer_by_id(cfg.id);
  if (!p || p->local) return;
  if (!p->up || !p->group) return;  // peer_up() brings the new settings
  if (GroupKey::of(cfg) == p->group->key()) {
    p->cfg = cfg;
    p->group->adopt_filter(cfg.export_filter);
    return;
  }
  UpdateGroup& old = *p->group;
  const PeerId me = cfg.id;
  // What the peer holds now. Still joining: it has not had the old group's dump, so it holds
  // what it held before that (nothing after a fresh peer_up).
  std::vector<std::pair<EntryId, AttrRef>> held;
  bool eor_owed;
  if (old.is_joining(me)) {
    UpdateGroup::Member& m = old.member(me);
    if (m.reexporting) held = std::move(m.reexport_held);
    eor_owed = !m.reexporting || m.reexport_eor_owed;
  } else {
    held = old.held_by(me);
    eor_owed = old.owes_eor(me);
  }
  // A pending refresh's families and an owed EoRR go with the peer.
  UpdateGroup::Member was = leave_group(*p);
  p->cfg = cfg;
  join_group(*p);
  UpdateGroup& g = *p->group;
  UpdateGroup::Member& now = g.member(me);
  now.refresh_families = std::move(was.refresh_families);
  now.eorr_owed = std::move(was.eorr_owed);
  if (g.is_joining(me)) {
    // An existing group: take_outbound() sends the difference instead of a full dump.
    g.reexport_into(me, std::move(held), eor_owed);
    return;
  }
  // A group of its own, walking its table from scratch: start its Adj-RIB-Out from what the
  // peer holds, so the walk sends only what differs. Unknown states are re-sent.
  g.seed(me, held, eor_owed);
}

void Rib::refresh_request(const RefreshRequest& r) {
  Peer* p = peer_by_id(r.peer);
  if (!p || !p->up || !p->group) return;
  UpdateGroup& g = *p->group;
  if (g.is_joining(r.peer)) return;  // dump pending anyway
  ++p->counters.refresh_requests;
  // RFC 2918 3: a request for a family not negotiated is ignored.
  if (!g.key().has_family(r.af)) return;
  if (!p->cfg.resend_on_refresh) {
    // Route-server friendly: the peer already holds exactly our Adj-RIB-Out; re-sending
    // unchanged routes would count against its limit (Azure Route Server).
    g.answer_with_eor_only(r.peer);
    return;
  }
  // Merged: one pending re-send per peer, for the union of the families asked for (a request
  // repeated before the re-send is made asks for nothing new). Stays a member (it must still
  // get the pending changes, withdrawals included); the re-send follows them.
  g.request_refresh(r.peer, r.af);
}

const char* Rib::community_block(const AttrSet& a, bool ebgp) {
  return ExportPolicy::community_block(a, ebgp);
}

void Rib::export_entry(UpdateGroup& g, EntryId id) {
  ExportResult r = export_policy_->route(g, id, false);
  switch (g.store(id, std::move(r.attrs), r.except)) {
    case UpdateGroup::Stored::Withdrawn:
      unblock(g);
      break;
    case UpdateGroup::Stored::OverLimit:
      hold_back(g, id);
      break;
    default:
      break;
  }
}

void Rib::hold_back(UpdateGroup& g, EntryId id) {
  // Export limit: never lose the session; hold the new route back and say so loudly.
  if (!g.hold_back(id)) return;
  for (PeerId m : g.members())
    if (Peer* mp = peer_by_id(m)) ++mp->counters.export_blocked;
  if (!g.report_limit()) return;
  for (PeerId m : g.members()) {
    const Peer* mp = peer_by_id(m);
    events_.push_back({RibEvent::Kind::ExportLimitReached,
                       m,
                       wire::kIpv4Unicast,
                       g.out().count(),
                       {},
                       fmt::format("export limit {} reached toward {}: new routes are held back",
                                   g.key().export_limit, mp ? mp->cfg.name : "?")});
  }
}

void Rib::unblock(UpdateGroup& g) {
  // A slot freed below the export limit: retry what was held back.
  const std::vector<EntryId> retry = g.release_blocked();
  if (retry.empty()) return;
  for (EntryId b : retry)
    if (table_.live(b)) mark_dirty(b);
  if (!g.clear_limit_report()) return;
  for (PeerId m : g.members())
    events_.push_back({RibEvent::Kind::ExportLimitCleared,
                       m,
                       wire::kIpv4Unicast,
                       g.out().count(),
                       {},
                       "export below limit again"});
}

void Rib::free_empty_entries() {
  std::vector<EntryId> keep;
  // Spread over the table: hint the entries 16 ahead, their index slots and the groups'
  // Adj-RIB-Out slots 8 ahead.
  constexpr std::size_t kEntryAhead = 16, kSlotAhead = 8;
  const std::size_t n = maybe_free_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kEntryAhead < n && maybe_free_[i + kEntryAhead] < table_.id_limit())
      table_.prefetch(maybe_free_[i + kEntryAhead]);
    if (i + kSlotAhead < n && maybe_free_[i + kSlotAhead] < table_.id_limit()) {
      table_.prefetch_slot_of(maybe_free_[i + kSlotAhead]);
      for (const auto& g : groups_) g->prefetch(maybe_free_[i + kSlotAhead]);
    }
    const EntryId id = maybe_free_[i];
    if (!table_.live(id)) continue;
    const Entry& e = table_.at(id);
    if (e.size() != 0 || e.fib_set != 0 || (e.flags & entry_flag::kDirty)) continue;
    if (std::any_of(groups_.begin(), groups_.end(), [id](const auto& g) { return g->holds(id); })) {
      keep.push_back(id);
      continue;
    }
    table_.erase(id);
  }
  maybe_free_.swap(keep);
  if (n != 0 && table_.size() == 0) {
    // Nothing left to export: the export caches and memos (and the attribute sets they hold,
    // which would keep the pools' slabs) go too.
    export_policy_->forget();
    for (auto& g : groups_) g->memo_release();
  }
}

// ---------------------------------------------------------------------------------------
// Queries

std::size_t Rib::group_count() const { return groups_.size(); }

std::size_t Rib::export_bytes() const {
  std::size_t n = 0;
  for (const auto& g : groups_) n += g->storage_bytes();
  return n;
}

std::optional<std::uint32_t> Rib::group_of(PeerId peer) const {
  const Peer* p = peer_by_id(peer);
  if (!p || !p->group) return std::nullopt;
  return p->group->id();
}

AttrRef Rib::adj_rib_out(PeerId peer, const base::Prefix& p) const {
  const Peer* pp = peer_by_id(peer);
  if (!pp || !pp->group) return {};
  const EntryId id = table_.find(p);
  if (id == kNoEntry) return {};
  return pp->group->out().held_by(peer, id);
}

std::size_t Rib::adj_rib_out_size(PeerId peer) const {
  const Peer* pp = peer_by_id(peer);
  if (!pp || !pp->group) return 0;
  return pp->group->out().count_for(peer);
}

}  // namespace nvabgpd::rib
