// Rib: peers, import (Adj-RIB-In), the decision run and the FIB stream.
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

void Rib::mark_dirty(EntryId id) {
  Entry& e = table_.at(id);
  if (e.flags & entry_flag::kDirty) return;
  e.flags |= entry_flag::kDirty;
  dirty_.push_back(id);
}

bool Rib::busy() const {
  if (dirty_head_ < dirty_.size() || next_hops_.marking()) return true;
  return std::any_of(groups_.begin(), groups_.end(), [](const auto& g) { return g->walking(); });
}

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

// ---------------------------------------------------------------------------------------
// Import

namespace {

bool is_end_of_rib(const wire::Update& u, wire::AfiSafi& af) {
  if (!u.withdrawn.empty() || !u.nlri.empty() || u.mp_reach) return false;
  if (!u.mp_unreach) {
    if (u.has_attributes) return false;
    af = wire::kIpv4Unicast;
    return true;
  }
  if (!u.mp_unreach->withdrawn.empty()) return false;
  af = u.mp_unreach->af;
  return true;
}

// BIRD resolves a route's gateway from the received next hop before the import filter. An
// import filter that sets a next hop of the other address family (an IPv6 bgp_next_hop on an
// IPv4 route) leaves that gateway in place, and BIRD then announces the gateway over iBGP; so
// the received next hop is kept here too (issue 12).
void keep_gateway_family(const base::Prefix& p, const wire::PathAttributes& received,
                         wire::PathAttributes& filtered) {
  const auto& in = received.next_hop;
  const auto& out = filtered.next_hop;
  if (in && out && in->is_v4() == p.is_v4() && out->is_v4() != p.is_v4()) filtered.next_hop = in;
}

}  // namespace

void Rib::update(const UpdateIn& in, base::SteadyTime /*now*/) {
  Peer* pp = peer_by_id(in.peer);
  if (!pp || !pp->up || pp->local) return;
  Peer& p = *pp;
  const wire::Update& u = in.update;
  ++p.counters.updates;
  if (wire::AfiSafi af; is_end_of_rib(u, af)) {
    end_of_rib(p, af);
    return;
  }
  for (const auto& w : u.withdrawn) withdraw_path(p, w);
  if (u.mp_unreach)
    for (const auto& w : u.mp_unreach->withdrawn) withdraw_path(p, w);
  if (!u.has_attributes) return;

  // One attribute value per UPDATE: prepare it for the import filter (prepare_import), then
  // intern it once and share it between all its prefixes.
  auto announce_all = [&](const std::vector<base::Prefix>& nlri, wire::PathAttributes attrs) {
    if (nlri.empty()) return;
    // Loop checks and default LOCAL_PREF, on the route as received (before the filter).
    const std::uint16_t loops = prepare_import(p.cfg, attrs);
    AttrRef interned = store_.intern(attrs);
    for (const auto& prefix : nlri) announce_path(p, prefix, interned, interned, attrs, loops);
  };
  announce_all(u.nlri, u.attrs);
  if (u.mp_reach) {
    wire::PathAttributes a = u.attrs;
    a.next_hop = u.mp_reach->next_hop;
    a.link_local_next_hop = u.mp_reach->link_local_next_hop;
    announce_all(u.mp_reach->nlri, std::move(a));
  }
}

void Rib::withdraw_path(Peer& p, const base::Prefix& prefix) {
  ++p.counters.withdrawn;
  p.forget_pre_policy(prefix);
  remove_path(p, prefix);
}

void Rib::remove_path(Peer& p, const base::Prefix& prefix) {
  const EntryId id = table_.find(prefix);
  if (id == kNoEntry) return;
  if (drop_path(id, p.slot)) {
    if (p.counters.accepted) --p.counters.accepted;
    mark_dirty(id);
  }
}

