#include "nvabgpd/fib/fib_engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>
#include <unordered_set>

#include <spdlog/spdlog.h>

namespace nvabgpd::fib {

FibEngine::FibEngine(FibEngineConfig cfg, KernelPort& port, const IgpTable& igp)
    : cfg_(cfg), port_(port), igp_(igp) {
  if (cfg_.max_paths == 0) cfg_.max_paths = 1;
  if (cfg_.batch_size == 0) cfg_.batch_size = 1;
}

void FibEngine::adopt(std::vector<KernelRoute> existing) {
  for (auto& r : existing) {
    auto it = installed_.find(r.prefix);
    if (it != installed_.end()) {
      // Two of our routes for one prefix (different metrics): keep the first, drop the other.
      queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
      continue;
    }
    std::sort(r.nexthops.begin(), r.nexthops.end());
    installed_.emplace(r.prefix, Installed{std::move(r), true});
    ++stats_.adopted;
  }
  flush();
}

void FibEngine::add_refs(const std::vector<base::IpAddress>& nhs, int delta) {
  for (const auto& nh : nhs) {
    auto it = nh_refs_.try_emplace(nh, 0).first;
    it->second = static_cast<std::uint32_t>(static_cast<int>(it->second) + delta);
    if (it->second == 0) nh_refs_.erase(it);
  }
}

void FibEngine::set_wanted(const base::Prefix& p, const std::vector<base::IpAddress>& nhs) {
  auto it = wanted_.find(p);
  if (it != wanted_.end()) {
    add_refs(it->second, -1);
    if (nhs.empty()) {
      wanted_.erase(it);
    } else {
      it->second = nhs;
      add_refs(it->second, +1);
    }
  } else if (!nhs.empty()) {
    add_refs(wanted_.emplace(p, nhs).first->second, +1);
  }
  evaluate(p);
}

void FibEngine::apply(std::span<const FibDelta> deltas) {
  static const std::vector<base::IpAddress> kNone;
  for (const auto& d : deltas) {
    set_wanted(d.prefix, d.kind == FibDelta::Kind::Withdraw ? kNone : d.next_hops);
  }
  flush();
}

void FibEngine::apply(const FibBatch& batch) {
  for (const auto& d : batch.deltas) set_wanted(d.prefix, batch.next_hops(d));
  flush();
}

void FibEngine::reresolve(std::span<const base::IpAddress> changed) {
  // Did the IGP route covering a protected address change? Then routes containing it may
  // have become safe or dangerous.
  auto now = guards();
  const bool covers_changed = now != guards_;
  guards_ = std::move(now);
  if (changed.empty() && retry_.empty() && !covers_changed) return;
  std::unordered_set<base::IpAddress> set(changed.begin(), changed.end());
  for (const auto& entry : wanted_) {
    const base::Prefix& p = entry.first;
    const auto& nhs = entry.second;
    bool hit = retry_.contains(p) || std::any_of(nhs.begin(), nhs.end(),
                                                 [&](const auto& nh) { return set.contains(nh); });
    if (!hit && covers_changed) {
      hit = std::any_of(protected_.begin(), protected_.end(),
                        [&](const base::IpAddress& a) { return p.contains(a); });
    }
    if (hit) evaluate(p);
  }
  flush();
}

void FibEngine::reevaluate_all() {
  for (const auto& [p, nhs] : wanted_) evaluate(p);
  flush();
}

void FibEngine::resync(std::vector<KernelRoute> kernel_now) {
  ++stats_.resyncs;
  flush();
  installed_.clear();
  for (auto& [a, pin] : pins_) pin.installed = false;
  for (auto& r : kernel_now) {
    std::sort(r.nexthops.begin(), r.nexthops.end());
    auto p = r.prefix;
    if (Pin* pin = pin_for(p); pin && r.metric == cfg_.metric) {
      pin->route = std::move(r);  // ensure_pin corrects it if the IGP path moved
      pin->installed = true;
      continue;
    }
    auto [it, fresh] = installed_.try_emplace(p, Installed{std::move(r), false});
    if (!fresh) {
      queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
      continue;
    }
    if (!wanted_.contains(p)) {
      if (converged_) {
        queue(KernelOp{KernelOp::Kind::Delete, it->second.route});
      } else {
        it->second.stale = true;  // still waiting for the RIB to confirm it
      }
    }
  }
  reevaluate_all();
}

void FibEngine::converge() {
  converged_ = true;
  // queue() flushes every batch_size ops and flush() erases from installed_: collect the
  // deletes before queueing any, never queue while walking installed_.
  std::vector<KernelRoute> stale;
  for (const auto& [p, inst] : installed_) {
    if (inst.stale) stale.push_back(inst.route);
  }
  stats_.stale_removed += stale.size();
  queue_deletes(std::move(stale));
  flush();
}

void FibEngine::shutdown(bool persist) {
  flush();
  if (persist) return;
  std::vector<KernelRoute> routes;
  routes.reserve(installed_.size());
  for (const auto& [p, inst] : installed_) routes.push_back(inst.route);
  queue_deletes(std::move(routes));
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
  std::vector<base::Prefix> hit;
  for (const auto& entry : wanted_) {
    const base::Prefix& p = entry.first;  // (clang 14 cannot capture a structured binding)
    if (std::any_of(delta.begin(), delta.end(), [&](const auto& a) { return p.contains(a); }))
      hit.push_back(p);
  }
  for (const auto& p : hit) evaluate(p);
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
  if (p.len() != base::max_len(p.family())) return nullptr;
  auto it = pins_.find(p.addr());
  return it == pins_.end() ? nullptr : &it->second;
}

std::vector<base::IpAddress> FibEngine::wanted_next_hops() const {
  std::vector<base::IpAddress> out;
  out.reserve(nh_refs_.size());
  for (const auto& [nh, n] : nh_refs_) out.push_back(nh);
  return out;
}

const KernelRoute* FibEngine::installed(const base::Prefix& p) const {
  auto it = installed_.find(p);
  return it == installed_.end() ? nullptr : &it->second.route;
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
    if (p == host || wanted_.contains(host)) return a;
    pins.push_back(PinNeed{a, via});
  }
  return std::nullopt;
}

