// Rib decision run: Loc-RIB candidate paths (set/drop, kept in step with the NextHopTable),
// the dirty-prefix queue and the budgeted run() that decides them.
#include <algorithm>
#include <array>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

// ---------------------------------------------------------------------------------------
// Decision

void Rib::mark_dirty(EntryId id) {
  Entry& e = table_.at(id);
  if (e.flags & entry_flag::kDirty) return;
  e.flags |= entry_flag::kDirty;
  dirty_.push_back(id);
}

bool Rib::busy() const {
  if (dirty_head_ < dirty_.size() || next_hops_.marking()) return true;
  return std::any_of(groups_.begin(), groups_.end(), [](const auto& g) { return g->walking(); });
}

Path& Rib::set_path(EntryId id, std::uint32_t slot, AttrRef attrs) {
  Entry& e = table_.at(id);
  const Path* old = e.find(slot);
  const NextHop* before = old ? old->attrs->next_hop() : nullptr;
  Path& path = e.upsert(slot, std::move(attrs));
  // Local routes need no resolution (see candidate()): they are not in next_hops_.
  if (!peers_[slot]->local && path.attrs->next_hop() != before) {
    if (path.attrs->next_hop()) next_hops_.add(path.attrs->next_hop_ref(), id);
    if (before) next_hops_.remove(before, id);  // `before` is kept alive by next_hops_ until here
  }
  return path;
}

bool Rib::drop_path(EntryId id, std::uint32_t slot) {
  Entry& e = table_.at(id);
  const Path* old = e.find(slot);
  if (!old) return false;
  Ref<NextHop> nh = peers_[slot]->local ? Ref<NextHop>{} : old->attrs->next_hop_ref();
  e.remove(slot);
  if (nh) next_hops_.remove(nh.get(), id);
  return true;
}

Candidate Rib::candidate(const Path& path) const {
  const Peer& src = *peers_[path.peer];
  Candidate c;
  c.attrs = path.attrs.get();
  c.local = src.local;
  c.ebgp = !src.local && src.cfg.ebgp();
  c.neighbour_as = c.attrs->as_path().neighbour_as().value_or(cfg_.local_asn);
  c.router_id = src.cfg.remote_router_id;
  c.peer_address = src.cfg.address;
  c.eligible = (path.flags & path_flag::kIneligibleMask) == 0;
  if (c.eligible && !src.local) {
    // A learned route needs a resolvable next hop to be usable (RFC 4271 9.1.2).
    const NextHopState nh = next_hops_.state(c.attrs->next_hop());
    c.eligible = nh.reachable;
    c.igp_cost = nh.igp_cost;
  }
  return c;
}

void Rib::decide(EntryId id) {
  Entry& e = table_.at(id);
  e.flags &= static_cast<std::uint16_t>(~entry_flag::kDirty);
  scratch_.clear();
  for (Path& p : e) {
    p.flags &= static_cast<std::uint16_t>(~(path_flag::kBest | path_flag::kEcmp));
    scratch_.push_back(candidate(p));
  }
  const std::uint32_t best = select_best(scratch_, cfg_.decision);
  if (best != Selection::kNone) {
    e[best].flags |= path_flag::kBest | path_flag::kEcmp;
    if (cfg_.decision.max_paths > 1) {
      unsigned n = 1;
      for (std::uint32_t i = 0; i < e.size() && n < cfg_.decision.max_paths; ++i) {
        if (i != best && ecmp_equal(scratch_[best], scratch_[i], cfg_.decision)) {
          e[i].flags |= path_flag::kEcmp;
          ++n;
        }
      }
    }
  }
  if (cfg_.fib) update_fib(id, e);
  for (auto& g : groups_) export_entry(*g, id);
  if (e.size() == 0) maybe_free_.push_back(id);
}

std::size_t Rib::run(std::size_t budget) {
  // Prefixes whose next hop changed, first: marking one is far cheaper than deciding one.
  std::size_t used = 0;
  if (next_hops_.marking()) {
    std::vector<EntryId> marked;
    used = next_hops_.drain(budget, marked);
    for (EntryId id : marked) mark_dirty(id);
  }
  while (used < budget && dirty_head_ < dirty_.size()) {
    // Dirty entries are spread over the table (withdrawals come in the peer's order): hint
    // the entry and each group's Adj-RIB-Out slot of a later one.
    constexpr std::size_t kAhead = 8, kRouteAhead = 4;
    if (dirty_head_ + kAhead < dirty_.size()) {
      const EntryId ahead = dirty_[dirty_head_ + kAhead];
      if (ahead < table_.id_limit()) {  // live() would read the entry: the miss to avoid
        table_.prefetch(ahead);
        for (auto& g : groups_) g->prefetch(ahead);
      }
    }
    if (dirty_head_ + kRouteAhead < dirty_.size())
      for (auto& g : groups_) g->prefetch_route(dirty_[dirty_head_ + kRouteAhead]);
    const EntryId id = dirty_[dirty_head_++];
    if (table_.live(id) && (table_.at(id).flags & entry_flag::kDirty)) decide(id);
    ++used;
  }
  if (dirty_head_ == dirty_.size()) {
    dirty_.clear();
    if (dirty_.capacity() > 65536) dirty_.shrink_to_fit();
    dirty_head_ = 0;
  }
  // Initial (or re-)export walks of update groups, after the dirty prefixes.
  for (auto& g : groups_) {
    while (used < budget) {
      const std::optional<EntryId> id = g->walk_next(table_.id_limit());
      if (!id) break;
      if (table_.live(*id) && !(table_.at(*id).flags & entry_flag::kDirty)) export_entry(*g, *id);
      ++used;
    }
  }
  return used;
}

}  // namespace nvabgpd::rib
