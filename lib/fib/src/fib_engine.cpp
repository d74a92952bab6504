#include "nvabgpd/fib/fib_engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <unordered_set>

#include <spdlog/spdlog.h>

namespace nvabgpd::fib {
namespace {
// Deferred withdrawals kept before they are applied anyway (bounds the list: ~4.7 MB).
constexpr std::size_t kMaxDeferredWithdrawals = 262144;
}  // namespace

std::size_t FibEngine::NhSetHash::operator()(const NhSet& v) const noexcept {
  std::size_t h = v.size();
  for (const auto& a : v) h = h * 1000003U ^ base::IpAddressHash{}(a);
  return h;
}

std::size_t FibEngine::BodyHash::operator()(const Body& b) const noexcept {
  std::size_t h = b.metric;
  for (const auto& nh : b.nexthops)
    h = (h * 1000003U ^ base::IpAddressHash{}(nh.gateway)) * 31U +
        static_cast<std::size_t>(nh.ifindex);
  return h;
}

FibEngine::FibEngine(FibEngineConfig cfg, KernelPort& port, const IgpTable& igp)
    : cfg_(cfg), port_(port), igp_(igp) {
  if (cfg_.max_paths == 0) cfg_.max_paths = 1;
  if (cfg_.batch_size == 0) cfg_.batch_size = 1;
}

KernelRoute FibEngine::route_of(const base::Prefix& p, const RouteState& s) const {
  const Body& b = bodies_.at(s.installed);
  return KernelRoute{p, b.metric, b.nexthops};
}

void FibEngine::drop_installed(RouteState& s) {
  if (s.installed != 0) {
    bodies_.unref(s.installed);
    s.installed = 0;
    --installed_count_;
  }
  s.stale = 0;
}

void FibEngine::adopt(std::vector<KernelRoute> existing) {
  for (auto& r : existing) {
    RouteState& s = states_.get_or_insert(r.prefix);
    if (s.installed != 0) {
      // Two of our routes for one prefix (different metrics): keep the first, drop the other.
      queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
      continue;
    }
    std::sort(r.nexthops.begin(), r.nexthops.end());
    s.installed = bodies_.acquire(Body{r.metric, std::move(r.nexthops)});
    s.stale = 1;
    ++installed_count_;
    ++stats_.adopted;
  }
  flush();
}

void FibEngine::add_refs(const NhSet& nhs, int delta) {
  for (const auto& nh : nhs) {
    auto it = nh_refs_.try_emplace(nh, 0).first;
    it->second = static_cast<std::uint32_t>(static_cast<int>(it->second) + delta);
    if (it->second == 0) nh_refs_.erase(it);
  }
}

std::uint32_t FibEngine::acquire_set(const NhSet& nhs) {
  if (nhs.empty()) return 0;
  const std::uint32_t id = nh_sets_.acquire(nhs);
  if (nh_sets_.refs(id) == 1) {
    add_refs(nhs, +1);  // a set new to the engine: watch its next hops
    if (resolved_.size() <= id) resolved_.resize(id + 1);
    resolved_[id] = Resolved{};
  }
  return id;
}

void FibEngine::release_set(std::uint32_t id) {
  if (id == 0) return;
  if (nh_sets_.refs(id) == 1) {
    add_refs(nh_sets_.at(id), -1);
    resolved_[id] = Resolved{};
  }
  nh_sets_.unref(id);
  if (nh_sets_.live() == 0) std::vector<Resolved>().swap(resolved_);
}

void FibEngine::set_wanted(const base::Prefix& p, std::uint32_t nh_set) {
  RouteState* s = nh_set != 0 ? &states_.get_or_insert(p) : states_.find(p);
  if (s) {
    const std::uint32_t old = s->wanted;
    s->wanted = nh_set;
    if (old == 0 && nh_set != 0) ++wanted_count_;
    if (old != 0 && nh_set == 0) --wanted_count_;
    release_set(old);
    // A plain withdrawal of an installed route waits for flush_withdrawals() (the state keeps
    // its installed route, so a re-announcement meanwhile is compared with it as usual).
    if (nh_set == 0 && cfg_.defer_withdrawals && s->installed != 0 && !s->in_batch &&
        (pin_uses_.empty() || !pin_uses_.contains(p))) {
      withdrawn_.push_back(p);
      if (withdrawn_.size() >= kMaxDeferredWithdrawals) flush_withdrawals();
      return;
    }
  }
  evaluate(p);
  if (nh_set == 0) states_.erase_if_empty(p);
}

void FibEngine::flush_withdrawals() {
  if (withdrawn_.empty()) return;
  std::vector<base::Prefix> todo = std::exchange(withdrawn_, {});
  std::sort(todo.begin(), todo.end(), std::greater<>{});
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  for (const auto& p : todo) {
    const RouteState* s = states_.find(p);
    if (!s || s->wanted != 0) continue;  // gone already, or announced again (evaluated then)
    evaluate(p);
  }
  flush();
  for (const auto& p : todo) states_.erase_if_empty(p);
}

void FibEngine::apply(std::span<const FibDelta> deltas) {
  for (const auto& d : deltas) {
    set_wanted(d.prefix, d.kind == FibDelta::Kind::Withdraw ? 0 : acquire_set(d.next_hops));
  }
  flush();
}

void FibEngine::apply(const FibBatch& batch) {
  // Each of the batch's sets is interned once; the batch holds a reference meanwhile so a set
  // no route uses any more mid-batch keeps its id.
  constexpr std::uint32_t kUnmapped = ~std::uint32_t{0};
  std::vector<std::uint32_t> ids(batch.next_hop_sets.size(), kUnmapped);
  for (const auto& d : batch.deltas) {
    const auto& nhs = batch.next_hops(d);
    std::uint32_t id = 0;
    if (!nhs.empty()) {
      std::uint32_t& m = ids[d.next_hops];
      if (m == kUnmapped) m = acquire_set(nhs);
      id = m;
      nh_sets_.ref(id);
    }
    set_wanted(d.prefix, id);
  }
  flush();
  for (std::uint32_t id : ids) {
    if (id != kUnmapped) release_set(id);
  }
}

void FibEngine::reresolve(std::span<const base::IpAddress> changed) {
  // Did the IGP route covering a protected address change? Then routes containing it may
  // have become safe or dangerous.
  auto now = guards();
  const bool covers_changed = now != guards_;
  guards_ = std::move(now);
  if (changed.empty() && retry_.empty() && !covers_changed) return;
  // The wanted sets that contain a changed next hop.
  std::unordered_set<base::IpAddress> set(changed.begin(), changed.end());
  std::vector<bool> hit_set(nh_sets_.id_limit(), false);
  bool any_set = false;
  for (std::uint32_t id = 1; id < nh_sets_.id_limit(); ++id) {
    if (nh_sets_.refs(id) == 0) continue;
    const auto& nhs = nh_sets_.at(id);
    if (std::any_of(nhs.begin(), nhs.end(), [&](const auto& nh) { return set.contains(nh); })) {
      hit_set[id] = true;
      any_set = true;
    }
  }
  if (!any_set && !covers_changed) {
    // Only the refused routes: no walk over the whole table.
    std::vector<base::Prefix> retry(retry_.begin(), retry_.end());
    for (const auto& p : retry) {
      const RouteState* s = states_.find(p);
      if (s && s->wanted != 0) evaluate(p);
    }
    flush();
    return;
  }
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    if (s.wanted == 0) return;
    bool hit = hit_set[s.wanted] || (!retry_.empty() && retry_.contains(p));
    if (!hit && covers_changed) {
      hit = std::any_of(protected_.begin(), protected_.end(),
                        [&](const base::IpAddress& a) { return p.contains(a); });
    }
    if (hit) evaluate(p);
  });
  flush();
}