std::optional<KernelRoute> FibEngine::desired(const base::Prefix& p,
                                              const std::vector<base::IpAddress>& nhs,
                                              std::vector<PinNeed>& pins) {
  KernelRoute r{p, cfg_.metric, {}};
  for (const auto& nh : nhs) {
    if (nh.family() != p.family()) continue;
    if (auto res = igp_.resolve(nh))
      r.nexthops.push_back(KernelNextHop{res->gateway, res->ifindex});
  }
  std::sort(r.nexthops.begin(), r.nexthops.end());
  r.nexthops.erase(std::unique(r.nexthops.begin(), r.nexthops.end()), r.nexthops.end());
  if (r.nexthops.size() > cfg_.max_paths) r.nexthops.resize(cfg_.max_paths);
  if (r.nexthops.empty()) {
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
  if (auto a = capture_check(p, r.nexthops, pins)) {
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
  return r;
}

void FibEngine::evaluate(const base::Prefix& p) {
  // An op for p already waits in this batch: our view of the kernel must catch up first.
  if (batch_prefixes_.contains(p)) flush();
  std::optional<KernelRoute> want;
  std::vector<PinNeed> needs;
  retry_.erase(p);  // desired() or the kernel's answer puts it back when refused
  if (auto w = wanted_.find(p); w != wanted_.end()) {
    want = desired(p, w->second, needs);
  } else {
    warned_.erase(p);
  }
  std::vector<base::IpAddress> old_pins;
  if (auto u = pin_uses_.find(p); u != pin_uses_.end()) {
    old_pins = std::move(u->second);
    pin_uses_.erase(u);
    for (const auto& a : old_pins) {
      if (auto it = pins_.find(a); it != pins_.end()) it->second.users.erase(p);
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
  release_pins(old_pins);
}

void FibEngine::ensure_pin(const PinNeed& need, const base::Prefix& user) {
  const auto host = base::Prefix::make(need.addr, base::max_len(need.addr.family()));
  if (batch_prefixes_.contains(host)) flush();  // an op at that key must land first
  KernelRoute r{host, cfg_.metric, {need.via}};
  auto& pin = pins_[need.addr];
  pin.users.insert(user);
  if (pin.installed && pin.route == r) return;
  if (auto it = installed_.find(host); it != installed_.end()) {
    // Adopted from a previous run (our protocol id, so ours): it becomes the pin.
    pin.route = std::move(it->second.route);
    pin.installed = true;
    installed_.erase(it);
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
  auto i = installed_.find(p);
  if (!want) {
    if (i != installed_.end()) queue(KernelOp{KernelOp::Kind::Delete, i->second.route});
    return;
  }
  if (i != installed_.end()) {
    if (i->second.route == *want) {
      if (i->second.stale) {
        i->second.stale = false;
        ++stats_.kept_adopted;
      }
      return;
    }
    if (i->second.route.metric != want->metric) {
      queue(KernelOp{KernelOp::Kind::Delete, i->second.route});
    }
  }
  queue(KernelOp{KernelOp::Kind::Replace, std::move(*want)});
}

void FibEngine::queue_deletes(std::vector<KernelRoute> routes) {
  for (auto& r : routes) queue(KernelOp{KernelOp::Kind::Delete, std::move(r)});
}

void FibEngine::queue(KernelOp op) {
  batch_prefixes_.insert(op.route.prefix);
  pending_.push_back(std::move(op));
  if (pending_.size() >= cfg_.batch_size) flush();
}

void FibEngine::flush() {
  while (!pending_.empty()) {
    errors_.assign(pending_.size(), 0);
    port_.apply(pending_, errors_);
    std::vector<KernelOp> followups;
    std::map<int, std::pair<std::size_t, base::Prefix>> failures;  // errno -> (count, example)
    std::vector<base::IpAddress> failed_pins;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      auto& op = pending_[i];
      const int err = errors_[i];
      const auto& p = op.route.prefix;
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
          !installed_.contains(p) && p.len() == base::max_len(p.family())) {
        ++stats_.pins_removed;  // a released pin
        continue;
      }
      if (op.kind == KernelOp::Kind::Replace) {
        if (err == 0) {
          ++stats_.replaced;
          retry_.erase(p);
          warned_.erase(p);
          installed_.insert_or_assign(p, Installed{std::move(op.route), false});
          continue;
        }
        ++stats_.kernel_errors;
        auto& f = failures.try_emplace(err, 0, p).first->second;
        ++f.first;
        retry_.insert(p);
        // The kernel kept the old route: do not leave traffic on a path we no longer want.
        if (auto it = installed_.find(p); it != installed_.end()) {
          followups.push_back(KernelOp{KernelOp::Kind::Delete, it->second.route});
        }
      } else {
        if (err == 0 || err == ESRCH || err == ENOENT) {
          ++stats_.deleted;
          auto it = installed_.find(p);
          if (it != installed_.end() && it->second.route.metric == op.route.metric) {
            installed_.erase(it);
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
        if (auto it = installed_.find(u); it != installed_.end()) {
          followups.push_back(KernelOp{KernelOp::Kind::Delete, it->second.route});
        }
      }
    }
    pending_ = std::move(followups);
    batch_prefixes_.clear();
    for (const auto& op : pending_) batch_prefixes_.insert(op.route.prefix);
  }
}

}  // namespace nvabgpd::fib
