// Rib::remove_peer: the end of a peer's life in the RIB.
#include <algorithm>

#include "rib_state.hpp"

namespace nvabgpd::rib {

void Rib::remove_peer(PeerId id) {
  auto it = slot_of_.find(id);
  if (id == kLocalPeer || it == slot_of_.end()) return;
  const std::uint32_t slot = it->second;
  Peer& p = *peers_[slot];
  if (Group* g = p.group) {
    // Changes queued for this peer alone.
    auto mine = [id](const std::pair<PeerId, EntryId>& x) { return x.first == id; };
    std::erase_if(g->peer_withdraw, mine);
    std::erase_if(g->peer_announce, mine);
  }
  leave_group(p);
  // Routes are only added while the peer is up; a peer_down() without graceful restart took
  // them all, one with it left them stale. So one table walk at most per removed peer.
  if (p.up || p.has_stale) remove_all_paths(p, false);  // stale ones too
  p.up = false;
  // Export memos are keyed by the source's slot, which a later peer may take.
  for (auto& g : groups_) g->memo.clear();
  slot_of_.erase(it);
  peers_[slot].reset();  // pre-policy copy, counters, re-export state
  if (slot + 1 == peers_.size()) {
    peers_.pop_back();
    // Trailing free slots go too; the others wait in free_slots_ for the next peer.
    while (peers_.size() > 1 && !peers_.back()) peers_.pop_back();
    std::erase_if(free_slots_, [this](std::uint32_t s) { return s >= peers_.size(); });
  } else {
    free_slots_.push_back(slot);
  }
}

}  // namespace nvabgpd::rib
