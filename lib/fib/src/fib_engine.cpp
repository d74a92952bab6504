#include "nvabgpd/fib/fib_engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
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
  static const std::vector<base::IpAddress> kNone;
  for (const auto& d : batch.deltas) {
    set_wanted(d.prefix,
               d.next_hops < batch.next_hop_sets.size() ? batch.next_hop_sets[d.next_hops] : kNone);
  }
  flush();
}

void FibEngine::reresolve(std::span<const base::IpAddress> changed) {
  // Did the IGP route covering a protected address change? Then routes containing it may
  // have become safe or dangerous.
  std::vector<std::optional<Cover>> covers;
  covers.reserve(protected_.size());
  for (const auto& a : protected_) covers.push_back(igp_.cover(a));
  const bool covers_changed = covers != protected_covers_;
  protected_covers_ = std::move(covers);
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
  for (auto& r : kernel_now) {
    std::sort(r.nexthops.begin(), r.nexthops.end());
    auto p = r.prefix;
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
  for (auto& [p, inst] : installed_) {
    if (inst.stale) {
      queue(KernelOp{KernelOp::Kind::Delete, inst.route});
      ++stats_.stale_removed;
    }
  }
  flush();
}

void FibEngine::shutdown(bool persist) {
  flush();
  if (persist) return;
  for (auto& [p, inst] : installed_) queue(KernelOp{KernelOp::Kind::Delete, inst.route});
  flush();
}

void FibEngine::set_protected(std::vector<base::IpAddress> addrs) {
  protected_ = std::move(addrs);
  protected_covers_.clear();
  for (const auto& a : protected_) protected_covers_.push_back(igp_.cover(a));
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

std::optional<base::IpAddress> FibEngine::captured(const base::Prefix& p) const {
  for (const auto& a : protected_) {
    if (a.family() != p.family() || !p.contains(a)) continue;
    auto c = igp_.cover(a);
    bool safe = c && (c->len > p.len() || (c->len == p.len() && c->metric < cfg_.metric));
    if (!safe) return a;
  }
  return std::nullopt;
}

std::optional<KernelRoute> FibEngine::desired(const base::Prefix& p,
                                              const std::vector<base::IpAddress>& nhs) {
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
  if (auto a = captured(p)) {
    if (warned_.insert(p).second) {
      spdlog::warn("fib: not installing {}: it would capture protected address {}", p, *a);
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
  retry_.erase(p);  // desired() or the kernel's answer puts it back when refused
  if (auto w = wanted_.find(p); w != wanted_.end()) {
    want = desired(p, w->second);
  } else {
    warned_.erase(p);
  }
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
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      auto& op = pending_[i];
      const int err = errors_[i];
      const auto& p = op.route.prefix;
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
    pending_ = std::move(followups);
    batch_prefixes_.clear();
    for (const auto& op : pending_) batch_prefixes_.insert(op.route.prefix);
  }
}

}  // namespace nvabgpd::fib