void FibEngine::reevaluate_all() {
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    if (s.wanted != 0) evaluate(p);
  });
  flush();
}

void FibEngine::resync(std::vector<KernelRoute> kernel_now) {
  ++stats_.resyncs;
  flush();
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    drop_installed(s);
    states_.erase_if_empty(p);
  });
  for (auto& [a, pin] : pins_) pin.installed = false;
  for (auto& r : kernel_now) {
    std::sort(r.nexthops.begin(), r.nexthops.end());
    auto p = r.prefix;
    if (Pin* pin = pin_for(p); pin && r.metric == cfg_.metric) {
      pin->route = std::move(r);  // ensure_pin corrects it if the IGP path moved
      pin->installed = true;
      continue;
    }
    RouteState& s = states_.get_or_insert(p);
    if (s.installed != 0) {
      queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
      continue;
    }
    s.installed = bodies_.acquire(Body{r.metric, r.nexthops});
    ++installed_count_;
    if (s.wanted == 0) {
      if (converged_) {
        queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
      } else {
        s.stale = 1;  // still waiting for the RIB to confirm it
      }
    }
  }
  reevaluate_all();
}

void FibEngine::converge() {
  converged_ = true;
  // queue() may flush while we walk: RouteStates keeps the walk stable.
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    if (!s.stale) return;
    ++stats_.stale_removed;
    queue(KernelOp{KernelOp::Kind::Delete, route_of(p, s)});
  });
  flush();
}

