// Update group: membership, pending changes, walk, export limit (see update_group.hpp).
#include "update_group.hpp"

#include <algorithm>

namespace nvabgpd::rib {

namespace {

bool contains(const std::vector<PeerId>& v, PeerId p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

void add_once(std::vector<PeerId>& v, PeerId p) {
  if (!contains(v, p)) v.push_back(p);
}

}  // namespace

GroupKey GroupKey::of(const PeerUp& p) {
  GroupKey k;
  k.ebgp = p.ebgp();
  k.local_asn = p.local_asn;
  k.families = p.families;
  std::sort(k.families.begin(), k.families.end());
  k.rr_client = p.rr_client;
  k.route_server_client = p.route_server_client;
  k.next_hop_self = p.next_hop_self;
  k.next_hop_unchanged = p.next_hop_unchanged;
  k.export_filter = (p.export_filter ? *p.export_filter : *accept_all()).fingerprint();
  k.export_limit = p.export_limit.max;
  k.export_action = p.export_limit.action;
  k.mrai_ms = p.mrai.count();
  return k;
}

bool GroupKey::has_family(wire::AfiSafi af) const {
  return std::find(families.begin(), families.end(), af) != families.end();
}

UpdateGroup::UpdateGroup(std::uint32_t id, GroupKey key, FilterPtr export_filter, PeerId first)
    : id_(id), key_(std::move(key)), export_filter_(std::move(export_filter)) {
  members_.push_back(first);
  eor_waiting_.push_back(first);
}

void UpdateGroup::join(PeerId peer, std::uint32_t slot, const PrefixTable& table) {
  joining_.push_back(peer);
  for (EntryId id = 0; id < out_.size(); ++id) {
    if (!out_.at(id)) continue;
    const Path* best = table.at(id).best();
    if (best && best->peer == slot) out_.set_source(id, peer);
  }
  if (suppressed_single_) {
    suppressed_single_ = false;
    walking_ = true;
    walk_cursor_ = 0;
  }
}

UpdateGroup::Member UpdateGroup::leave(PeerId peer) {
  for (auto* v : {&members_, &joining_, &eor_waiting_, &eor_only_, &refresh_}) std::erase(*v, peer);
  const auto mine = [peer](const std::pair<PeerId, EntryId>& x) { return x.first == peer; };
  std::erase_if(peer_withdraw_, mine);
  std::erase_if(peer_announce_, mine);
  Member m;
  if (auto it = member_.find(peer); it != member_.end()) {
    m = std::move(it->second);
    member_.erase(it);
  }
  return m;
}

bool UpdateGroup::is_joining(PeerId peer) const { return contains(joining_, peer); }
bool UpdateGroup::owes_eor(PeerId peer) const { return contains(eor_waiting_, peer); }
bool UpdateGroup::has_member(PeerId peer) const {
  return contains(members_, peer) || contains(joining_, peer);
}

PeerId UpdateGroup::first_member() const {
  return members_.empty() ? (joining_.empty() ? 0 : joining_.front()) : members_.front();
}

std::vector<std::pair<EntryId, AttrRef>> UpdateGroup::held_by(PeerId peer) const {
  // Changes queued for this peer alone (it became or stopped being a route's source) are not
  // in pending_bit_: their state at the peer is unknown too.
  std::vector<bool> own_pending(out_.size(), false);
  for (const auto* v : {&peer_withdraw_, &peer_announce_})
    for (const auto& [p, id] : *v)
      if (p == peer) own_pending[id] = true;
  std::vector<std::pair<EntryId, AttrRef>> held;
  for (EntryId id = 0; id < out_.size(); ++id) {
    const bool pending = pending_bit_[id] || own_pending[id];
    if (!pending && (!out_.at(id) || out_.source(id) == peer)) continue;
    held.emplace_back(id, pending ? AttrRef{} : out_.at(id));
  }
  return held;
}

void UpdateGroup::seed(PeerId peer, const std::vector<std::pair<EntryId, AttrRef>>& held,
                       bool eor_owed) {
  if (!eor_owed) std::erase(eor_waiting_, peer);
  for (const auto& [id, attrs] : held) {
    ensure(id);
    if (attrs)
      out_.set(id, attrs, out_.source(id));
    else
      mark_pending(id);
  }
}

void UpdateGroup::reexport_into(PeerId peer, std::vector<std::pair<EntryId, AttrRef>> held,
                                bool eor_owed) {
  Member& m = member_[peer];
  m.reexport_held = std::move(held);
  m.reexporting = true;
  m.reexport_eor_owed = eor_owed;
}

void UpdateGroup::answer_with_eor_only(PeerId peer) { add_once(eor_only_, peer); }

void UpdateGroup::request_refresh(PeerId peer, wire::AfiSafi af) {
  auto& fams = member_[peer].refresh_families;
  if (std::find(fams.begin(), fams.end(), af) == fams.end()) fams.push_back(af);
  add_once(refresh_, peer);
}

void UpdateGroup::eor_after_walk(PeerId peer) { add_once(eor_waiting_, peer); }

void UpdateGroup::mark_pending(EntryId e) {
  ensure(e);
  if (pending_bit_[e]) return;
  pending_bit_[e] = true;
  if (pending_overflow_) return;
  if (pending_.size() < kPendingListMax) {
    pending_.push_back(e);
    return;
  }
  pending_overflow_ = true;
  std::vector<EntryId>().swap(pending_);
}

UpdateGroup::Stored UpdateGroup::store(EntryId id, AttrRef attrs, PeerId source) {
  if (!attrs && id >= out_.size()) return Stored::Unchanged;  // nothing held, nothing to hold
  ensure(id);
  const AttrRef& cur = out_.at(id);
  const PeerId old_source = out_.source(id);
  if (attrs == cur && source == old_source) return Stored::Unchanged;
  if (!attrs) {
    const bool had = static_cast<bool>(cur);
    if (!had) return Stored::Unchanged;
    // The source member stays recorded: it never held the route, the batch does not withdraw
    // it from it (see UpdateBuilder::group_batch).
    out_.set(id, {}, old_source);
    mark_pending(id);
    return Stored::Withdrawn;
  }
  if (!cur) {
    if (key_.export_limit && out_.count() >= key_.export_limit) return Stored::OverLimit;
    // A withdrawal still pending means the members may hold the previous route: the source
    // member is excluded from this announcement, so it needs that withdrawal on its own.
    if (source && pending_bit_[id]) peer_withdraw_.emplace_back(source, id);
    mark_pending(id);
  } else {
    // The group's route changed, or only its source did. The new source member must lose
    // the copy it holds; when only the source changed, the old source member gets the route
    // and nobody else hears anything (never re-send an unchanged route).
    if (source && source != old_source) peer_withdraw_.emplace_back(source, id);
    if (attrs == cur) {
      if (old_source) peer_announce_.emplace_back(old_source, id);
    } else {
      mark_pending(id);
    }
  }
  out_.set(id, std::move(attrs), source);
  return Stored::Changed;
}

void UpdateGroup::release_if_empty() {
  if (out_.count() != 0 || has_pending() || !blocked_.empty() || !peer_withdraw_.empty() ||
      !peer_announce_.empty() || out_.size() == 0)
    return;
  out_ = AdjRibOut{};
  std::vector<bool>().swap(pending_bit_);
  std::vector<bool>().swap(blocked_bit_);
  std::vector<EntryId>().swap(pending_);
}

std::size_t UpdateGroup::storage_bytes() const {
  return out_.bytes() + (pending_bit_.capacity() + blocked_bit_.capacity()) / 8 +
         pending_.capacity() * sizeof(EntryId);
}

bool UpdateGroup::hold_back(EntryId id) {
  if (blocked_bit_[id]) return false;  // already held back (and counted)
  blocked_bit_[id] = true;
  blocked_.push_back(id);
  return true;
}

bool UpdateGroup::report_limit() { return !std::exchange(limit_reported_, true); }

std::vector<EntryId> UpdateGroup::release_blocked() {
  if (!key_.export_limit || out_.count() >= key_.export_limit || blocked_.empty()) return {};
  for (EntryId b : blocked_) blocked_bit_[b] = false;
  return std::exchange(blocked_, {});
}

bool UpdateGroup::clear_limit_report() { return std::exchange(limit_reported_, false); }

std::optional<EntryId> UpdateGroup::walk_next(EntryId limit) {
  if (!walking_) return std::nullopt;
  if (walk_cursor_ >= limit) {
    walking_ = false;
    for (PeerId p : eor_waiting_) eor_only_.push_back(p);
    eor_waiting_.clear();
    return std::nullopt;
  }
  return walk_cursor_++;
}

const AttrRef* UpdateGroup::memo_find(const MemoKey& k) const {
  auto it = memo_.find(k);
  return it == memo_.end() ? nullptr : &it->second.second;
}

void UpdateGroup::memo_put(const MemoKey& k, AttrRef in, AttrRef out) const {
  if (memo_.size() > (1U << 18)) memo_.clear();  // also cleared after every batch
  memo_.emplace(k, std::make_pair(std::move(in), std::move(out)));
}

}  // namespace nvabgpd::rib
