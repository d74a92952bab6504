// The export rules (see export_policy.hpp).
#include "export_policy.hpp"

#include <algorithm>
#include <utility>

namespace nvabgpd::rib {

const char* ExportPolicy::community_block(const AttrSet& a, bool ebgp) {
  if (a.no_advertise()) return "NO_ADVERTISE community";
  if (ebgp && a.no_export()) return "NO_EXPORT community toward an eBGP peer";
  if (ebgp && a.no_export_subconfed()) return "NO_EXPORT_SUBCONFED community toward an eBGP peer";
  return nullptr;
}

std::size_t ExportPolicy::slot_of(const AttrSet* a) {
  // Sets are slab-allocated: mix the address so neighbours do not share a slot.
  return (reinterpret_cast<std::uintptr_t>(a) * 0x9E3779B97F4A7C15ULL) >> 56 & (kCacheSlots - 1);
}

const wire::PathAttributes& ExportPolicy::wire_view(const AttrRef& a) const {
  if (!views_) views_ = std::make_unique<std::array<WireView, kCacheSlots>>();
  WireView& v = (*views_)[slot_of(a.get())];
  if (v.set.get() != a.get()) {
    v.wire = AttrStore::materialize(*a);
    v.set = a;
  }
  return v.wire;
}

AttrRef ExportPolicy::intern_modified(const AttrRef& in, wire::PathAttributes&& mod) const {
  if (!modified_) modified_ = std::make_unique<std::array<Modified, kCacheSlots>>();
  Modified& m = (*modified_)[slot_of(in.get())];
  if (m.in.get() == in.get() && m.change == mod) return m.out;
  m.out = store_.intern(mod);
  m.in = in;
  m.change = std::move(mod);
  return m.out;
}

ExportPolicy::Verdict& ExportPolicy::verdict_slot(std::uint32_t group, const AttrRef& in,
                                                  PeerId from, std::uint64_t signature) const {
  if (!verdicts_) verdicts_ = std::make_unique<std::array<Verdict, kVerdictSlots>>();
  std::uint64_t h = reinterpret_cast<std::uintptr_t>(in.get());
  h = (h ^ signature * 0xC2B2AE3D27D4EB4FULL ^ (std::uint64_t{group} << 32 | from)) *
      0x9E3779B97F4A7C15ULL;
  return (*verdicts_)[h >> 52 & (kVerdictSlots - 1)];
}

AttrRef ExportPolicy::transform(const UpdateGroup& g, const AttrRef& attrs, const AdjRibIn& src,
                                bool keep_med, bool v6) const {
  const GroupKey& key = g.key();
  const bool reflected = !key.ebgp && !src.local && !src.cfg.ebgp();
  const UpdateGroup::MemoKey mk{attrs.get(), reflected ? src.slot : 0U,
                                (keep_med ? 1U : 0U) | (v6 ? 2U : 0U) | (src.local ? 4U : 0U)};
  if (const AttrRef* hit = g.memo_find(mk)) return *hit;

  AttrSet s(*attrs);
  // Next-hop-self is stored as the unspecified address and written per peer by the encoder
  // (self_next_hop()), so peers on different local addresses still share one update group.
  const base::IpAddress self = v6 ? base::IpAddress::v6({}) : base::IpAddress{};
  if (key.ebgp) {
    // RFC 4271 5.1.2: prepend our AS toward an external peer; RFC 7947 2.2: a route
    // server does not.
    if (!key.route_server_client)
      s.set_as_path(store_.intern_path(attrs->as_path().prepended(key.local_asn)));
    s.set_local_pref(std::nullopt);  // 5.1.5: LOCAL_PREF only inside the AS
    // 5.1.4: a MED learned from a neighbouring AS is not passed on, unless our export filter
    // set it (then it is ours); RFC 7947: a route server passes it unchanged.
    if (!key.route_server_client && !keep_med && !src.local) s.set_med(std::nullopt);
    // 5.1.3: next hop self, unless the peer keeps it (route server, third party) or there
    // is none to keep.
    const bool keep_nh = (key.route_server_client || key.next_hop_unchanged) && s.next_hop();
    if (!keep_nh) s.set_next_hop(store_.intern_next_hop(self));
    // RFC 4456: ORIGINATOR_ID and CLUSTER_LIST are not sent outside the AS.
    s.set_originator_id(std::nullopt);
    if (s.rare()) s.rare_mut().cluster_list.clear();
  } else {
    if (!s.local_pref()) s.set_local_pref(cfg_.decision.default_local_pref);
    if (key.next_hop_self || !s.next_hop()) s.set_next_hop(store_.intern_next_hop(self));
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
  g.memo_put(mk, attrs, out);
  return out;
}

ExportResult ExportPolicy::route(const UpdateGroup& g, EntryId id, bool want_reason) const {
  ExportResult r;
  auto reject = [&](auto&& why) {
    if (want_reason) r.reason = why();
    r.attrs.reset();
    return std::move(r);
  };
  const GroupKey& key = g.key();
  const Entry& e = table_.at(id);
  const bool v6 = (e.key >> 63) != 0;
  if (!key.has_family(v6 ? wire::kIpv6Unicast : wire::kIpv4Unicast))
    return reject([] { return std::string("address family not negotiated with the peer"); });
  const Path* best = e.best();
  if (!best) return reject([] { return std::string("no usable path (no best route)"); });
  const AdjRibIn& src = *peers_[best->peer];

  // Never back to the peer it came from: that member is excluded from the group's UPDATE.
  if (!src.local && g.has_member(src.cfg.id)) {
    // A group whose only member is the source stores nothing (no Adj-RIB-Out for an
    // injector); a second member joining makes the group walk its table again.
    if (g.member_count() == 1) {
      g.note_suppressed_single();
      return reject([] { return std::string("best path was learned from this peer"); });
    }
    r.except = src.cfg.id;
  }
  // RFC 4271 9.2 / RFC 4456 6: iBGP-learned routes go to iBGP peers only by reflection:
  // from a client to everyone, from a non-client to clients only.
  if (!key.ebgp && !src.local && !src.cfg.ebgp() && !src.cfg.rr_client && !key.rr_client)
    return reject([&] {
      return fmt::format(
          "iBGP split horizon: learned from iBGP peer {} (not a route reflector client)",
          src.cfg.name);
    });
  // Well-known communities (RFC 1997), checked on the route as it is in the Loc-RIB, before
  // the export filter (as BIRD does): a filter adding NO_ADVERTISE does not stop it here.
  const AttrSet& a = *best->attrs;
  if (const char* why = community_block(a, key.ebgp))
    return reject([why] { return std::string(why); });

  AttrRef attrs = best->attrs;
  bool keep_med = false;
  if (const RouteFilter* f = g.export_filter()) {
    if (f->kind() == RouteFilter::Kind::RejectAll)
      return reject([&] { return fmt::format("rejected by export filter {}", f->name()); });
    if (f->kind() == RouteFilter::Kind::Program) {
      const base::Prefix prefix = table_.prefix(id);
      const PeerId from = src.local ? kLocalPeer : src.cfg.id;
      // Routes of one set whose prefixes answer the filter's prefix tests alike get one
      // verdict: the filter runs once for them (not for explain, which wants its reason).
      Verdict* v = nullptr;
      std::uint64_t sig = 0;
      if (!want_reason) {
        if (const auto answers = f->prefix_signature(prefix)) {
          sig = *answers;
          v = &verdict_slot(g.id(), best->attrs, from, sig);
          if (v->in.get() == best->attrs.get() && v->group == g.id() && v->from == from &&
              v->signature == sig) {
            if (!v->out) return reject([] { return std::string(); });
            r.attrs = transform(g, v->out, src, v->keep_med, v6);
            return r;
          }
        }
      }
      const wire::PathAttributes& w = wire_view(best->attrs);
      const PeerId to = g.first_member();
      const AdjRibIn* top = peers_.find(to);
      FilterResult fr = f->run(prefix, w,
                               FilterContext{FilterDirection::Export, to,
                                             top ? top->cfg.remote_asn : 0, from, want_reason});
      if (fr.accept) {
        // BIRD keeps a MED toward eBGP when the export filter set it, to any value (its old
        // one too: then nothing was modified).
        if (fr.modified) {
          keep_med = fr.modified->med && (fr.med_assigned || fr.modified->med != w.med);
          attrs = intern_modified(best->attrs, std::move(*fr.modified));
        } else {
          keep_med = fr.med_assigned && w.med;
        }
      }
      if (v) {
        *v = Verdict{g.id(), from, sig, best->attrs, fr.accept ? attrs : AttrRef{}, keep_med};
      }
      if (!fr.accept)
        return reject([&] {
          return fmt::format("rejected by export filter {}{}{}", f->name(),
                             fr.reason.empty() ? "" : ": ", fr.reason);
        });
    }
  }
  r.attrs = transform(g, attrs, src, keep_med, v6);
  if (want_reason) r.reason = "exported";
  return r;
}

}  // namespace nvabgpd::rib
