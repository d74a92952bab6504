// NextHopTable: resolution state and dependency index of the next hops Loc-RIB paths use.
#include "nvabgpd/rib/next_hop_table.hpp"

#include <algorithm>
#include <bit>

namespace nvabgpd::rib {

namespace {
constexpr std::size_t kCompactSlack = 32;  // ids a sparse list may carry beyond 2x its paths
constexpr std::size_t kDenseMin = 4096;    // smaller lists stay sparse

void set_bit(std::vector<std::uint64_t>& bits, EntryId id) {
  if (id / 64 >= bits.size()) bits.resize(id / 64 + 1, 0);
  bits[id / 64] |= std::uint64_t{1} << (id % 64);
}

std::size_t popcount_from(const std::vector<std::uint64_t>& bits, std::size_t from) {
  std::size_t n = 0;
  for (std::size_t w = from / 64; w < bits.size(); ++w) {
    std::uint64_t v = bits[w];
    if (w == from / 64) v &= ~std::uint64_t{0} << (from % 64);
    n += static_cast<std::size_t>(std::popcount(v));
  }
  return n;
}
}  // namespace

NextHopTable::NextHopTable(base::NextHopResolver& resolver, const PrefixTable& table)
    : resolver_(resolver), table_(table) {}

NextHopState NextHopTable::ask(const base::IpAddress& a) {
  const auto r = resolver_.resolve(a);
  return r ? NextHopState{true, r->igp_metric} : NextHopState{};
}

void NextHopTable::add(const Ref<NextHop>& nh, EntryId id) {
  auto [it, fresh] = records_.try_emplace(nh.get());
  Record& r = it->second;
  if (fresh) {
    r.nh = nh;
    r.state = ask(nh->address());
    by_address_.emplace(nh->address(), nh.get());
  }
  ++r.paths;
  if (!r.bits.empty()) {
    set_bit(r.bits, id);
    return;
  }
  r.ids.push_back(id);
  // A list costing more than a bitmap over every entry id (4 bytes vs 1 bit per id).
  if (r.cursor == kIdle && r.ids.size() > kDenseMin && r.ids.size() * 32 > table_.id_limit())
    make_dense(r);
}

void NextHopTable::remove(const NextHop* nh, EntryId id) {
  auto it = records_.find(nh);
  if (it == records_.end()) return;
  Record& r = it->second;
  if (--r.paths == 0) {
    // The entries that used it were re-decided by whoever removed their paths: nothing is left
    // to mark.
    if (r.cursor != kIdle)
      jobs_.erase(
          std::find(jobs_.begin() + static_cast<std::ptrdiff_t>(job_head_), jobs_.end(), nh));
    if (job_head_ == jobs_.size()) {
      jobs_.clear();
      job_head_ = 0;
    }
    const base::IpAddress a = nh->address();
    by_address_.erase(a);
    records_.erase(it);  // may free the NextHop: `nh` is not used after this
    resolver_.forget(a);
    return;
  }
  if (!r.bits.empty()) {
    // Exact: the bit goes with the entry's last path via nh.
    if (id / 64 < r.bits.size() && !uses(id, nh))
      r.bits[id / 64] &= ~(std::uint64_t{1} << (id % 64));
    if (r.cursor == kIdle && std::size_t{r.paths} * 128 < table_.id_limit()) make_sparse(r);
    return;
  }
  if (r.ids.size() > 2 * std::size_t{r.paths} + kCompactSlack && r.cursor == kIdle) compact(r);
}

bool NextHopTable::uses(EntryId id, const NextHop* nh) const {
  if (!table_.live(id)) return false;
  for (const Path& p : table_.at(id))
    if (p.attrs->next_hop() == nh) return true;
  return false;
}

void NextHopTable::compact(Record& r) {
  const NextHop* nh = r.nh.get();
  std::erase_if(r.ids, [&](EntryId id) { return !uses(id, nh); });
  std::sort(r.ids.begin(), r.ids.end());
  r.ids.erase(std::unique(r.ids.begin(), r.ids.end()), r.ids.end());
  if (r.ids.capacity() > 4 * r.ids.size() + kCompactSlack) r.ids.shrink_to_fit();
}

void NextHopTable::make_dense(Record& r) {
  const NextHop* nh = r.nh.get();
  r.bits.assign(table_.id_limit() / 64 + 1, 0);
  for (EntryId id : r.ids)
    if (uses(id, nh)) set_bit(r.bits, id);
  std::vector<EntryId>().swap(r.ids);
}

void NextHopTable::make_sparse(Record& r) {
  for (std::size_t w = 0; w < r.bits.size(); ++w)
    for (std::uint64_t v = r.bits[w]; v; v &= v - 1)
      r.ids.push_back(static_cast<EntryId>(w * 64 + static_cast<std::size_t>(std::countr_zero(v))));
  std::vector<std::uint64_t>().swap(r.bits);
}

NextHopState NextHopTable::state(const NextHop* nh) const {
  auto it = records_.find(nh);
  return it == records_.end() ? NextHopState{} : it->second.state;
}

std::size_t NextHopTable::changed(std::span<const base::IpAddress> addresses) {
  std::size_t n = 0;
  for (const auto& a : addresses) {
    auto at = by_address_.find(a);
    if (at == by_address_.end()) continue;
    Record& r = records_.at(at->second);
    const NextHopState now = ask(a);
    if (now == r.state) continue;
    r.state = now;
    ++n;
    // Already queued: start over, so entries decided with the previous state are seen again.
    if (r.cursor == kIdle) jobs_.push_back(at->second);
    r.cursor = 0;
  }
  return n;
}

// One queued next hop: examines up to `budget` ids (dense: plus one unit per word scanned).
std::size_t NextHopTable::marking_step(Record& r, std::size_t budget, std::vector<EntryId>& out) {
  const NextHop* nh = r.nh.get();
  std::size_t used = 0;
  if (r.bits.empty()) {
    while (used < budget && r.cursor < r.ids.size()) {
      const EntryId id = r.ids[r.cursor++];
      ++used;
      if (uses(id, nh)) out.push_back(id);
    }
    if (r.cursor >= r.ids.size()) r.cursor = kIdle;
    return used;
  }
  const std::size_t limit = r.bits.size() * 64;
  while (used < budget && r.cursor < limit) {
    const std::size_t w = r.cursor / 64;
    const std::uint64_t v = r.bits[w] & (~std::uint64_t{0} << (r.cursor % 64));
    ++used;  // the word
    if (v == 0) {
      r.cursor = (w + 1) * 64;
      continue;
    }
    const auto bit = static_cast<std::size_t>(std::countr_zero(v));
    const auto id = static_cast<EntryId>(w * 64 + bit);
    r.cursor = w * 64 + bit + 1;
    if (uses(id, nh)) out.push_back(id);
  }
  if (r.cursor >= limit) r.cursor = kIdle;
  return used;
}

std::size_t NextHopTable::drain(std::size_t budget, std::vector<EntryId>& out) {
  std::size_t used = 0;
  while (used < budget && job_head_ < jobs_.size()) {
    Record& r = records_.at(jobs_[job_head_]);
    used += marking_step(r, budget - used, out);
    if (r.cursor != kIdle) break;
    ++job_head_;
  }
  if (job_head_ == jobs_.size()) {
    jobs_.clear();
    job_head_ = 0;
  }
  return used;
}

std::size_t NextHopTable::queued() const {
  std::size_t n = 0;
  for (std::size_t i = job_head_; i < jobs_.size(); ++i) {
    const Record& r = records_.at(jobs_[i]);
    n += r.bits.empty() ? r.ids.size() - r.cursor : popcount_from(r.bits, r.cursor);
  }
  return n;
}

const NextHopTable::Record* NextHopTable::find(const base::IpAddress& a) const {
  auto at = by_address_.find(a);
  return at == by_address_.end() ? nullptr : &records_.at(at->second);
}

std::uint32_t NextHopTable::paths(const base::IpAddress& a) const {
  const Record* r = find(a);
  return r ? r->paths : 0;
}

std::size_t NextHopTable::dependency_count(const base::IpAddress& a) const {
  const Record* r = find(a);
  if (!r) return 0;
  return r->bits.empty() ? r->ids.size() : popcount_from(r->bits, 0);
}

bool NextHopTable::dense(const base::IpAddress& a) const {
  const Record* r = find(a);
  return r && !r->bits.empty();
}

}  // namespace nvabgpd::rib
