// Rib import: received UPDATEs into the Adj-RIB-In and Loc-RIB candidates (prepare_import,
// the import filter, the import limit), enhanced route refresh markers, re-import, local routes.
#include <algorithm>
#include <array>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

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

// The prefixes of one UPDATE share their attributes: an import filter that uses the prefix only
// through yes/no tests (RouteFilter::prefix_signature) gives every prefix with the same
// answers (and address family: the next hop's family is fixed up per prefix) the same verdict,
// so it runs, and its change is interned, once per answer instead of once per prefix.
struct Rib::ImportMemo {
  struct Verdict {
    std::uint64_t signature = 0;
    bool v4 = false;
    bool accept = false;
    AttrRef accepted;
  };
  static constexpr std::size_t kMax = 16;  // distinct answers kept per UPDATE
  std::vector<Verdict> verdicts;
};

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
  withdraw_all(p, u.withdrawn);
  if (u.mp_unreach) withdraw_all(p, u.mp_unreach->withdrawn);
  if (!u.has_attributes) return;

  // One attribute value per UPDATE: prepare it for the import filter (prepare_import), then
  // intern it once and share it between all its prefixes.
  auto announce_all = [&](const std::vector<base::Prefix>& nlri, wire::PathAttributes attrs) {
    if (nlri.empty()) return;
    // Loop checks and default LOCAL_PREF, on the route as received (before the filter).
    const std::uint16_t loops = prepare_import(p.cfg, attrs);
    AttrRef interned = store_.intern(attrs);
    ImportMemo memo;
    for (const auto& prefix : nlri)
      announce_path(p, prefix, interned, interned, attrs, loops, &memo);
  };
  announce_all(u.nlri, u.attrs);
  if (u.mp_reach) {
    wire::PathAttributes a = u.attrs;
    a.next_hop = u.mp_reach->next_hop;
    a.link_local_next_hop = u.mp_reach->link_local_next_hop;
    announce_all(u.mp_reach->nlri, std::move(a));
  }
}

void Rib::withdraw_all(Peer& p, const std::vector<base::Prefix>& prefixes) {
  // Memory-bound: each prefix is a cache miss on the index and one on its entry. Hinting the
  // index slot 16 prefixes ahead and the entry 8 ahead overlaps those misses.
  // The paths' attribute sets (the path's reference is dropped) 4 ahead.
  constexpr std::size_t kSlotAhead = 16, kEntryAhead = 8, kPathsAhead = 4;
  const std::size_t n = prefixes.size();
  for (std::size_t i = 0; i < std::min(n, kSlotAhead); ++i) table_.prefetch_slot(prefixes[i]);
  for (std::size_t i = 0; i < std::min(n, kEntryAhead); ++i) table_.prefetch_entry(prefixes[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kSlotAhead < n) table_.prefetch_slot(prefixes[i + kSlotAhead]);
    if (i + kEntryAhead < n) table_.prefetch_entry(prefixes[i + kEntryAhead]);
    if (i + kPathsAhead < n) table_.prefetch_paths(prefixes[i + kPathsAhead]);
    withdraw_path(p, prefixes[i]);
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
                        std::uint16_t loop_flags, ImportMemo* memo) {
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
    std::optional<std::uint64_t> sig;
    if (memo && f->kind() == RouteFilter::Kind::Program) sig = f->prefix_signature(prefix);
    const ImportMemo::Verdict* known = nullptr;
    if (sig)
      for (const auto& v : memo->verdicts)
        if (v.signature == *sig && v.v4 == prefix.is_v4()) known = &v;
    bool accept;
    if (known) {
      accept = known->accept;
      if (accept) accepted = known->accepted;
    } else {
      FilterResult r =
          f->kind() == RouteFilter::Kind::RejectAll
              ? FilterResult{false, std::nullopt, {}}
              : f->run(prefix, wire_attrs,
                       FilterContext{FilterDirection::Import, p.cfg.id, p.cfg.remote_asn, 0});
      accept = r.accept;
      if (accept && r.modified) {
        keep_gateway_family(prefix, wire_attrs, *r.modified);
        accepted = store_.intern(*r.modified);  // its own ASN prepended is no loop
      }
      if (sig && memo->verdicts.size() < ImportMemo::kMax)
        memo->verdicts.push_back({*sig, prefix.is_v4(), accept, accept ? accepted : AttrRef{}});
    }
    if (!accept) {
      ++p.counters.filtered;
      remove_path(p, prefix);  // an implicit withdraw of what the peer sent before
      return;
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

}  // namespace nvabgpd::rib
