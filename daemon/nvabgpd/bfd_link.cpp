#include "bfd_link.hpp"

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

namespace nvabgpd::daemon {

namespace {
std::int64_t ms(bfd::Micros us) { return us.count() / 1000; }
}  // namespace

BfdLink::BfdLink(boost::asio::io_context& io, const base::Clock& clock, Drop drop)
    : drop_(std::move(drop)) {
  bfd::ManagerCallbacks cb;
  cb.on_state = [this](bfd::SessionId id, const bfd::PeerSpec&, const bfd::StateChange& c) {
    on_state(id, c);
  };
  mgr_ = std::make_unique<bfd::Manager>(io, clock, std::move(cb));
}

BfdLink::~BfdLink() = default;

bfd::PeerSpec BfdLink::spec_for(const config::PeerConfig& pc) {
  bfd::PeerSpec s;
  s.name = pc.name;
  s.remote = pc.address;
  s.local = pc.local_address;
  s.multihop = pc.bfd.multihop;
  s.timers.desired_min_tx = std::chrono::milliseconds(pc.bfd.min_tx_ms);
  s.timers.required_min_rx = std::chrono::milliseconds(pc.bfd.min_rx_ms);
  s.timers.detect_mult = pc.bfd.multiplier;
  return s;
}

void BfdLink::sync(
    const std::vector<std::pair<session::PeerId, const config::PeerConfig*>>& peers) {
  std::map<session::PeerId, const config::PeerConfig*> want;
  for (const auto& [sid, pc] : peers)
    if (pc->enabled && pc->bfd.enabled) want[sid] = pc;
  for (auto it = links_.begin(); it != links_.end();) {
    auto w = want.find(it->first);
    const bool keep = w != want.end() && spec_for(*w->second).remote == it->second.spec.remote &&
                      spec_for(*w->second).multihop == it->second.spec.multihop &&
                      spec_for(*w->second).local == it->second.spec.local;
    if (keep) {
      ++it;
      continue;
    }
    if (it->second.id) mgr_->remove(*it->second.id);
    it = links_.erase(it);
  }
  for (const auto& [sid, pc] : want) {
    const bfd::PeerSpec spec = spec_for(*pc);
    auto it = links_.find(sid);
    if (it != links_.end()) {
      if (it->second.id && !(it->second.spec.timers == spec.timers))
        mgr_->update(*it->second.id, spec.timers);
      it->second.spec = spec;
      continue;
    }
    Link l;
    l.peer = sid;
    l.spec = spec;
    auto id = mgr_->add(spec);
    if (id) {
      l.id = *id;
      spdlog::info("bfd {} ({}): session started ({}, {} ms x {}, discriminator {})", pc->name,
                   pc->address, spec.multihop ? "multihop" : "single-hop", pc->bfd.min_rx_ms,
                   unsigned{pc->bfd.multiplier}, *id);
    } else {
      l.error = id.error();
      spdlog::error("bfd {} ({}): {}; the BGP session runs without BFD", pc->name, pc->address,
                    l.error);
    }
    links_.emplace(sid, std::move(l));
  }
}

void BfdLink::on_state(bfd::SessionId id, const bfd::StateChange& c) {
  Link* l = nullptr;
  for (auto& [sid, x] : links_)
    if (x.id == id) l = &x;
  if (!l || c.from != bfd::State::Up || c.to == bfd::State::Up) return;
  const auto info = mgr_->session(id);
  if (info && info->remote_state == bfd::State::AdminDown) {
    // RFC 5882 3.2: the neighbour turned BFD off on purpose; the path may be fine.
    spdlog::info("bfd {}: neighbour signalled AdminDown; the BGP session is left alone",
                 l->spec.name);
    return;
  }
  ++l->bgp_drops;
  const std::string reason = fmt::format("BFD down ({})", bfd::to_string(c.diag));
  spdlog::warn("bfd {} ({}): {}; closing the BGP session (Cease/BFD Down)", l->spec.name,
               l->spec.remote, reason);
  drop_(l->peer, reason);
}

void BfdLink::shutdown() {
  for (auto& [sid, l] : links_)
    if (l.id) mgr_->remove(*l.id);
  links_.clear();
}

nlohmann::json BfdLink::show() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [sid, l] : links_) {
    nlohmann::json j{{"peer", l.spec.name},
                     {"address", l.spec.remote.to_string()},
                     {"multihop", l.spec.multihop},
                     {"min_tx_ms", ms(l.spec.timers.desired_min_tx)},
                     {"min_rx_ms", ms(l.spec.timers.required_min_rx)},
                     {"multiplier", l.spec.timers.detect_mult},
                     {"bgp_drops", l.bgp_drops}};
    if (l.spec.local) j["local_address"] = l.spec.local->to_string();
    const auto info = l.id ? mgr_->session(*l.id) : std::nullopt;
    if (!info) {
      j["state"] = "Error";
      j["error"] = l.error;
      out.push_back(std::move(j));
      continue;
    }
    j["state"] = bfd::to_string(info->state);
    j["remote_state"] = bfd::to_string(info->remote_state);
    j["local_diag"] = bfd::to_string(info->local_diag);
    j["remote_diag"] = bfd::to_string(info->remote_diag);
    j["local_discriminator"] = info->local_discr;
    j["remote_discriminator"] = info->remote_discr;
    j["tx_interval_ms"] = static_cast<double>(info->tx_interval.count()) / 1000.0;
    j["detection_time_ms"] = static_cast<double>(info->detection_time.count()) / 1000.0;
    j["remote_min_rx_ms"] = static_cast<double>(info->remote_min_rx.count()) / 1000.0;
    j["remote_min_tx_ms"] = static_cast<double>(info->remote_min_tx.count()) / 1000.0;
    j["remote_multiplier"] = info->remote_detect_mult;
    j["source_port"] = info->source_port;
    j["since"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                             fmt::gmtime(std::chrono::system_clock::to_time_t(info->since)));
    j["packets_in"] = info->packets_in;
    j["packets_out"] = info->packets_out;
    j["up_count"] = info->up_count;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace nvabgpd::daemon
