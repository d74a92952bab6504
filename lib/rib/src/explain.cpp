// Read-only queries: `show route` and `explain` (why a path is or is not best, why a prefix
// is or is not exported to a peer). Computed on demand from the stored state.
#include <algorithm>

#include "rib_state.hpp"

namespace nvabgpd::rib {

namespace {

std::string ineligible_reason(std::uint16_t flags, const Candidate& c) {
  if (std::string loop = Rib::loop_reason(flags); !loop.empty()) return loop;
  if (!c.eligible) return "next hop unreachable";
  return {};
}

}  // namespace

std::vector<PathView> Rib::routes(const base::Prefix& p) const { return explain(p).paths; }

PrefixExplain Rib::explain(const base::Prefix& prefix) const {
  PrefixExplain x;
  x.prefix = prefix;
  const EntryId id = table_.find(prefix);
  if (id != kNoEntry) {
    const Entry& e = table_.at(id);
    std::vector<Candidate> cands;
    for (const Path& p : e) cands.push_back(candidate(p));
    const Selection sel = select(cands, cfg_.decision);
    for (std::uint32_t i = 0; i < e.size(); ++i) {
      const Path& p = e[i];
      const Peer& src = *peers_[p.peer];
      PathView v;
      v.peer = src.cfg.id;
      v.peer_name = src.cfg.name;
      v.attrs = p.attrs;
      v.best = (p.flags & path_flag::kBest) != 0;
      v.ecmp = (p.flags & path_flag::kEcmp) != 0;
      v.stale = (p.flags & path_flag::kStale) != 0;
      v.ineligible = ineligible_reason(p.flags, cands[i]);
      if (sel.lost_to[i] != Selection::kNone) v.lost_to = peers_[e[sel.lost_to[i]].peer]->cfg.id;
      v.step = sel.step[i];
      x.paths.push_back(std::move(v));
    }
    std::stable_sort(x.paths.begin(), x.paths.end(),
                     [](const PathView& a, const PathView& b) { return a.best > b.best; });
  }
  // Routes the import filter rejected (visible when the peer keeps a pre-policy copy).
  peers_.for_each([&](const Peer& peer) {
    const AttrRef* received = peer.pre_policy(prefix);
    if (!received) return;
    const bool held = id != kNoEntry && table_.at(id).find(peer.slot) != nullptr;
    if (held) return;
    std::string why = "rejected by the import filter";
    if (const RouteFilter* f = peer.cfg.import_filter.get()) {
      const FilterResult r =
          f->run(prefix, AttrStore::materialize(**received),
                 FilterContext{FilterDirection::Import, peer.cfg.id, peer.cfg.remote_asn, 0, true});
      why = r.accept ? "held back by the import limit"
                     : fmt::format("rejected by import filter {}: {}", f->name(), r.reason);
    }
    x.filtered.emplace_back(peer.cfg.id, std::move(why));
  });
  return x;
}

ExportExplain Rib::explain_export(const base::Prefix& prefix, PeerId peer) const {
  ExportExplain x;
  const Peer* p = peer_by_id(peer);
  if (!p || !p->up || !p->group) {
    x.reason = "peer is not established";
    return x;
  }
  const EntryId id = table_.find(prefix);
  if (id == kNoEntry) {
    x.reason = "prefix not in the Loc-RIB";
    return x;
  }
  const UpdateGroup& g = *p->group;
  ExportResult r = export_policy_->route(g, id, true);
  x.adj_rib_out = adj_rib_out(peer, prefix);
  if (r.attrs && r.except == peer) {
    x.reason = "best path was learned from this peer";
    return x;
  }
  const std::uint32_t limit = g.key().export_limit;
  if (r.attrs && !g.out().route(id) && limit && g.out().count() >= limit) {
    x.reason = fmt::format("held back by the export limit ({} routes)", limit);
    x.attrs = r.attrs;
    return x;
  }
  x.exported = static_cast<bool>(r.attrs);
  x.attrs = r.attrs;
  x.reason = r.reason;
  return x;
}

}  // namespace nvabgpd::rib
