#include "convergence.hpp"

#include <algorithm>

namespace nvabgpd::daemon {

void Convergence::track(std::size_t peer, std::string name, Time now) {
  peers_[peer] = Peer{std::move(name), now, std::nullopt, {}};
}

void Convergence::untrack(std::size_t peer) { peers_.erase(peer); }

void Convergence::up(std::size_t peer, const std::vector<wire::AfiSafi>& families, Time now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.up_since = now;
  it->second.eor_pending = families;
}

void Convergence::down(std::size_t peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.up_since.reset();
  it->second.eor_pending.clear();
}

void Convergence::end_of_rib(std::size_t peer, wire::AfiSafi af) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  std::erase(it->second.eor_pending, af);
}

std::optional<Convergence::Time> Convergence::settles_at(const Peer& p, Time now) const {
  const Time cap = p.tracked + timers_.peer_up_wait + timers_.end_of_rib_wait;
  std::optional<Time> t;
  if (!p.up_since) {
    t = p.tracked + timers_.peer_up_wait;
  } else if (!p.eor_pending.empty()) {
    t = *p.up_since + timers_.end_of_rib_wait;
  }
  if (!t) return std::nullopt;
  t = std::min(*t, cap);
  if (now >= *t) return std::nullopt;
  return t;
}

std::vector<Convergence::Wait> Convergence::waiting(Time now) const {
  std::vector<Wait> out;
  for (const auto& [id, p] : peers_) {
    auto t = settles_at(p, now);
    if (!t) continue;
    out.push_back(Wait{p.name, p.up_since.has_value(), p.eor_pending,
                       std::chrono::duration_cast<std::chrono::milliseconds>(*t - now)});
  }
  return out;
}

std::optional<Convergence::Time> Convergence::next_deadline(Time now) const {
  std::optional<Time> out;
  for (const auto& [id, p] : peers_) {
    auto t = settles_at(p, now);
    if (t && (!out || *t < *out)) out = t;
  }
  return out;
}

bool Convergence::try_converge(Time now, bool rib_idle) {
  if (converged_at_ || !rib_idle) return false;
  for (const auto& [id, p] : peers_)
    if (settles_at(p, now)) return false;
  converged_at_ = now;
  return true;
}

std::optional<std::chrono::milliseconds> Convergence::took() const {
  if (!converged_at_) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*converged_at_ - start_);
}

}  // namespace nvabgpd::daemon
