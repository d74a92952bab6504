#include "outbound_encoder.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "nvabgpd/rib/attrs.hpp"
#include "nvabgpd/wire/codec.hpp"
#include "nvabgpd/wire/update_packer.hpp"

namespace nvabgpd::daemon {

namespace {

struct Receivers {
  OutboundEncoder::PeerWire wire;
  std::vector<rib::PeerId> peers;
};

// Peers of a batch grouped by what their encoding depends on: one encoding per group.
std::vector<Receivers> group_by_params(const std::vector<rib::PeerId>& peers,
                                       const OutboundEncoder::ParamsFn& params) {
  std::vector<Receivers> out;
  for (rib::PeerId id : peers) {
    auto p = params(id);
    if (!p) continue;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const Receivers& r) { return r.wire == *p; });
    if (it == out.end()) {
      out.push_back(Receivers{*p, {id}});
    } else {
      it->peers.push_back(id);
    }
  }
  return out;
}

}  // namespace

void OutboundEncoder::encode(const rib::OutboundBatch& batch) {
  std::vector<std::uint8_t> buf;
  std::size_t pending_messages = 0;
  // Sends what is buffered as ONE shared buffer of back-to-back messages to each receiver.
  auto flush = [&](const std::vector<rib::PeerId>& peers, rib::PeerId except) {
    if (buf.empty()) return;
    stats_.bytes += buf.size();
    stats_.messages += pending_messages;
    // The buffer may sit in write queues for a while: do not queue the vector's growth slack.
    if (buf.capacity() - buf.size() > buf.size() / 8) buf.shrink_to_fit();
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(std::move(buf));
    for (rib::PeerId id : peers)
      if (id != except) send_(id, shared);
    buf = {};
    pending_messages = 0;
  };

  // A ROUTE-REFRESH marker (RFC 7313 4) for each family to each receiver, sent by the session
  // layer; called with nothing buffered, so it is queued in order.
  auto markers = [&](const std::vector<wire::AfiSafi>& fams, bool begin,
                     const std::vector<rib::PeerId>& peers) {
    for (const auto& af : fams) {
      for (rib::PeerId id : peers) marker_(id, af, begin);
      ++stats_.messages;
    }
  };

  for (const Receivers& rcv : group_by_params(batch.peers, params_)) {
    markers(batch.refresh_begin, true, rcv.peers);  // BoRR before any route of the re-send
    // Withdrawals first: a prefix moving to another attribute set is re-announced afterwards.
    if (!batch.withdraw.empty()) {
      pending_messages += wire::pack_withdrawals(batch.withdraw, rcv.wire.params, buf).messages;
      stats_.prefixes += batch.withdraw.size();
    }
    flush(rcv.peers, 0);
    for (const auto& we : batch.withdraw_except) {
      pending_messages += wire::pack_withdrawals(we.prefixes, rcv.wire.params, buf).messages;
      stats_.prefixes += we.prefixes.size();
      flush(rcv.peers, we.peer);
    }
    for (const auto& pw : batch.peer_withdraw) {
      if (std::find(rcv.peers.begin(), rcv.peers.end(), pw.peer) == rcv.peers.end()) continue;
      pending_messages += wire::pack_withdrawals(pw.prefixes, rcv.wire.params, buf).messages;
      flush({pw.peer}, 0);
    }

    std::vector<base::Prefix> v4, v6;
    // Consecutive announcements for the same receivers share one buffer (up to kMaxBuffer):
    // a buffer per attribute set cost a shared_ptr block and a queue slot per ~100 bytes of
    // UPDATE, and capped each gathered write at kMaxGatherBuffers tiny buffers.
    rib::PeerId buf_except = 0;
    for (const auto& a : batch.announce) {
      if (!a.attrs) continue;
      if (!buf.empty() && (a.except != buf_except || buf.size() >= kMaxBuffer))
        flush(rcv.peers, buf_except);
      buf_except = a.except;
      wire::PathAttributes attrs = rib::AttrStore::materialize(*a.attrs);
      if (attrs.next_hop)
        attrs.next_hop = rib::self_next_hop(*attrs.next_hop, rcv.wire.self_v4, rcv.wire.self_v6);
      v4.clear();
      v6.clear();
      for (const auto& p : a.prefixes) (p.is_v4() ? v4 : v6).push_back(p);
      for (const auto* list : {&v4, &v6}) {
        if (list->empty()) continue;
        auto r = wire::pack_announcements(attrs, *list, rcv.wire.params, buf);
        if (!r) {
          // A route we cannot encode (e.g. no next hop of its family) is a bug upstream: say
          // so loudly once per batch rather than send something malformed.
          spdlog::error("cannot encode {} prefix(es) starting with {}: {}", list->size(),
                        list->front(), r.error());
          continue;
        }
        pending_messages += r->messages;
        stats_.prefixes += r->prefixes;
      }
    }
    flush(rcv.peers, buf_except);

    for (const auto& af : batch.end_of_rib) {
      wire::pack_end_of_rib(af, rcv.wire.params, buf);
      ++pending_messages;
    }
    flush(rcv.peers, 0);
    markers(batch.refresh_end, false, rcv.peers);  // EoRR after the whole re-send
  }
}

}  // namespace nvabgpd::daemon