void FibEngine::shutdown(bool persist) {
  flush();
  if (persist) return;
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    if (s.installed != 0) queue(KernelOp{KernelOp::Kind::Delete, route_of(p, s)});
  });
  flush();  // covering routes first, then the pins that protected against them
  std::vector<KernelRoute> pinned;
  for (const auto& [a, pin] : pins_) {
    if (pin.installed) pinned.push_back(pin.route);
  }
  queue_deletes(std::move(pinned));
  flush();
  pins_.clear();
  pin_uses_.clear();
}

void FibEngine::set_protected(std::vector<base::IpAddress> addrs) {
  update_protected(std::move(addrs), tunnels_);
}

void FibEngine::set_tunnel_endpoints(std::vector<base::IpAddress> addrs) {
  update_protected(peers_, std::move(addrs));
}

void FibEngine::update_protected(std::vector<base::IpAddress> peers,
                                 std::vector<base::IpAddress> tunnels) {
  peers_ = std::move(peers);
  tunnels_ = std::move(tunnels);
  std::vector<base::IpAddress> all = peers_;
  all.insert(all.end(), tunnels_.begin(), tunnels_.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all == protected_) return;
  // Routes containing an address that became or stopped being protected change meaning.
  std::vector<base::IpAddress> delta;
  std::set_symmetric_difference(all.begin(), all.end(), protected_.begin(), protected_.end(),
                                std::back_inserter(delta));
  protected_ = std::move(all);
  guards_ = guards();
  for (const auto& a : delta) pin_warned_.erase(a);
  states_.for_each([&](const base::Prefix& p, RouteState& s) {
    if (s.wanted == 0) return;
    if (std::any_of(delta.begin(), delta.end(), [&](const auto& a) { return p.contains(a); }))
      evaluate(p);
  });
  flush();
}

std::vector<FibEngine::Guard> FibEngine::guards() const {
  std::vector<Guard> out;
  out.reserve(protected_.size());
  for (const auto& a : protected_) out.push_back(Guard{igp_.cover(a), igp_.resolve(a)});
  return out;
}

const KernelRoute* FibEngine::pin(const base::IpAddress& a) const {
  auto it = pins_.find(a);
  return it == pins_.end() ? nullptr : &it->second.route;
}

FibEngine::Pin* FibEngine::pin_for(const base::Prefix& p) {
  if (pins_.empty() || p.len() != base::max_len(p.family())) return nullptr;
  auto it = pins_.find(p.addr());
  return it == pins_.end() ? nullptr : &it->second;
}

std::vector<base::IpAddress> FibEngine::wanted_next_hops() const {
  std::vector<base::IpAddress> out;
  out.reserve(nh_refs_.size());
  for (const auto& [nh, n] : nh_refs_) out.push_back(nh);
  return out;
}

