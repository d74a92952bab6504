// Rib, the facade: construction, peers (up, down, graceful-restart stale routes), timers,
// and the outputs. Import is in import.cpp, the decision run in decision_run.cpp, the FIB
// stream in fib_stream.cpp, the export side in export.cpp and its nouns.
#include <algorithm>
#include <array>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

Rib::Rib(RibConfig cfg, base::NextHopResolver& resolver)
    : cfg_(std::move(cfg)),
      next_hops_(resolver, table_),
      peer_table_(std::make_unique<PeerTable>()),
      peers_(*peer_table_),
      export_policy_(std::make_unique<ExportPolicy>(cfg_, store_, table_, peers_)) {
  Peer& local = peers_.local();
  local.up = true;
  local.cfg.id = kLocalPeer;
  local.cfg.name = "local";
  local.cfg.local_asn = cfg_.local_asn;
  local.cfg.remote_asn = cfg_.local_asn;
  local.cfg.remote_router_id = cfg_.router_id;
  fib_sets_.push_back({});  // id 0: no route
}

Rib::~Rib() {
  // Release every reference before the pools go away (members are destroyed in reverse
  // order, store_ last among the ones holding refs).
  groups_.clear();
  peers_.for_each([](Peer& p) { p.clear_pre_policy(); });
  for (EntryId id = 0; id < table_.id_limit(); ++id)
    if (table_.live(id)) table_.at(id).clear_paths();
}

Rib::Peer* Rib::peer_by_id(PeerId id) { return peers_.find(id); }
const Rib::Peer* Rib::peer_by_id(PeerId id) const { return peers_.find(id); }

// ---------------------------------------------------------------------------------------
// Peers

void Rib::peer_up(const PeerUp& cfg, base::SteadyTime now) {
  if (cfg.id == kLocalPeer) return;
  Peer& p = peers_.get_or_add(cfg.id);
  if (p.up) leave_group(p);  // its export state there goes with it
  p.cfg = cfg;
  p.up = true;
  p.import_limit_reported = false;
  if (p.has_stale()) {
    if (cfg.graceful_restart) {
      p.set_stale_deadline(now + cfg.stale_time);  // RFC 4724 4.2: wait for End-of-RIB
    } else {
      sweep_stale(p);  // the peer came back without graceful restart: drop what it left
    }
  }
  join_group(p);
}

void Rib::peer_down(const PeerDown& d, base::SteadyTime now) {
  Peer* p = peer_by_id(d.id);
  if (!p || !p->up || p->local) return;
  leave_group(*p);
  p->up = false;
  p->clear_pre_policy();
  const bool keep = d.graceful && p->cfg.graceful_restart;
  remove_all_paths(*p, keep);
  if (keep && p->has_stale()) {
    p->set_stale_deadline(now + p->cfg.restart_time);
  } else if (!keep) {
    p->swept(false);  // stale routes from an earlier restart went with the rest
  }
}

void Rib::remove_all_paths(Peer& p, bool keep_as_stale) {
  for (EntryId id = 0; id < table_.id_limit(); ++id) {
    if (!table_.live(id)) continue;
    Entry& e = table_.at(id);
    Path* path = e.find(p.slot);
    if (!path) continue;
    if (keep_as_stale) {
      path->flags |= path_flag::kStale;
      p.marked_stale();
      continue;
    }
    drop_path(id, p.slot);
    if (p.counters.accepted) --p.counters.accepted;
    mark_dirty(id);
  }
}

void Rib::sweep_stale(Peer& p, std::optional<wire::AfiSafi> af) {
  std::uint64_t swept = 0;
  bool left = false;  // stale routes of other families, still awaiting their End-of-RIB
  for (EntryId id = 0; id < table_.id_limit(); ++id) {
    if (!table_.live(id)) continue;
    Entry& e = table_.at(id);
    Path* path = e.find(p.slot);
    if (!path || !(path->flags & path_flag::kStale)) continue;
    if (af && (table_.prefix(id).addr().is_v6() ? wire::kIpv6Unicast : wire::kIpv4Unicast) != *af) {
      left = true;
      continue;
    }
    drop_path(id, p.slot);
    if (p.counters.accepted) --p.counters.accepted;
    ++swept;
    mark_dirty(id);
  }
  p.swept(left);
  if (swept)
    events_.push_back({RibEvent::Kind::StaleSwept,
                       p.cfg.id,
                       wire::kIpv4Unicast,
                       swept,
                       {},
                       fmt::format("{} stale routes of {} removed", swept, p.cfg.name)});
}

void Rib::tick(base::SteadyTime now) {
  peers_.for_each([&](Peer& p) {
    if (p.stale_due(now)) sweep_stale(p);
  });
}

std::optional<base::SteadyTime> Rib::next_deadline() const {
  std::optional<base::SteadyTime> t;
  peers_.for_each([&](const Peer& p) {
    if (auto d = p.stale_deadline(); d && (!t || *d < *t)) t = d;
  });
  return t;
}

void Rib::next_hops_changed(std::span<const base::IpAddress> changed) {
  next_hops_.changed(changed);
}

std::vector<RibEvent> Rib::take_events() { return std::exchange(events_, {}); }

std::optional<PeerCounters> Rib::counters(PeerId peer) const {
  const Peer* p = peer_by_id(peer);
  if (!p) return std::nullopt;
  PeerCounters c = p->counters;
  c.advertised = p->group ? p->group->out().count() : 0;
  return c;
}

}  // namespace nvabgpd::rib
