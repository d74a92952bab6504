// The RIB's peers by PeerId and by slot (see peer_table.hpp).
#include "peer_table.hpp"

#include <algorithm>

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
  // The first released slot, else a new one (peers are added rarely: a scan is enough).
  auto gap = std::find(slots_.begin(), slots_.end(), nullptr);
  if (gap == slots_.end()) gap = slots_.insert(gap, nullptr);
  const auto slot = static_cast<std::uint32_t>(gap - slots_.begin());
  *gap = std::make_unique<AdjRibIn>(slot, false);
  slot_of_[id] = slot;
  return *slots_[slot];
}

void PeerTable::release(PeerId id) {
  auto it = slot_of_.find(id);
  if (it == slot_of_.end() || it->second == 0) return;
  slots_[it->second].reset();
  slot_of_.erase(it);
}

}  // namespace nvabgpd::rib
