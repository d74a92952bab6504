// Rib FIB stream: best routes' forwarding next-hop sets, interned, and the batch for take_fib().
#include <algorithm>
#include <array>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

// ---------------------------------------------------------------------------------------
// FIB

std::uint32_t Rib::intern_fib_set(std::span<const base::IpAddress> nhs) {
  if (nhs.empty()) return 0;
  auto it = fib_set_ids_.find(nhs);
  std::uint32_t id;
  if (it != fib_set_ids_.end()) {
    id = it->second;
  } else {
    if (!free_fib_sets_.empty()) {
      id = free_fib_sets_.back();
      free_fib_sets_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(fib_sets_.size());
      fib_sets_.emplace_back();
    }
    fib_sets_[id].nhs.assign(nhs.begin(), nhs.end());
    fib_set_ids_.emplace(fib_sets_[id].nhs, id);
  }
  ++fib_sets_[id].refs;
  return id;
}

void Rib::release_fib_set(std::uint32_t id) {
  if (id == 0 || --fib_sets_[id].refs != 0) return;
  fib_set_ids_.erase(fib_sets_[id].nhs);
  fib_sets_[id].nhs.clear();
  free_fib_sets_.push_back(id);
  if (id < fib_batch_index_.size()) fib_batch_index_[id] = 0;  // the id may be reused
}

void Rib::update_fib(EntryId id, Entry& e) {
  // Collect the forwarding addresses of the multipath set without allocating; allocate only
  // when a change has to be reported.
  constexpr std::size_t kMax = 64;
  std::array<base::IpAddress, kMax> buf;
  std::size_t n = 0;
  const Path* best = e.best();
  if (best && !peers_[best->peer]->local) {
    for (const Path& p : e) {
      if (!(p.flags & path_flag::kEcmp) || n == kMax) continue;
      if (const NextHop* nh = p.attrs->next_hop()) buf[n++] = nh->address();  // the FIB resolves it
    }
    std::sort(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    n = static_cast<std::size_t>(
        std::unique(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)) - buf.begin());
  }
  const std::uint32_t old = e.fib_set;
  if (old == 0 && n == 0) return;
  if (old != 0 && n != 0 &&
      std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                 fib_sets_[old].nhs.begin(), fib_sets_[old].nhs.end()))
    return;
  const std::uint32_t fresh = intern_fib_set(std::span<const base::IpAddress>(buf.data(), n));
  release_fib_set(old);
  e.fib_set = fresh;
  std::uint32_t index = 0;
  if (fresh != 0) {
    if (fib_batch_index_.size() <= fresh) fib_batch_index_.resize(fresh + 1, 0);
    if (fib_batch_index_[fresh] == 0) {
      fib_batch_index_[fresh] = static_cast<std::uint32_t>(fib_out_.next_hop_sets.size());
      fib_out_.next_hop_sets.push_back(fib_sets_[fresh].nhs);
    }
    index = fib_batch_index_[fresh];
  }
  fib_out_.deltas.push_back({table_.prefix(id), index});
}

FibBatch Rib::take_fib() {
  std::fill(fib_batch_index_.begin(), fib_batch_index_.end(), 0);
  return std::exchange(fib_out_, FibBatch{});
}
}  // namespace nvabgpd::rib