std::optional<KernelRoute> FibEngine::installed(const base::Prefix& p) const {
  const RouteState* s = states_.find(p);
  if (!s || s->installed == 0) return std::nullopt;
  return route_of(p, *s);
}

std::optional<base::IpAddress> FibEngine::capture_check(const base::Prefix& p,
                                                        const std::vector<KernelNextHop>& nhs,
                                                        std::vector<PinNeed>& pins) const {
  for (const auto& a : protected_) {
    if (a.family() != p.family() || !p.contains(a)) continue;
    // A more specific non-BGP route keeps carrying the address: p cannot capture it.
    auto c = igp_.cover(a);
    if (c && (c->len > p.len() || (c->len == p.len() && c->metric < cfg_.metric))) continue;
    auto res = igp_.resolve(a);
    if (!res) return a;  // nothing to pin it to
    const KernelNextHop via{res->gateway, res->ifindex};
    // p forwards exactly as the IGP does: installing it changes nothing for a.
    if (nhs.size() == 1 && nhs.front() == via) continue;
    const auto host = base::Prefix::make(a, base::max_len(a.family()));
    // p is a's host route itself, or a BGP route owns that key: a pin cannot coexist.
    if (p == host) return a;
    if (const RouteState* s = states_.find(host); s && s->wanted != 0) return a;
    pins.push_back(PinNeed{a, via});
  }
  return std::nullopt;
}

const std::vector<KernelNextHop>& FibEngine::resolve_set(std::uint32_t nh_set, base::Family f) {
  // The same set resolves the same way for every route until the IGP changes: once per set.
  Resolved& r = resolved_[nh_set];
  const std::size_t k = f == base::Family::V4 ? 0 : 1;
  if (r.generation[k] == igp_.generation()) return r.nexthops[k];
  auto& out = r.nexthops[k];
  out.clear();
  for (const auto& nh : nh_sets_.at(nh_set)) {
    if (nh.family() != f) continue;
    if (auto res = igp_.resolve(nh)) out.push_back(KernelNextHop{res->gateway, res->ifindex});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > cfg_.max_paths) out.resize(cfg_.max_paths);
  r.generation[k] = igp_.generation();
  return out;
}

std::optional<KernelRoute> FibEngine::desired(const base::Prefix& p, std::uint32_t nh_set,
                                              std::vector<PinNeed>& pins) {
  const auto& nexthops = resolve_set(nh_set, p.family());
  if (nexthops.empty()) {
    ++stats_.unresolved;
    return std::nullopt;
  }
  // Refusals are retried on every IGP change; warn once per prefix until it is installed.
  if (igp_.has_route(p, cfg_.table, cfg_.metric)) {
    // Replacing would overwrite another protocol's route with the same key.
    if (warned_.insert(p).second) {
      spdlog::warn("fib: not installing {}: table {} has a non-BGP route with metric {}", p,
                   cfg_.table, cfg_.metric);
    }
    ++stats_.refused_foreign;
    retry_.insert(p);
    return std::nullopt;
  }
  if (!protected_.empty()) {
    if (auto a = capture_check(p, nexthops, pins)) {
      pins.clear();
      if (warned_.insert(p).second) {
        spdlog::warn(
            "fib: not installing {}: it would capture protected address {}, which cannot be "
            "pinned (no non-BGP route reaches it, or a BGP route holds its host prefix)",
            p, *a);
      }
      ++stats_.refused_protected;
      retry_.insert(p);
      return std::nullopt;
    }
  }
  return KernelRoute{p, cfg_.metric, nexthops};
}

bool FibEngine::in_batch(const base::Prefix& p) const {
  if (const RouteState* s = states_.find(p); s && s->in_batch) return true;
  return !batch_others_.empty() &&
         std::find(batch_others_.begin(), batch_others_.end(), p) != batch_others_.end();
}

