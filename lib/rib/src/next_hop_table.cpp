// NextHopTable: resolution state and dependency index of the next hops Loc-RIB paths use.
#include "nvabgpd/rib/next_hop_table.hpp"

#include <algorithm>

namespace nvabgpd::rib {

namespace {
constexpr std::size_t kCompactSlack = 32;  // ids a list may carry beyond 2x its paths
}

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
  r.deps.push_back(id);
}

void NextHopTable::remove(const NextHop* nh) {
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
  if (r.deps.size() > 2 * std::size_t{r.paths} + kCompactSlack && r.cursor == kIdle) compact(r);
}

bool NextHopTable::uses(EntryId id, const NextHop* nh) const {
  if (!table_.live(id)) return false;
  for (const Path& p : table_.at(id))
    if (p.attrs->next_hop() == nh) return true;
  return false;
}

void NextHopTable::compact(Record& r) {
  const NextHop* nh = r.nh.get();
  std::erase_if(r.deps, [&](EntryId id) { return !uses(id, nh); });
  std::sort(r.deps.begin(), r.deps.end());
  r.deps.erase(std::unique(r.deps.begin(), r.deps.end()), r.deps.end());
  if (r.deps.capacity() > 4 * r.deps.size() + kCompactSlack) r.deps.shrink_to_fit();
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

std::size_t NextHopTable::queued() const {
  std::size_t n = 0;
  for (std::size_t i = job_head_; i < jobs_.size(); ++i) {
    const Record& r = records_.at(jobs_[i]);
    n += r.deps.size() - r.cursor;
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

std::size_t NextHopTable::dependency_list_size(const base::IpAddress& a) const {
  const Record* r = find(a);
  return r ? r->deps.size() : 0;
}

}  // namespace nvabgpd::rib
