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
    for (int len = static_cast<int>(base::max_len(q_.for_addr->family())); len >= 0; --len) {
      auto p = base::Prefix::make(*q_.for_addr, static_cast<unsigned>(len));
      if (table.find(p) != rib::kNoEntry) {
        single_ = p;
        break;
      }
    }
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

void RouteWalk::visit(const base::Prefix& pfx, ControlSink& sink) {
  const rib::Rib& rib = *ctx_.rib;
  ++prefixes_;
  if (q_.export_peer) {
    rib::ExportExplain ex = rib.explain_export(pfx, *q_.export_peer);
    if (!ex.exported || !ex.attrs) return;
    ++count_;
    if (q_.count_only) return;
    sink.item({{"prefix", pfx.to_string()},
               {"paths",
                nlohmann::json::array({nlohmann::json{
                    {"peer", q_.export_name},
                    {"best", true},
                    {"export", true},
                    {"attributes", attributes_json(rib::AttrStore::materialize(*ex.attrs))}}})}});
    return;
  }
  if (q_.filtered) {
    rib::PrefixExplain ex = rib.explain(pfx);
    for (const auto& [rid, why] : ex.filtered) {
      if (q_.protocol && *q_.protocol != rid) continue;
      ++count_;
      if (q_.count_only) continue;
      const PeerIdentity* id = ctx_.directory->find(rid);
      sink.item({{"prefix", pfx.to_string()},
                 {"paths", nlohmann::json::array({nlohmann::json{{"peer", id ? id->name : "?"},
                                                                 {"filtered", why}}})}});
    }
    return;
  }
  nlohmann::json paths = nlohmann::json::array();
  std::size_t n = 0;
  for (const auto& pv : rib.routes(pfx)) {
    if (q_.protocol && pv.peer != *q_.protocol) continue;
    ++n;
    if (q_.count_only) continue;
    const PeerIdentity* id = ctx_.directory->find(pv.peer);
    nlohmann::json pj{{"peer", pv.peer == rib::kLocalPeer ? "local" : pv.peer_name},
                      {"best", pv.best},
                      {"ecmp", pv.ecmp},
                      {"stale", pv.stale}};
    if (id) pj["from"] = id->address.to_string();
    if (!pv.ineligible.empty()) pj["ineligible"] = pv.ineligible;
    if (!pv.best && pv.ineligible.empty()) pj["lost_on"] = std::string(rib::step_name(pv.step));
    if (pv.attrs) {
      wire::PathAttributes a = rib::AttrStore::materialize(*pv.attrs);
      // The forwarding path as the kernel will use it (recursive resolution).
      if (ctx_.via && a.next_hop)
        if (auto v = ctx_.via(*a.next_hop)) pj["via"] = std::move(*v);
      pj["attributes"] = attributes_json(a);
    }
    if (ctx_.since)
      if (auto s = ctx_.since(pv.peer)) pj["since"] = std::move(*s);
    paths.push_back(std::move(pj));
  }
  count_ += n;
  if (n > 0 && !q_.count_only)
    sink.item({{"prefix", pfx.to_string()}, {"paths", std::move(paths)}});
}

}  // namespace nvabgpd::daemon