void Rib::announce_path(Peer& p, const base::Prefix& prefix, const AttrRef& pre_policy,
                        const AttrRef& accepted_same, const wire::PathAttributes& wire_attrs,
                        std::uint16_t loop_flags) {
  ++p.counters.received;
  p.keep_pre_policy(prefix, pre_policy);
  // Import filter: `all` and `none` never materialise anything.
  AttrRef accepted = accepted_same;
  const RouteFilter* f = p.cfg.import_filter.get();
  // A looping route never reaches a filter program (BIRD drops it before); it is kept,
  // ineligible, as received, so that explain can say why it is not used.
  const bool run_filter = f && f->kind() != RouteFilter::Kind::AcceptAll &&
                          (loop_flags == 0 || f->kind() == RouteFilter::Kind::RejectAll);
  if (run_filter) {
    FilterResult r =
        f->kind() == RouteFilter::Kind::RejectAll
            ? FilterResult{false, std::nullopt, {}}
            : f->run(prefix, wire_attrs,
                     FilterContext{FilterDirection::Import, p.cfg.id, p.cfg.remote_asn, 0});
    if (!r.accept) {
      ++p.counters.filtered;
      remove_path(p, prefix);  // an implicit withdraw of what the peer sent before
      return;
    }
    if (r.modified) {
      keep_gateway_family(prefix, wire_attrs, *r.modified);
      accepted = store_.intern(*r.modified);  // its own ASN prepended is no loop
    }
  }
  // One probe of the prefix index; an entry created here and then refused by the import
  // limit is left empty and freed after the next decision run.
  const EntryId id = table_.find_or_insert(prefix);
  if (id == kNoEntry) {
    ++p.counters.limit_blocked;  // the table is full (16M prefixes)
    return;
  }
  const bool is_new = table_.at(id).find(p.slot) == nullptr;
  if (is_new && p.cfg.import_limit.max && p.counters.accepted >= p.cfg.import_limit.max) {
    const auto& lim = p.cfg.import_limit;
    if (!p.import_limit_reported || lim.action == LimitAction::Restart) {
      p.import_limit_reported = true;
      const bool restart = lim.action == LimitAction::Restart;
      events_.push_back(
          {restart ? RibEvent::Kind::ImportLimitRestart : RibEvent::Kind::ImportLimitReached,
           p.cfg.id, prefix.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast, p.counters.accepted,
           restart ? lim.restart_after : std::chrono::seconds{0},
           fmt::format("peer {} reached its import limit of {} routes", p.cfg.name, lim.max)});
    }
    if (lim.action != LimitAction::Warn) {
      ++p.counters.limit_blocked;
      if (table_.at(id).size() == 0) mark_dirty(id);  // let the decision run free it
      return;
    }
  }
  Path& path = set_path(id, p.slot, std::move(accepted));
  path.flags = loop_flags;  // a fresh announcement also clears the stale mark
  if (loop_flags) ++p.counters.loops;
  if (is_new) ++p.counters.accepted;
  mark_dirty(id);
}

void Rib::refresh_marker(PeerId peer, wire::AfiSafi af, bool begin, base::SteadyTime now) {
  Peer* p = peer_by_id(peer);
  if (!p || !p->up || p->local) return;
  if (!begin) {
    // EoRR: what was not re-sent since BoRR is gone. An EoRR without BoRR finds nothing stale
    // in the family (RFC 7313 4.2: ignored).
    if (p->has_stale()) sweep_stale(*p, af);
    return;
  }
  // BoRR: the same mark as a graceful restart (one mechanism); only the family's routes.
  bool marked = false;
  for (EntryId id = 0; id < table_.id_limit(); ++id) {
    if (!table_.live(id)) continue;
    if ((table_.prefix(id).addr().is_v6() ? wire::kIpv6Unicast : wire::kIpv4Unicast) != af)
      continue;
    Path* path = table_.at(id).find(p->slot);
    if (!path) continue;
    path->flags |= path_flag::kStale;
    marked = true;
  }
  if (!marked) return;
  p->marked_stale();
  p->shorten_stale_deadline(now + p->cfg.stale_time);
}

void Rib::end_of_rib(Peer& p, wire::AfiSafi af) {
  // RFC 4724 4.2: the restarting peer has re-sent everything of this family; what is still
  // stale in it is gone (the other families wait for their own End-of-RIB).
  if (p.has_stale()) sweep_stale(p, af);
}

void Rib::reimport(PeerId peer, FilterPtr new_filter) {
  Peer* p = peer_by_id(peer);
  if (!p || p->local) return;
  p->cfg.import_filter = std::move(new_filter);
  if (!p->up) return;
  if (!p->cfg.soft_reconfig_in) {
    for (auto af : p->cfg.families)
      events_.push_back(
          {RibEvent::Kind::SendRouteRefresh, peer, af, 0, {}, "import policy changed"});
    return;
  }
  // Re-run the import from the stored copy (soft reconfiguration inbound).
  for (const auto& [prefix, attrs] : p->pre_policy_routes()) {
    const wire::PathAttributes a = AttrStore::materialize(*attrs);
    announce_path(*p, prefix, attrs, attrs, a, loop_flags_for(p->cfg, a));  // already prepared
    --p->counters.received;
  }
}

void Rib::originate(const base::Prefix& prefix, const wire::PathAttributes& attrs) {
  const EntryId id = table_.find_or_insert(prefix);
  if (id == kNoEntry) return;
  Entry& e = table_.at(id);
  const bool is_new = e.find(0) == nullptr;
  e.upsert(0, store_.intern(attrs)).flags = 0;
  if (is_new) ++peers_.local().counters.accepted;
  mark_dirty(id);
}

