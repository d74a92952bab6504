#include "nvabgpd/fib/igp_table.hpp"

#include <algorithm>
#include <atomic>

namespace nvabgpd::fib {
namespace {

std::array<std::uint32_t, 129>& lens_for(base::Family f, std::array<std::uint32_t, 129>& v4,
                                         std::array<std::uint32_t, 129>& v6) {
  return f == base::Family::V4 ? v4 : v6;
}

}  // namespace

std::uint64_t IgpTable::next_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

void IgpTable::upsert(IgpRoute r) {
  changed();
  auto& vec = routes_[r.prefix];
  for (auto& existing : vec) {
    if (existing.table == r.table && existing.metric == r.metric) {
      existing = std::move(r);
      return;
    }
  }
  if (r.table == table_) {
    ++lens_for(r.prefix.family(), v4_lens_, v6_lens_)[r.prefix.len()];
  }
  vec.push_back(std::move(r));
  ++count_;
}

void IgpTable::remove(const base::Prefix& p, std::uint32_t table, std::uint32_t metric) {
  changed();
  auto it = routes_.find(p);
  if (it == routes_.end()) return;
  auto& vec = it->second;
  for (auto r = vec.begin(); r != vec.end(); ++r) {
    if (r->table == table && r->metric == metric) {
      if (table == table_) --lens_for(p.family(), v4_lens_, v6_lens_)[p.len()];
      vec.erase(r);
      --count_;
      break;
    }
  }
  if (vec.empty()) routes_.erase(it);
}

void IgpTable::clear_routes() {
  changed();
  routes_.clear();
  v4_lens_.fill(0);
  v6_lens_.fill(0);
  count_ = 0;
}

void IgpTable::set_link(int ifindex, bool usable) {
  changed();
  links_[ifindex] = usable;
}
void IgpTable::remove_link(int ifindex) {
  changed();
  links_.erase(ifindex);
}
void IgpTable::clear_links() {
  changed();
  links_.clear();
}

std::optional<bool> IgpTable::link_usable(int ifindex) const {
  auto it = links_.find(ifindex);
  if (it == links_.end()) return std::nullopt;
  return it->second;
}

bool IgpTable::usable(const IgpNextHop& nh) const {
  if (nh.dead || nh.ifindex == 0) return false;
  auto it = links_.find(nh.ifindex);
  return it != links_.end() && it->second;
}

// The route the kernel would use for exactly this prefix in the igp table, if any is usable.
const IgpRoute* IgpTable::best_at(const base::Prefix& p) const {
  auto it = routes_.find(p);
  if (it == routes_.end()) return nullptr;
  const IgpRoute* best = nullptr;
  for (const auto& r : it->second) {
    if (r.table != table_) continue;
    bool ok = r.type != IgpRouteType::Unicast ||
              std::any_of(r.nexthops.begin(), r.nexthops.end(),
                          [this](const IgpNextHop& nh) { return usable(nh); });
    if (r.type == IgpRouteType::Other) ok = false;
    if (ok && (best == nullptr || r.metric < best->metric)) best = &r;
  }
  return best;
}

const IgpRoute* IgpTable::lookup(const base::IpAddress& a) const {
  const auto& lens = a.is_v4() ? v4_lens_ : v6_lens_;
  for (int len = static_cast<int>(base::max_len(a.family())); len >= 0; --len) {
    if (lens[static_cast<std::size_t>(len)] == 0) continue;
    if (const IgpRoute* r = best_at(base::Prefix::make(a, static_cast<unsigned>(len)))) return r;
  }
  return nullptr;
}

std::optional<ResolvedNextHop> IgpTable::resolve(const base::IpAddress& a) const {
  // An IPv6 link-local next hop names no interface by itself; fe80::/64 exists on every link.
  if (a.is_v6() && a.is_link_local()) return std::nullopt;
  const IgpRoute* r = lookup(a);
  if (r == nullptr || r->type != IgpRouteType::Unicast) return std::nullopt;
  for (const auto& nh : r->nexthops) {
    if (!usable(nh)) continue;
    if (nh.gateway && nh.gateway->family() != a.family()) continue;  // RFC 5549 not supported
    return ResolvedNextHop{nh.gateway.value_or(a), nh.ifindex, r->metric};
  }
  return std::nullopt;
}

std::optional<Cover> IgpTable::cover(const base::IpAddress& a) const {
  const IgpRoute* r = lookup(a);
  if (r == nullptr) return std::nullopt;
  return Cover{r->prefix.len(), r->metric};
}

bool IgpTable::has_route(const base::Prefix& p, std::uint32_t table, std::uint32_t metric) const {
  auto it = routes_.find(p);
  if (it == routes_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const IgpRoute& r) { return r.table == table && r.metric == metric; });
}

}  // namespace nvabgpd::fib
