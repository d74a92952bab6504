// Rib::remove_peer: the end of a peer's life in the RIB.
#include "rib_state.hpp"

namespace nvabgpd::rib {

void Rib::remove_peer(PeerId id) {
  if (id == kLocalPeer) return;
  Peer* p = peers_.find(id);
  if (!p) return;
  leave_group(*p);  // with the changes queued for this peer alone
  // Routes are only added while the peer is up; a peer_down() without graceful restart took
  // them all, one with it left them stale. So one table walk at most per removed peer.
  if (p->up || p->has_stale()) remove_all_paths(*p, false);  // stale ones too
  p->up = false;
  // Export memos are keyed by the source's slot, which a later peer may take.
  for (auto& g : groups_) g->memo_clear();
  p->clear_pre_policy();
  peers_.release(id);  // counters, re-export state; the slot is reused by the next new peer
}

std::size_t Rib::peer_count() const { return peers_.size() - 1; }

}  // namespace nvabgpd::rib
