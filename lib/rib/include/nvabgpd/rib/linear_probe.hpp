#pragma once
// Removal from an open-addressing index with linear probing (the prefix table's and the intern
// pools'): slot values 0 = empty, `erased` = tombstone (probes go on past it), anything else
// = a live element.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nvabgpd::rib {

// Removes the element in slot i. Where no probe goes on past it (the next slot is empty) the
// slot, and the tombstones just before it, become empty; otherwise it becomes a tombstone.
// `tombstones` counts them.
inline void vacate_slot(std::vector<std::uint32_t>& slots, std::size_t mask, std::size_t i,
                        std::uint32_t erased, std::size_t& tombstones) {
  if (slots[(i + 1) & mask] != 0) {
    slots[i] = erased;
    ++tombstones;
    return;
  }
  slots[i] = 0;
  for (std::size_t j = (i + mask) & mask; slots[j] == erased; j = (j + mask) & mask) {
    slots[j] = 0;
    --tombstones;
  }
}

}  // namespace nvabgpd::rib
