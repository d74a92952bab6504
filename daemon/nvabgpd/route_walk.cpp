#include "route_walk.hpp"

#include "route_json.hpp"

namespace nvabgpd::daemon {

RouteWalk::RouteWalk(RouteContext ctx, RouteQuery q) : ctx_(std::move(ctx)), q_(std::move(q)) {
  const rib::PrefixTable& table = ctx_.rib->table();
  if (q_.prefix) {
    whole_table_ = false;
    single_ = q_.prefix;
  } else if (q_.for_addr) {
    whole_table_ = false;
    if (const rib::EntryId id = table.longest_match(*q_.for_addr); id != rib::kNoEntry)
      single_ = table.prefix(id);
  }
}

bool RouteWalk::next(ControlSink& sink, std::size_t budget) {
  if (!whole_table_) {
    if (single_) visit(*single_, sink);
    return false;
  }
  const rib::PrefixTable& table = ctx_.rib->table();
  for (std::size_t n = 0; n < budget && cursor_ < table.id_limit() && !sink.full(); ++n, ++cursor_)
    if (table.live(cursor_)) visit(table.prefix(cursor_), sink);
  return cursor_ < table.id_limit();
}

nlohmann::json RouteWalk::summary() const {
  return nlohmann::json{{"count", count_}, {"prefixes", prefixes_}};
}

// Keys in lexicographic order, as nlohmann::json prints them (the schema's earlier writer).
void RouteWalk::visit(const base::Prefix& pfx, ControlSink& sink) {
  const rib::Rib& rib = *ctx_.rib;
  ++prefixes_;
  text_.clear();
  JsonWriter w(text_);
  if (q_.export_peer) {
    rib::ExportExplain ex = rib.explain_export(pfx, *q_.export_peer);
    if (!ex.exported || !ex.attrs) return;
    ++count_;
    if (q_.count_only) return;
    w.begin_object().key("paths").begin_array().begin_object().key("attributes");
    wire::PathAttributes sent = rib::AttrStore::materialize(*ex.attrs);
    if (sent.next_hop)
      sent.next_hop = rib::self_next_hop(*sent.next_hop, q_.export_self_v4, q_.export_self_v6);
    write_attributes(w, sent);
    w.field("best", true).field("export", true).field("peer", q_.export_name);
    w.end_object().end_array().field("prefix", pfx.to_string()).end_object();
    sink.item(text_);
    return;
  }
  if (q_.filtered) {
    rib::PrefixExplain ex = rib.explain(pfx);
    for (const auto& [rid, why] : ex.filtered) {
      if (q_.protocol && *q_.protocol != rid) continue;
      ++count_;
      if (q_.count_only) continue;
      const PeerIdentity* id = ctx_.directory->find(rid);
      text_.clear();
      JsonWriter f(text_);
      f.begin_object().key("paths").begin_array().begin_object();
      f.field("filtered", why).field("peer", id ? id->name : std::string("?"));
      f.end_object().end_array().field("prefix", pfx.to_string()).end_object();
      sink.item(text_);
    }
    return;
  }
  std::size_t n = 0;
  for (const auto& pv : rib.routes(pfx)) {
    if (q_.protocol && pv.peer != *q_.protocol) continue;
    if (n++ == 0 && !q_.count_only) w.begin_object().key("paths").begin_array();
    if (q_.count_only) continue;
    w.begin_object();
    std::optional<wire::PathAttributes> a;
    if (pv.attrs) {
      a = rib::AttrStore::materialize(*pv.attrs);
      w.key("attributes");
      write_attributes(w, *a);
    }
    w.field("best", pv.best).field("ecmp", pv.ecmp);
    if (const PeerIdentity* id = ctx_.directory->find(pv.peer))
      w.field("from", id->address.to_string());
    if (!pv.ineligible.empty()) w.field("ineligible", pv.ineligible);
    if (!pv.best && pv.ineligible.empty()) w.field("lost_on", rib::step_name(pv.step));
    w.field("peer", pv.peer == rib::kLocalPeer ? std::string("local") : pv.peer_name);
    if (ctx_.since)
      if (auto s = ctx_.since(pv.peer)) w.field("since", *s);
    w.field("stale", pv.stale);
    // The forwarding path as the kernel will use it (recursive resolution).
    if (ctx_.via && a && a->next_hop)
      if (auto v = ctx_.via(*a->next_hop)) {
        w.key("via").begin_object().field("gateway", v->gateway).field("interface", v->interface);
        w.end_object();
      }
    w.end_object();
  }
  count_ += n;
  if (n == 0 || q_.count_only) return;
  w.end_array().field("prefix", pfx.to_string()).end_object();
  sink.item(text_);
}

}  // namespace nvabgpd::daemon