void FibEngine::evaluate(const base::Prefix& p) {
  // An op for p already waits in this batch: our view of the kernel must catch up first.
  if (in_batch(p)) flush();
  std::optional<KernelRoute> want;
  std::vector<PinNeed> needs;
  if (!retry_.empty()) retry_.erase(p);  // desired() or the kernel's answer puts it back
  if (const RouteState* s = states_.find(p); s && s->wanted != 0) {
    want = desired(p, s->wanted, needs);
  } else if (!warned_.empty()) {
    warned_.erase(p);
  }
  std::vector<base::IpAddress> old_pins;
  if (!pin_uses_.empty()) {
    if (auto u = pin_uses_.find(p); u != pin_uses_.end()) {
      old_pins = std::move(u->second);
      pin_uses_.erase(u);
      for (const auto& a : old_pins) {
        if (auto it = pins_.find(a); it != pins_.end()) it->second.users.erase(p);
      }
    }
  }
  if (want && !needs.empty()) {
    // Pins go to the kernel before the route that would capture their addresses.
    auto& uses = pin_uses_[p];
    for (const auto& n : needs) {
      ensure_pin(n, p);
      uses.push_back(n.addr);
    }
  }
  program(p, std::move(want));
  // ...and leave it after that route is gone or no longer captures them.
  if (!old_pins.empty()) release_pins(old_pins);
}

void FibEngine::ensure_pin(const PinNeed& need, const base::Prefix& user) {
  const auto host = base::Prefix::make(need.addr, base::max_len(need.addr.family()));
  if (in_batch(host)) flush();  // an op at that key must land first
  KernelRoute r{host, cfg_.metric, {need.via}};
  auto& pin = pins_[need.addr];
  pin.users.insert(user);
  if (pin.installed && pin.route == r) return;
  if (RouteState* s = states_.find(host); s && s->installed != 0) {
    // Adopted from a previous run (our protocol id, so ours): it becomes the pin.
    pin.route = route_of(host, *s);
    pin.installed = true;
    drop_installed(*s);
    states_.erase_if_empty(host);
    if (pin.route == r) return;
  }
  if (pin_warned_.insert(need.addr).second) {
    spdlog::warn(
        "fib: pinning protected address {} via {} dev {}: {} covers it more specifically than "
        "its non-BGP route and forwards elsewhere",
        need.addr, need.via.gateway, need.via.ifindex, user);
  }
  queue(KernelOp{KernelOp::Kind::Replace, std::move(r)});
}

void FibEngine::release_pins(const std::vector<base::IpAddress>& addrs) {
  for (const auto& a : addrs) {
    auto it = pins_.find(a);
    if (it == pins_.end() || !it->second.users.empty()) continue;
    if (it->second.installed) queue(KernelOp{KernelOp::Kind::Delete, it->second.route});
    pins_.erase(it);
    pin_warned_.erase(a);
  }
}

void FibEngine::program(const base::Prefix& p, std::optional<KernelRoute> want) {
  RouteState* s = states_.find(p);
  const bool have = s && s->installed != 0;
  if (!want) {
    if (have) queue(KernelOp{KernelOp::Kind::Delete, route_of(p, *s)});
    return;
  }
  if (have) {
    const Body& b = bodies_.at(s->installed);
    if (b.metric == want->metric && b.nexthops == want->nexthops) {
      if (s->stale) {
        s->stale = 0;
        ++stats_.kept_adopted;
      }
      return;
    }
    if (b.metric != want->metric) {
      queue(KernelOp{KernelOp::Kind::Delete, route_of(p, *s)});
    }
  }
  queue(KernelOp{KernelOp::Kind::Replace, std::move(*want)});
}

void FibEngine::queue_deletes(std::vector<KernelRoute> routes) {
  for (auto& r : routes) queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
}

void FibEngine::queue(KernelOp op) {
  if (RouteState* s = states_.find(op.route.prefix)) {
    s->in_batch = 1;
  } else {
    batch_others_.push_back(op.route.prefix);
  }
  pending_.push_back(std::move(op));
  if (pending_.size() >= cfg_.batch_size) flush();
}

