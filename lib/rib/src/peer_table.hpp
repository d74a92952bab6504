#pragma once
// The RIB's peers: one AdjRibIn per PeerId, in slots (the slot is the tag on the peer's
// Loc-RIB paths; slot 0 holds the locally originated routes). A released slot is reused by
// the next new peer, so a configuration that adds and removes peers over time does not grow.
// Private to lib/rib.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "adj_rib_in.hpp"

namespace nvabgpd::rib {

class PeerTable {
 public:
  PeerTable();  // with slot 0, the local routes

  AdjRibIn* find(PeerId id);
  const AdjRibIn* find(PeerId id) const;
  // The peer's AdjRibIn, created in a free slot if it has none.
  AdjRibIn& get_or_add(PeerId id);
  // Frees the peer's slot for reuse. The caller has removed every Loc-RIB path tagged with
  // it and taken the peer out of its update group. The local slot is never released.
  void release(PeerId id);

  // By slot (a Path's peer tag): always a live peer for a slot that tags a path.
  AdjRibIn* operator[](std::uint32_t slot) { return slots_[slot].get(); }
  const AdjRibIn* operator[](std::uint32_t slot) const { return slots_[slot].get(); }
  AdjRibIn& local() { return *slots_[0]; }
  std::size_t size() const { return slot_of_.size(); }  // peers, the local slot included

  template <typename F>
  void for_each(F&& f) const {
    for (const auto& p : slots_)
      if (p) f(static_cast<const AdjRibIn&>(*p));
  }
  template <typename F>
  void for_each(F&& f) {
    for (auto& p : slots_)
      if (p) f(*p);
  }

 private:
  std::vector<std::unique_ptr<AdjRibIn>> slots_;  // null: released, reused first
  std::unordered_map<PeerId, std::uint32_t> slot_of_;
};

}  // namespace nvabgpd::rib