void Rib::withdraw_local(const base::Prefix& prefix) { withdraw_path(peers_.local(), prefix); }

// ---------------------------------------------------------------------------------------
// Decision

Path& Rib::set_path(EntryId id, std::uint32_t slot, AttrRef attrs) {
  Entry& e = table_.at(id);
  const Path* old = e.find(slot);
  const NextHop* before = old ? old->attrs->next_hop() : nullptr;
  Path& path = e.upsert(slot, std::move(attrs));
  // Local routes need no resolution (see candidate()): they are not in next_hops_.
  if (!peers_[slot]->local && path.attrs->next_hop() != before) {
    if (path.attrs->next_hop()) next_hops_.add(path.attrs->next_hop_ref(), id);
    if (before) next_hops_.remove(before, id);  // `before` is kept alive by next_hops_ until here
  }
  return path;
}

bool Rib::drop_path(EntryId id, std::uint32_t slot) {
  Entry& e = table_.at(id);
  const Path* old = e.find(slot);
  if (!old) return false;
  Ref<NextHop> nh = peers_[slot]->local ? Ref<NextHop>{} : old->attrs->next_hop_ref();
  e.remove(slot);
  if (nh) next_hops_.remove(nh.get(), id);
  return true;
}

Candidate Rib::candidate(const Path& path) const {
  const Peer& src = *peers_[path.peer];
  Candidate c;
  c.attrs = path.attrs.get();
  c.local = src.local;
  c.ebgp = !src.local && src.cfg.ebgp();
  c.neighbour_as = c.attrs->as_path().neighbour_as().value_or(cfg_.local_asn);
  c.router_id = src.cfg.remote_router_id;
  c.peer_address = src.cfg.address;
  c.eligible = (path.flags & path_flag::kIneligibleMask) == 0;
  if (c.eligible && !src.local) {
    // A learned route needs a resolvable next hop to be usable (RFC 4271 9.1.2).
    const NextHopState nh = next_hops_.state(c.attrs->next_hop());
    c.eligible = nh.reachable;
    c.igp_cost = nh.igp_cost;
  }
  return c;
}

void Rib::decide(EntryId id) {
  Entry& e = table_.at(id);
  e.flags &= static_cast<std::uint16_t>(~entry_flag::kDirty);
  scratch_.clear();
  for (Path& p : e) {
    p.flags &= static_cast<std::uint16_t>(~(path_flag::kBest | path_flag::kEcmp));
    scratch_.push_back(candidate(p));
  }
  const std::uint32_t best = select_best(scratch_, cfg_.decision);
  if (best != Selection::kNone) {
    e[best].flags |= path_flag::kBest | path_flag::kEcmp;
    if (cfg_.decision.max_paths > 1) {
      unsigned n = 1;
      for (std::uint32_t i = 0; i < e.size() && n < cfg_.decision.max_paths; ++i) {
        if (i != best && ecmp_equal(scratch_[best], scratch_[i], cfg_.decision)) {
          e[i].flags |= path_flag::kEcmp;
          ++n;
        }
      }
    }
  }
  if (cfg_.fib) update_fib(id, e);
  for (auto& g : groups_) export_entry(*g, id);
  if (e.size() == 0) maybe_free_.push_back(id);
}

std::size_t Rib::run(std::size_t budget) {
  // Prefixes whose next hop changed, first: marking one is far cheaper than deciding one.
  std::size_t used = 0;
  if (next_hops_.marking()) {
    std::vector<EntryId> marked;
    used = next_hops_.drain(budget, marked);
    for (EntryId id : marked) mark_dirty(id);
  }
  while (used < budget && dirty_head_ < dirty_.size()) {
    const EntryId id = dirty_[dirty_head_++];
    if (table_.live(id) && (table_.at(id).flags & entry_flag::kDirty)) decide(id);
    ++used;
  }
  if (dirty_head_ == dirty_.size()) {
    dirty_.clear();
    if (dirty_.capacity() > 65536) dirty_.shrink_to_fit();
    dirty_head_ = 0;
  }
  // Initial (or re-)export walks of update groups, after the dirty prefixes.
  for (auto& g : groups_) {
    while (used < budget) {
      const std::optional<EntryId> id = g->walk_next(table_.id_limit());
      if (!id) break;
      if (table_.live(*id) && !(table_.at(*id).flags & entry_flag::kDirty)) export_entry(*g, *id);
      ++used;
    }
  }
  return used;
}

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

void Rib::next_hops_changed(std::span<const base::IpAddress> changed) {
  next_hops_.changed(changed);
}

FibBatch Rib::take_fib() {
  std::fill(fib_batch_index_.begin(), fib_batch_index_.end(), 0);
  return std::exchange(fib_out_, FibBatch{});
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