void FibEngine::flush() {
  while (!pending_.empty()) {
    errors_.assign(pending_.size(), 0);
    port_.apply(pending_, errors_);
    batch_others_.clear();
    std::vector<KernelOp> followups;
    std::map<int, std::pair<std::size_t, base::Prefix>> failures;  // errno -> (count, example)
    std::vector<base::IpAddress> failed_pins;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      auto& op = pending_[i];
      const int err = errors_[i];
      const auto& p = op.route.prefix;
      RouteState* s = states_.find(p);
      if (s) s->in_batch = 0;
      if (Pin* pin = pin_for(p); pin && op.route.metric == cfg_.metric) {
        if (op.kind == KernelOp::Kind::Replace) {
          if (err == 0) {
            ++stats_.pins_installed;
            pin->route = std::move(op.route);
            pin->installed = true;
          } else {
            ++stats_.kernel_errors;
            ++failures.try_emplace(err, 0, p).first->second.first;
            failed_pins.push_back(p.addr());
          }
        } else if (err == 0 || err == ESRCH || err == ENOENT) {
          ++stats_.pins_removed;  // a pin re-created in the same batch follows this op
          pin->installed = false;
        }
        continue;
      }
      if (op.kind == KernelOp::Kind::Delete && (err == 0 || err == ESRCH || err == ENOENT) &&
          (!s || s->installed == 0) && p.len() == base::max_len(p.family())) {
        ++stats_.pins_removed;  // a released pin
        continue;
      }
      if (op.kind == KernelOp::Kind::Replace) {
        if (err == 0) {
          ++stats_.replaced;
          if (!retry_.empty()) retry_.erase(p);
          if (!warned_.empty()) warned_.erase(p);
          if (!s) s = &states_.get_or_insert(p);  // (not reached: a replaced route is wanted)
          const std::uint32_t old = s->installed;
          s->installed = bodies_.acquire(Body{op.route.metric, std::move(op.route.nexthops)});
          s->stale = 0;
          if (old == 0) ++installed_count_;
          bodies_.unref(old);
          continue;
        }
        ++stats_.kernel_errors;
        auto& f = failures.try_emplace(err, 0, p).first->second;
        ++f.first;
        retry_.insert(p);
        // The kernel kept the old route: do not leave traffic on a path we no longer want.
        if (s && s->installed != 0) {
          followups.push_back(KernelOp{KernelOp::Kind::Delete, route_of(p, *s)});
        }
      } else {
        if (err == 0 || err == ESRCH || err == ENOENT) {
          ++stats_.deleted;
          if (s && s->installed != 0 && bodies_.at(s->installed).metric == op.route.metric) {
            drop_installed(*s);
            states_.erase_if_empty(p);
          }
          continue;
        }
        ++stats_.kernel_errors;
        ++failures.try_emplace(err, 0, p).first->second.first;
      }
    }
    for (const auto& [err, f] : failures) {
      spdlog::warn("fib: kernel refused {} route operation(s) with {} (e.g. {})", f.first,
                   std::strerror(err), f.second);
    }
    // A pin the kernel refused protects nothing: the routes relying on it leave the kernel
    // and are retried on the next IGP change.
    for (const auto& a : failed_pins) {
      auto pit = pins_.find(a);
      if (pit == pins_.end()) continue;
      for (const auto& u : pit->second.users) {
        retry_.insert(u);
        if (auto i = installed(u)) followups.push_back(KernelOp{KernelOp::Kind::Delete, *i});
      }
    }
    pending_ = std::move(followups);
    for (const auto& op : pending_) {
      if (RouteState* s = states_.find(op.route.prefix)) {
        s->in_batch = 1;
      } else {
        batch_others_.push_back(op.route.prefix);
      }
    }
  }
  if (pending_.capacity() > cfg_.batch_size * 2) std::vector<KernelOp>().swap(pending_);
}

}  // namespace nvabgpd::fib
