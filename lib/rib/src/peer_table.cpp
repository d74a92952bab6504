// The RIB's peers by PeerId and by slot (see peer_table.hpp).
#include "peer_table.hpp"

namespace nvabgpd::rib {

PeerTable::PeerTable() {
  slots_.push_back(std::make_unique<AdjRibIn>(0, true));
  slot_of_[kLocalPeer] = 0;
}

AdjRibIn* PeerTable::find(PeerId id) {
  auto it = slot_of_.find(id);
  return it == slot_of_.end() ? nullptr : slots_[it->second].get();
}

const AdjRibIn* PeerTable::find(PeerId id) const {
  auto it = slot_of_.find(id);
  return it == slot_of_.end() ? nullptr : slots_[it->second].get();
}

AdjRibIn& PeerTable::get_or_add(PeerId id) {
  if (AdjRibIn* p = find(id)) return *p;
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot] = std::make_unique<AdjRibIn>(slot, false);
  slot_of_[id] = slot;
  return *slots_[slot];
}

void PeerTable::release(PeerId id) {
  auto it = slot_of_.find(id);
  if (it == slot_of_.end() || it->second == 0) return;
  slots_[it->second].reset();
  free_.push_back(it->second);
  slot_of_.erase(it);
}

}  // namespace nvabgpd::rib
