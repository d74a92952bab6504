// Update builder (see update_builder.hpp) and Rib::take_outbound, which runs it per group.
#include "update_builder.hpp"

#include <algorithm>
#include <unordered_map>

#include "rib_state.hpp"

namespace nvabgpd::rib {

namespace {

struct Packer {
  struct KeyHash {
    std::size_t operator()(const std::pair<const AttrSet*, PeerId>& k) const noexcept {
      return hash_mix(reinterpret_cast<std::uintptr_t>(k.first), k.second);
    }
  };
  std::unordered_map<std::pair<const AttrSet*, PeerId>, std::size_t, KeyHash>
      index;  // -> announce slot
  void add(OutboundBatch& b, const AttrRef& attrs, PeerId except, const base::Prefix& p) {
    auto [it, fresh] = index.try_emplace({attrs.get(), except}, b.announce.size());
    if (fresh) b.announce.push_back(Announce{attrs, except, {}});
    b.announce[it->second].prefixes.push_back(p);
  }
};

OutboundBatch to_one(const UpdateGroup& g, PeerId peer) {
  OutboundBatch b;
  b.group = g.id();
  b.peers = {peer};
  return b;
}

}  // namespace

void UpdateBuilder::group_batch(UpdateGroup& g, std::vector<OutboundBatch>& out) const {
  if (!g.has_changes()) return;
  const AdjRibOut& rib_out = g.out();
  OutboundBatch b;
  b.group = g.id();
  b.peers = g.members();
  Packer pk;
  // A withdrawn route whose source is a member: that member never held it and is spared the
  // withdrawal, unless it is owed one of its own (it held the route before becoming its
  // source; sorted for the lookup).
  std::vector<std::pair<PeerId, EntryId>> peer_withdraw = g.take_peer_withdraw();
  std::sort(peer_withdraw.begin(), peer_withdraw.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
  const auto owed_own = [&](PeerId peer, EntryId id) {
    auto it = std::lower_bound(peer_withdraw.begin(), peer_withdraw.end(), id,
                               [](const auto& x, EntryId v) { return x.second < v; });
    for (; it != peer_withdraw.end() && it->second == id; ++it)
      if (it->first == peer) return true;
    return false;
  };
  g.drain_pending(
      [&](EntryId id) {
        const base::Prefix p = table_.prefix(id);
        if (rib_out.at(id)) {
          pk.add(b, rib_out.at(id), rib_out.source(id), p);
          return;
        }
        const PeerId source = rib_out.source(id);
        if (!source || owed_own(source, id)) {
          b.withdraw.push_back(p);
          return;
        }
        auto& lists = b.withdraw_except;
        if (lists.empty() || lists.back().peer != source) {
          auto it = std::find_if(lists.begin(), lists.end(),
                                 [source](const PeerWithdraw& w) { return w.peer == source; });
          if (it != lists.end()) {
            it->prefixes.push_back(p);
            return;
          }
          lists.push_back(PeerWithdraw{source, {}});
        }
        lists.back().prefixes.push_back(p);
      },
      [&](EntryId ahead) {
        if (ahead < table_.id_limit()) table_.prefetch(ahead);
        g.prefetch(ahead);
      });
  for (const auto& [peer, id] : peer_withdraw) {
    if (!rib_out.at(id) || rib_out.source(id) != peer) continue;
    auto it = std::find_if(b.peer_withdraw.begin(), b.peer_withdraw.end(),
                           [peer = peer](const PeerWithdraw& w) { return w.peer == peer; });
    if (it == b.peer_withdraw.end())
      it = b.peer_withdraw.insert(b.peer_withdraw.end(), PeerWithdraw{peer, {}});
    it->prefixes.push_back(table_.prefix(id));
  }
  // Routes only a former source member lacks: one packed batch per such peer.
  std::vector<std::pair<OutboundBatch, Packer>> singles;
  for (const auto& [peer, id] : g.take_peer_announce()) {
    if (!rib_out.at(id) || rib_out.source(id) == peer) continue;
    if (std::find(g.members().begin(), g.members().end(), peer) == g.members().end()) continue;
    auto it = std::find_if(singles.begin(), singles.end(),
                           [p = peer](const auto& s) { return s.first.peers[0] == p; });
    if (it == singles.end()) {
      singles.emplace_back(to_one(g, peer), Packer{});
      it = singles.end() - 1;
    }
    it->second.add(it->first, rib_out.at(id), 0, table_.prefix(id));
  }
  if (!b.peers.empty() && !b.empty()) out.push_back(std::move(b));
  for (auto& s : singles) out.push_back(std::move(s.first));
  g.release_if_empty();
}

OutboundBatch UpdateBuilder::dump(const UpdateGroup& g, PeerId to,
                                  std::span<const std::pair<EntryId, AttrRef>> held,
                                  std::span<const wire::AfiSafi> families) const {
  OutboundBatch b = to_one(g, to);
  Packer pk;
  const auto has = [&](wire::Afi afi) {
    return std::any_of(families.begin(), families.end(),
                       [afi](const auto& f) { return f.afi == afi; });
  };
  const bool v4 = families.empty() || has(wire::Afi::Ipv4);
  const bool v6 = families.empty() || has(wire::Afi::Ipv6);
  const AdjRibOut& rib_out = g.out();
  auto now_held = [&](EntryId id) {
    AttrRef a = rib_out.held_by(to, id);
    if (a && !(table_.prefix(id).is_v4() ? v4 : v6)) return AttrRef{};
    return a;
  };
  const std::size_t end =
      std::max<std::size_t>(rib_out.size(), held.empty() ? 0 : held.back().first + 1);
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

void UpdateBuilder::welcome_joiners(UpdateGroup& g, std::vector<OutboundBatch>& out) const {
  for (PeerId j : g.joining()) {
    UpdateGroup::Member& m = g.member(j);
    const bool diff = m.reexporting;
    OutboundBatch d = diff ? dump(g, j, m.reexport_held) : dump(g, j);
    const bool eor = !diff || m.reexport_eor_owed;
    if (diff) {
      m.reexporting = false;
      m.reexport_held = {};
    }
    if (eor) {  // a policy change is not an initial transfer: no End-of-RIB for it
      if (g.walking())
        g.eor_after_walk(j);
      else
        d.end_of_rib = g.key().families;
    }
    if (!d.empty()) out.push_back(std::move(d));
  }
  g.joined();
}

void UpdateBuilder::end_of_rib_only(UpdateGroup& g, std::vector<OutboundBatch>& out) const {
  for (PeerId p : g.eor_only()) {
    OutboundBatch e = to_one(g, p);
    e.end_of_rib = g.key().families;
    // Never BoRR/EoRR on the End-of-RIB-only answer (resend_on_refresh false): an EoRR with
    // nothing re-sent since BoRR makes the receiver purge every route it has from us (RFC
    // 7313 4.2). Only the EoRR of a re-send made during a table walk comes here.
    e.refresh_end = std::exchange(g.member(p).eorr_owed, {});
    std::sort(e.refresh_end.begin(), e.refresh_end.end());
    out.push_back(std::move(e));
  }
  g.eor_only_sent();
}

std::vector<OutboundBatch> Rib::take_outbound(base::SteadyTime now,
                                              const std::function<bool(PeerId)>& congested) {
  std::vector<OutboundBatch> out;
  const UpdateBuilder builder(table_);
  for (auto& gp : groups_) {
    UpdateGroup& g = *gp;
    if (g.mrai_holds(now))
      continue;  // coalesce until the minimum advertisement interval has passed
    // Flow control: encoding faster than every member can take it only queues bytes. Held
    // only while ALL members are congested (one slow peer never stalls the others) and
    // nobody is joining. A re-send owed to a member waits until that member is not congested
    // anyway (below).
    if (congested && !g.members().empty() && g.joining().empty() && g.eor_only().empty() &&
        std::all_of(g.members().begin(), g.members().end(), congested)) {
      g.memo_clear();  // a per-take cache; do not let it grow across held takes
      continue;
    }
    const std::size_t before = out.size();
    builder.group_batch(g, out);
    builder.welcome_joiners(g, out);
    // Route refresh: a member whose write queue is still full keeps its one pending request
    // (served when it drains) instead of getting another full dump queued behind the last.
    std::vector<PeerId> deferred;
    for (PeerId p : g.take_refresh()) {
      AdjRibIn* rp = peers_.find(p);
      if (!rp) continue;
      if (congested && congested(p)) {
        deferred.push_back(p);
        continue;
      }
      UpdateGroup::Member& m = g.member(p);
      std::vector<wire::AfiSafi> asked = std::exchange(m.refresh_families, {});
      std::sort(asked.begin(), asked.end());
      OutboundBatch d = builder.dump(g, p, {}, asked);
      ++rp->counters.refresh_dumps;
      // RFC 7313 4: BoRR, the re-sent routes, EoRR, per family asked for.
      const bool err = rp->cfg.enhanced_route_refresh;
      if (err) d.refresh_begin = asked;
      if (g.walking()) {
        g.eor_after_walk(p);
        if (err)
          for (const auto& af : asked)
            if (std::find(m.eorr_owed.begin(), m.eorr_owed.end(), af) == m.eorr_owed.end())
              m.eorr_owed.push_back(af);
      } else {
        d.end_of_rib = asked;
        if (err) d.refresh_end = asked;
      }
      out.push_back(std::move(d));
    }
    g.defer_refresh(std::move(deferred));
    builder.end_of_rib_only(g, out);
    if (out.size() != before) g.sent(now);
    g.memo_clear();
  }
  free_empty_entries();
  return out;
}

}  // namespace nvabgpd::rib
