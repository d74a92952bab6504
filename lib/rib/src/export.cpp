// Update groups, export rules, Adj-RIB-Out and update packing.
#include <algorithm>
#include <utility>

#include "rib_state.hpp"

namespace nvabgpd::rib {

GroupKey GroupKey::of(const PeerUp& p) {
  GroupKey k;
  k.ebgp = p.ebgp();
  k.local_asn = p.local_asn;
  k.families = p.families;
  std::sort(k.families.begin(), k.families.end());
  k.rr_client = p.rr_client;
  k.route_server_client = p.route_server_client;
  k.next_hop_self = p.next_hop_self;
  k.next_hop_unchanged = p.next_hop_unchanged;
  k.export_policy_id = p.export_policy_id;
  k.export_filter = p.export_filter.get();
  k.export_limit = p.export_limit.max;
  k.export_action = p.export_limit.action;
  k.mrai_ms = p.mrai.count();
  return k;
}

Rib::Group& Rib::group_for(const Peer& p) {
  const GroupKey key = GroupKey::of(p.cfg);
  for (auto& g : groups_) {
    if (g->key == key) {
      g->joining.push_back(p.cfg.id);
      // Routes whose best path comes from the joiner (stale ones after a graceful restart)
      // are not sent back to it.
      for (EntryId id = 0; id < g->out.size(); ++id) {
        if (!g->out[id]) continue;
        const Path* best = table_.at(id).best();
        if (best && best->peer == p.slot) g->except[id] = p.cfg.id;
      }
      if (g->suppressed_single) {
        g->suppressed_single = false;
        g->walking = true;
        g->walk_cursor = 0;
      }
      return *g;
    }
  }
  auto g = std::make_unique<Group>();
  g->id = next_group_id_++;
  g->key = key;
  g->export_filter = p.cfg.export_filter;
  g->members.push_back(p.cfg.id);
  g->eor_waiting.push_back(p.cfg.id);
  g->walking = true;
  g->walk_cursor = 0;
  groups_.push_back(std::move(g));
  return *groups_.back();
}

void Rib::leave_group(Peer& p) {
  Group* g = p.group;
  p.group = nullptr;
  if (!g) return;
  for (auto* v : {&g->members, &g->joining, &g->eor_waiting, &g->eor_only, &g->refresh})
    v->erase(std::remove(v->begin(), v->end(), p.cfg.id), v->end());
  if (g->members.empty() && g->joining.empty()) {
    std::erase_if(groups_, [g](const auto& x) { return x.get() == g; });
  }
}

void Rib::reexport(const PeerUp& cfg) {
  Peer* p = peer_by_id(cfg.id);
  if (!p || p->local) return;
  if (!p->up || !p->group) return;  // peer_up() brings the new settings
  if (GroupKey::of(cfg) == p->group->key) {
    p->cfg = cfg;
    return;
  }
  const Group& old = *p->group;
  const PeerId me = cfg.id;
  auto in = [me](const std::vector<PeerId>& v) { return std::find(v.begin(), v.end(), me) != v.end(); };
  // What the peer holds now. Still joining: it has not had the old group's dump, so it holds
  // what it held before that (nothing after a fresh peer_up).
  std::vector<std::pair<EntryId, AttrRef>> held;
  bool eor_owed;
  if (in(old.joining)) {
    if (p->reexporting) held = std::move(p->reexport_held);
    eor_owed = !p->reexporting || p->reexport_eor_owed;
  } else {
    // Changes queued for this peer alone (it became or stopped being a route's source) are
    // not in pending_bit: their state at the peer is unknown too.
    std::vector<bool> own_pending(old.out.size(), false);
    for (const auto* v : {&old.peer_withdraw, &old.peer_announce})
      for (const auto& [peer, id] : *v)
        if (peer == me) own_pending[id] = true;
    for (EntryId id = 0; id < old.out.size(); ++id) {
      const bool pending = old.pending_bit[id] || own_pending[id];
      if (!pending && (!old.out[id] || old.except[id] == me)) continue;
      held.emplace_back(id, pending ? AttrRef{} : old.out[id]);
    }
    eor_owed = in(old.eor_waiting);
  }
  p->reexport_held.clear();
  p->reexporting = false;
  leave_group(*p);
  p->cfg = cfg;
  Group& g = group_for(*p);
  p->group = &g;
  if (in(g.joining)) {
    // An existing group: take_outbound() sends the difference instead of a full dump.
    p->reexport_held = std::move(held);
    p->reexporting = true;
    p->reexport_eor_owed = eor_owed;
    return;
  }
  // A group of its own, walking its table from scratch: start its Adj-RIB-Out from what the
  // peer holds, so the walk sends only what differs. Unknown states are re-sent.
  if (!eor_owed) std::erase(g.eor_waiting, me);
  for (const auto& [id, attrs] : held) {
    g.ensure(id);
    if (attrs) {
      g.out[id] = attrs;
      ++g.out_count;
    } else {
      g.mark_pending(id);
    }
  }
}

bool Rib::peer_is_member(const Group& g, std::uint32_t slot) const {
  const PeerId id = peers_[slot]->cfg.id;
  return std::find(g.members.begin(), g.members.end(), id) != g.members.end() ||
         std::find(g.joining.begin(), g.joining.end(), id) != g.joining.end();
}

std::size_t Rib::group_count() const { return groups_.size(); }

std::optional<std::uint32_t> Rib::group_of(PeerId peer) const {
  const Peer* p = peer_by_id(peer);
  if (!p || !p->group) return std::nullopt;
  return p->group->id;
}

// ---------------------------------------------------------------------------------------
// Export rules

const char* Rib::community_block(const AttrSet& a, bool ebgp) {
  if (a.no_advertise()) return "NO_ADVERTISE community";
  if (ebgp && a.no_export()) return "NO_EXPORT community toward an eBGP peer";
  if (ebgp && a.no_export_subconfed()) return "NO_EXPORT_SUBCONFED community toward an eBGP peer";
  return nullptr;
}

AttrRef Rib::transform(const Group& g, const AttrRef& attrs, const Peer& src, bool keep_med, bool v6) const {
  const bool reflected = !g.key.ebgp && !src.local && !src.cfg.ebgp();
  const Group::MemoKey mk{attrs.get(), reflected ? src.slot : 0U,
                          (keep_med ? 1U : 0U) | (v6 ? 2U : 0U) | (src.local ? 4U : 0U)};
  if (auto it = g.memo.find(mk); it != g.memo.end()) return it->second.second;

  AttrSet s(*attrs);
  // Next-hop-self is stored as the unspecified address and written per peer by the encoder
  // (self_next_hop()), so peers on different local addresses still share one update group.
  const base::IpAddress self = v6 ? base::IpAddress::v6({}) : base::IpAddress{};
  if (g.key.ebgp) {
    // RFC 4271 5.1.2: prepend our AS toward an external peer; RFC 7947 2.2: a route
    // server does not.
    if (!g.key.route_server_client)
      s.set_as_path(store_.intern_path(attrs->as_path().prepended(g.key.local_asn)));
    s.set_local_pref(std::nullopt);  // 5.1.5: LOCAL_PREF only inside the AS
    // 5.1.4: a MED learned from a neighbouring AS is not passed on, unless our export filter
    // set it (then it is ours); RFC 7947: a route server passes it unchanged.
    if (!g.key.route_server_client && !keep_med && !src.local) s.set_med(std::nullopt);
    // 5.1.3: next hop self, unless the peer keeps it (route server, third party) or there
    // is none to keep.
    const bool keep_nh = (g.key.route_server_client || g.key.next_hop_unchanged) && s.next_hop();
    if (!keep_nh) s.set_next_hop(store_.intern_next_hop(self));
    // RFC 4456: ORIGINATOR_ID and CLUSTER_LIST are not sent outside the AS.
    s.set_originator_id(std::nullopt);
    if (s.rare()) s.rare_mut().cluster_list.clear();
  } else {
    if (!s.local_pref()) s.set_local_pref(cfg_.decision.default_local_pref);
    if (g.key.next_hop_self || !s.next_hop()) s.set_next_hop(store_.intern_next_hop(self));
    if (reflected) {
      // RFC 4456 8: set ORIGINATOR_ID (if absent) to the originating peer's identifier and
      // prepend our CLUSTER_ID to the CLUSTER_LIST.
      if (!s.originator_id()) s.set_originator_id(src.cfg.remote_router_id);
      auto& cl = s.rare_mut().cluster_list;
      cl.insert(cl.begin(), cfg_.cluster_id.value_or(cfg_.router_id));
    }
  }
  s.normalise_rare();
  AttrRef out = store_.intern(std::move(s));
  if (g.memo.size() > (1U << 18)) g.memo.clear();  // also cleared after every take_outbound()
  g.memo.emplace(mk, std::make_pair(attrs, out));
  return out;
}

Rib::ExportResult Rib::export_route(const Group& g, EntryId id, bool want_reason) const {
  ExportResult r;
  // The reason text is built only for explain, never on the export hot path.
  auto reject = [&](auto&& why) {
    if (want_reason) r.reason = why();
    r.attrs.reset();
    return std::move(r);
  };
  const Entry& e = table_.at(id);
  const bool v6 = (e.key >> 63) != 0;
  const wire::AfiSafi af = v6 ? wire::kIpv6Unicast : wire::kIpv4Unicast;
  if (std::find(g.key.families.begin(), g.key.families.end(), af) == g.key.families.end())
    return reject([] { return std::string("address family not negotiated with the peer"); });
  const Path* best = e.best();
  if (!best) return reject([] { return std::string("no usable path (no best route)"); });
  const Peer& src = *peers_[best->peer];

  // Never back to the peer it came from: that member is excluded from the group's UPDATE.
  if (!src.local && peer_is_member(g, src.slot)) {
    // A group whose only member is the source stores nothing (no Adj-RIB-Out for an
    // injector); a second member joining makes the group walk its table again.
    if (g.members.size() + g.joining.size() == 1) {
      g.suppressed_single = true;
      return reject([] { return std::string("best path was learned from this peer"); });
    }
    r.except = src.cfg.id;
  }
  // RFC 4271 9.2 / RFC 4456 6: iBGP-learned routes go to iBGP peers only by reflection:
  // from a client to everyone, from a non-client to clients only.
  if (!g.key.ebgp && !src.local && !src.cfg.ebgp() && !src.cfg.rr_client && !g.key.rr_client)
    return reject([&] {
      return fmt::format("iBGP split horizon: learned from iBGP peer {} (not a route reflector client)", src.cfg.name);
    });
  // Well-known communities (RFC 1997), checked on the route as it is in the Loc-RIB, before
  // the export filter (as BIRD does): a filter adding NO_ADVERTISE does not stop it here.
  const AttrSet& a = *best->attrs;
  if (const char* why = community_block(a, g.key.ebgp))
    return reject([why] { return std::string(why); });

  AttrRef attrs = best->attrs;
  bool keep_med = false;
  if (const RouteFilter* f = g.export_filter.get()) {
    if (f->kind() == RouteFilter::Kind::RejectAll) return reject([&] { return fmt::format("rejected by export filter {}", f->name()); });
    if (f->kind() == RouteFilter::Kind::Program) {
      const wire::PathAttributes w = AttrStore::materialize(a);
      const PeerId to = g.members.empty() ? (g.joining.empty() ? 0 : g.joining.front()) : g.members.front();
      const Peer* top = peer_by_id(to);
      FilterResult fr = f->run(table_.prefix(id), w,
                               FilterContext{FilterDirection::Export, to, top ? top->cfg.remote_asn : 0,
                                             src.local ? kLocalPeer : src.cfg.id});
      if (!fr.accept)
        return reject([&] {
          return fmt::format("rejected by export filter {}{}{}", f->name(), fr.reason.empty() ? "" : ": ", fr.reason);
        });
      if (fr.modified) {
        // BIRD keeps a MED toward eBGP when the export filter set it, to any value.
        keep_med = fr.modified->med && (fr.med_assigned || fr.modified->med != w.med);
        attrs = store_.intern(*fr.modified);
      }
    }
  }
  r.attrs = transform(g, attrs, src, keep_med, v6);
  if (want_reason) r.reason = "exported";
  return r;
}

void Rib::export_entry(Group& g, EntryId id) {
  ExportResult r = export_route(g, id, false);
  if (!r.attrs && id >= g.out.size()) return;  // nothing held, nothing to hold
  g.ensure(id);
  AttrRef& cur = g.out[id];
  const PeerId old_except = g.except[id];
  if (r.attrs == cur && r.except == old_except) return;
  if (!r.attrs) {
    if (cur) {
      cur.reset();
      --g.out_count;
      g.mark_pending(id);
      unblock(g);
    }
    g.except[id] = 0;
    return;
  }
  if (!cur) {
    if (g.key.export_limit && g.out_count >= g.key.export_limit) {
      hold_back(g, id);
      return;
    }
    // A withdrawal still pending means the members may hold the previous route: the source
    // member is excluded from this announcement, so it needs that withdrawal on its own.
    if (r.except && g.pending_bit[id]) g.peer_withdraw.emplace_back(r.except, id);
    ++g.out_count;
    g.mark_pending(id);
  } else {
    // The group's route changed, or only its source did. The new source member must lose
    // the copy it holds; when only the source changed, the old source member gets the route
    // and nobody else hears anything (never re-send an unchanged route).
    if (r.except && r.except != old_except) g.peer_withdraw.emplace_back(r.except, id);
    if (r.attrs == cur) {
      if (old_except) g.peer_announce.emplace_back(old_except, id);
    } else {
      g.mark_pending(id);
    }
  }
  cur = std::move(r.attrs);
  g.except[id] = r.except;
}

void Rib::hold_back(Group& g, EntryId id) {
  // Export limit: never lose the session; hold the new route back and say so loudly.
  if (g.blocked_bit[id]) return;  // already held back (and counted)
  g.blocked_bit[id] = true;
  g.blocked.push_back(id);
  for (PeerId m : g.members)
    if (Peer* mp = peer_by_id(m)) ++mp->counters.export_blocked;
  if (g.limit_reported) return;
  g.limit_reported = true;
  for (PeerId m : g.members) {
    const Peer* mp = peer_by_id(m);
    events_.push_back({RibEvent::Kind::ExportLimitReached, m, wire::kIpv4Unicast, g.out_count, {},
                       fmt::format("export limit {} reached toward {}: new routes are held back", g.key.export_limit,
                                   mp ? mp->cfg.name : "?")});
  }
}

void Rib::unblock(Group& g) {
  // A slot freed below the export limit: retry what was held back.
  if (!g.key.export_limit || g.out_count >= g.key.export_limit || g.blocked.empty()) return;
  for (EntryId b : g.blocked) {
    g.blocked_bit[b] = false;
    if (table_.live(b)) mark_dirty(b);
  }
  g.blocked.clear();
  if (!g.limit_reported) return;
  g.limit_reported = false;
  for (PeerId m : g.members)
    events_.push_back(
        {RibEvent::Kind::ExportLimitCleared, m, wire::kIpv4Unicast, g.out_count, {}, "export below limit again"});
}

// ---------------------------------------------------------------------------------------
// Outbound

namespace {

struct Packer {
  struct KeyHash {
    std::size_t operator()(const std::pair<const AttrSet*, PeerId>& k) const noexcept {
      return hash_mix(reinterpret_cast<std::uintptr_t>(k.first), k.second);
    }
  };
  std::unordered_map<std::pair<const AttrSet*, PeerId>, std::size_t, KeyHash> index;  // -> announce slot
  void add(OutboundBatch& b, const AttrRef& attrs, PeerId except, const base::Prefix& p) {
    auto [it, fresh] = index.try_emplace({attrs.get(), except}, b.announce.size());
    if (fresh) b.announce.push_back(Announce{attrs, except, {}});
    b.announce[it->second].prefixes.push_back(p);
  }
};

}  // namespace

void Rib::build_group_batch(Group& g, std::vector<OutboundBatch>& out) {
  if (!g.has_pending() && g.peer_withdraw.empty() && g.peer_announce.empty()) return;
  OutboundBatch b;
  b.group = g.id;
  b.peers = g.members;
  Packer pk;
  auto take_pending = [&](EntryId id) {
    g.pending_bit[id] = false;
    const base::Prefix p = table_.prefix(id);
    if (g.out[id])
      pk.add(b, g.out[id], g.except[id], p);
    else
      b.withdraw.push_back(p);
  };
  if (g.pending_overflow) {  // the list was dropped: every marked id, in id order
    for (EntryId id = 0; id < g.out.size(); ++id)
      if (g.pending_bit[id]) take_pending(id);
    g.pending_overflow = false;
  } else {
    for (EntryId id : g.pending) take_pending(id);
  }
  for (const auto& [peer, id] : g.peer_withdraw) {
    if (!g.out[id] || g.except[id] != peer) continue;
    auto it = std::find_if(b.peer_withdraw.begin(), b.peer_withdraw.end(),
                           [peer = peer](const PeerWithdraw& w) { return w.peer == peer; });
    if (it == b.peer_withdraw.end()) it = b.peer_withdraw.insert(b.peer_withdraw.end(), PeerWithdraw{peer, {}});
    it->prefixes.push_back(table_.prefix(id));
  }
  // Routes only a former source member lacks: one packed batch per such peer.
  std::vector<std::pair<OutboundBatch, Packer>> singles;
  for (const auto& [peer, id] : g.peer_announce) {
    if (!g.out[id] || g.except[id] == peer) continue;
    if (std::find(g.members.begin(), g.members.end(), peer) == g.members.end()) continue;
    auto it = std::find_if(singles.begin(), singles.end(), [p = peer](const auto& s) { return s.first.peers[0] == p; });
    if (it == singles.end()) {
      OutboundBatch one;
      one.group = g.id;
      one.peers = {peer};
      singles.emplace_back(std::move(one), Packer{});
      it = singles.end() - 1;
    }
    it->second.add(it->first, g.out[id], 0, table_.prefix(id));
  }
  g.pending.clear();
  if (g.pending.capacity() > 65536) g.pending.shrink_to_fit();
  g.peer_withdraw.clear();
  g.peer_announce.clear();
  if (!b.peers.empty() && !b.empty()) out.push_back(std::move(b));
  for (auto& s : singles) out.push_back(std::move(s.first));
}

// What `to` must be sent to hold this group's Adj-RIB-Out, given what it holds now (`held`,
// sorted by id; a null AttrRef: unknown). With nothing held, a full dump.
OutboundBatch Rib::dump(const Group& g, PeerId to, std::span<const std::pair<EntryId, AttrRef>> held,
                        std::span<const wire::AfiSafi> families) const {
  OutboundBatch b;
  b.group = g.id;
  b.peers = {to};
  Packer pk;
  const auto has = [&](wire::Afi afi) {
    return std::any_of(families.begin(), families.end(), [afi](const auto& f) { return f.afi == afi; });
  };
  const bool v4 = families.empty() || has(wire::Afi::Ipv4);
  const bool v6 = families.empty() || has(wire::Afi::Ipv6);
  auto now_held = [&](EntryId id) {
    if (id >= g.out.size() || g.except[id] == to || !g.out[id]) return AttrRef{};
    if (!(table_.prefix(id).is_v4() ? v4 : v6)) return AttrRef{};
    return g.out[id];
  };
  const std::size_t end = std::max<std::size_t>(g.out.size(), held.empty() ? 0 : held.back().first + 1);
  auto h = held.begin();
  for (EntryId id = 0; id < end; ++id) {
    const AttrRef cur = now_held(id);
    if (h != held.end() && h->first == id) {
      if (!cur)
        b.withdraw.push_back(table_.prefix(id));
      else if (cur != h->second)  // changed, or unknown (null)
        pk.add(b, cur, 0, table_.prefix(id));
      ++h;
    } else if (cur) {
      pk.add(b, cur, 0, table_.prefix(id));
    }
  }
  return b;
}

void Rib::refresh_request(const RefreshRequest& r) {
  Peer* p = peer_by_id(r.peer);
  if (!p || !p->up || !p->group) return;
  Group& g = *p->group;
  if (std::find(g.joining.begin(), g.joining.end(), r.peer) != g.joining.end()) return;  // dump pending anyway
  ++p->counters.refresh_requests;
  // RFC 2918 3: a request for a family not negotiated is ignored.
  if (std::find(g.key.families.begin(), g.key.families.end(), r.af) == g.key.families.end()) return;
  if (!p->cfg.resend_on_refresh) {
    // Route-server friendly: the peer already holds exactly our Adj-RIB-Out; re-sending
    // unchanged routes would count against its limit (Azure Route Server).
    if (std::find(g.eor_only.begin(), g.eor_only.end(), r.peer) == g.eor_only.end()) g.eor_only.push_back(r.peer);
    return;
  }
  // Merged: one pending re-send per peer, for the union of the families asked for (a request
  // repeated before the re-send is made asks for nothing new).
  auto& fams = p->refresh_families;
  if (std::find(fams.begin(), fams.end(), r.af) == fams.end()) fams.push_back(r.af);
  // Stays a member (it must still get the pending changes, withdrawals included); the
  // re-send follows them.
  if (std::find(g.refresh.begin(), g.refresh.end(), r.peer) == g.refresh.end()) g.refresh.push_back(r.peer);
}

std::vector<OutboundBatch> Rib::take_outbound(base::SteadyTime now, const std::function<bool(PeerId)>& congested) {
  std::vector<OutboundBatch> out;
  for (auto& gp : groups_) {
    Group& g = *gp;
    if (g.key.mrai_ms > 0 && g.last_sent && now < *g.last_sent + std::chrono::milliseconds(g.key.mrai_ms))
      continue;  // coalesce until the minimum advertisement interval has passed
    // Flow control: encoding faster than every member can take it only queues bytes. Held
    // only while ALL members are congested (one slow peer never stalls the others) and
    // nobody is joining. A re-send owed to a member waits until that member is not congested
    // anyway (below).
    if (congested && !g.members.empty() && g.joining.empty() && g.eor_only.empty() &&
        std::all_of(g.members.begin(), g.members.end(), congested)) {
      g.memo.clear();  // a per-take cache; do not let it grow across held takes
      continue;
    }
    const std::size_t before = out.size();
    build_group_batch(g, out);
    std::vector<wire::AfiSafi> fams = g.key.families;
    for (PeerId j : g.joining) {
      Peer* jp = peer_by_id(j);
      const bool diff = jp && jp->reexporting;
      OutboundBatch d = diff ? dump(g, j, jp->reexport_held) : dump(g, j);
      const bool eor = !diff || jp->reexport_eor_owed;
      if (diff) {
        jp->reexporting = false;
        jp->reexport_held = {};
      }
      if (eor) {  // a policy change is not an initial transfer: no End-of-RIB for it
        if (g.walking)
          g.eor_waiting.push_back(j);
        else
          d.end_of_rib = fams;
      }
      if (!d.empty()) out.push_back(std::move(d));
      g.members.push_back(j);
    }
    g.joining.clear();
    // Route refresh: a member whose write queue is still full keeps its one pending request
    // (served when it drains) instead of getting another full dump queued behind the last.
    std::vector<PeerId> deferred;
    for (PeerId p : g.refresh) {
      Peer* rp = peer_by_id(p);
      if (!rp) continue;
      if (congested && congested(p)) {
        deferred.push_back(p);
        continue;
      }
      std::vector<wire::AfiSafi> asked = std::exchange(rp->refresh_families, {});
      std::sort(asked.begin(), asked.end());
      OutboundBatch d = dump(g, p, {}, asked);
      ++rp->counters.refresh_dumps;
      // RFC 7313 4: BoRR, the re-sent routes, EoRR, per family asked for.
      const bool err = rp->cfg.enhanced_route_refresh;
      if (err) d.refresh_begin = asked;
      if (g.walking) {
        if (std::find(g.eor_waiting.begin(), g.eor_waiting.end(), p) == g.eor_waiting.end())
          g.eor_waiting.push_back(p);
        if (err)
          for (const auto& af : asked)
            if (std::find(rp->eorr_owed.begin(), rp->eorr_owed.end(), af) == rp->eorr_owed.end())
              rp->eorr_owed.push_back(af);
      } else {
        d.end_of_rib = asked;
        if (err) d.refresh_end = asked;
      }
      out.push_back(std::move(d));
    }
    g.refresh = std::move(deferred);
    for (PeerId p : g.eor_only) {
      OutboundBatch e;
      e.group = g.id;
      e.peers = {p};
      e.end_of_rib = fams;
      // Never BoRR/EoRR on the End-of-RIB-only answer (resend_on_refresh false): an EoRR with
      // nothing re-sent since BoRR makes the receiver purge every route it has from us (RFC
      // 7313 4.2). Only the EoRR of a re-send made during a table walk comes here.
      if (Peer* ep = peer_by_id(p)) {
        e.refresh_end = std::exchange(ep->eorr_owed, {});
        std::sort(e.refresh_end.begin(), e.refresh_end.end());
      }
      out.push_back(std::move(e));
    }
    g.eor_only.clear();
    if (out.size() != before) g.last_sent = now;
    g.memo.clear();
  }
  free_empty_entries();
  return out;
}

void Rib::free_empty_entries() {
  std::vector<EntryId> keep;
  for (EntryId id : maybe_free_) {
    if (!table_.live(id)) continue;
    const Entry& e = table_.at(id);
    if (e.size() != 0 || e.fib_set != 0 || (e.flags & entry_flag::kDirty)) continue;
    bool held = false;
    for (const auto& g : groups_)
      if (id < g->out.size() && (g->out[id] || g->pending_bit[id])) held = true;
    if (held) {
      keep.push_back(id);
      continue;
    }
    table_.erase(id);
  }
  maybe_free_.swap(keep);
}

AttrRef Rib::adj_rib_out(PeerId peer, const base::Prefix& p) const {
  const Peer* pp = peer_by_id(peer);
  if (!pp || !pp->group) return {};
  const EntryId id = table_.find(p);
  if (id == kNoEntry || pp->group->except.size() <= id || pp->group->except[id] == peer) return {};
  return pp->group->current(id);
}

std::size_t Rib::adj_rib_out_size(PeerId peer) const {
  const Peer* pp = peer_by_id(peer);
  if (!pp || !pp->group) return 0;
  std::size_t n = 0;
  const Group& g = *pp->group;
  for (std::size_t id = 0; id < g.out.size(); ++id) n += (g.out[id] && g.except[id] != peer) ? 1 : 0;
  return n;
}

}  // namespace nvabgpd::rib
