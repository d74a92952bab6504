// `filter test` on the control socket (nvabgpctl filter test --peer): a route through the
// code a real one takes for that peer, with the filter's full outcome and `print` output.
// Import: rib::Rib::prepare_import (eBGP attribute stripping, loop checks on the path as
// received, default LOCAL_PREF), then the peer's import filter. Export: the route is taken as
// a Loc-RIB route; the well-known community rules (rib::Rib::community_block), then the peer's
// export filter. Nothing is stored; the RIB is not changed.
#include "daemon.hpp"
#include "filter_adapter.hpp"
#include "filter_route.hpp"

namespace nvabgpd::daemon {

namespace {

nlohmann::json refused(const ctl::RouteInput& r, const std::string& reason) {
  return {{"prefix", r.net.to_string()}, {"result", "reject"}, {"reason", reason}, {"where", ""}};
}

}  // namespace

nlohmann::json Daemon::filter_test(const std::string& name, bool export_side,
                                   const nlohmann::json& routes) {
  PeerRuntime* p = find_peer(name);
  if (!p) throw ControlError("no such peer: " + name);
  if (!routes.is_array()) throw ControlError("routes must be an array");
  const rib::PeerUp peer =
      p->up && p->last_up ? rib_peer_up(*p, *p->last_up) : rib_peer_settings(*p);
  const rib::FilterPtr& filter = export_side ? peer.export_filter : peer.import_filter;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& rj : routes) {
    std::string error;
    std::optional<ctl::RouteInput> in = ctl::parse_route_json(rj, error);
    if (!in) throw ControlError("bad route: " + error);
    ctl::RouteInput r = std::move(*in);
    rib::FilterContext ctx{rib::FilterDirection::Import, peer.id, peer.remote_asn, 0, true};
    if (export_side) {
      // The route's source: the configured peer it says it came `from` (else a local route).
      ctx.direction = rib::FilterDirection::Export;
      for (const auto& src : peers_)
        if (!r.from.is_unspecified() && src.cfg.address == r.from) ctx.source_peer_id = src.id;
      const rib::AttrRef interned = rib_->store().intern(r.attrs);
      if (const char* why = rib::Rib::community_block(*interned, peer.ebgp())) {
        results.push_back(refused(r, std::string("not exported: ") + why));
        continue;
      }
    } else if (const std::uint16_t loops = rib_->prepare_import(peer, r.attrs)) {
      results.push_back(
          refused(r, "dropped before the import filter: " + rib::Rib::loop_reason(loops)));
      continue;
    }
    // The peer's configured filter may be wrapped by the health-tracking / drain overlay
    // (export) or the GRACEFUL_SHUTDOWN rule (import): its outcome (print output, deciding
    // statement) comes from the program, the final verdict and attributes from the whole.
    const rib::RouteFilter* inner = filter.get();
    while (inner != nullptr && dynamic_cast<const PolicyFilter*>(inner) == nullptr)
      inner = inner->wrapped();
    const auto* program = dynamic_cast<const PolicyFilter*>(inner);
    if (program == nullptr) {
      // `all` or `none` (or no filter: all).
      const bool accept = !filter || filter->kind() != rib::RouteFilter::Kind::RejectAll;
      policy::Outcome o;
      o.why = accept ? policy::Outcome::Why::Accept : policy::Outcome::Why::Reject;
      nlohmann::json j = ctl::filter_result_json(r, o, {});
      j["reason"] = fmt::format("{} by filter {}", accept ? "accepted" : "rejected",
                                filter ? filter->name() : "all");
      j["where"] = "";
      results.push_back(std::move(j));
      continue;
    }
    std::vector<std::string> printed;
    const policy::PrintSink sink = [&](std::string_view s, bool) { printed.emplace_back(s); };
    policy::Outcome o = program->evaluate(r.net, r.attrs, ctx, &sink);
    if (program != filter.get() && o.accepted()) {
      rib::FilterResult whole = filter->run(r.net, r.attrs, ctx);
      if (!whole.accept) {
        results.push_back(refused(r, whole.reason));
        continue;
      }
      o.modified = std::move(whole.modified);
    }
    results.push_back(ctl::filter_result_json(r, o, printed));
  }
  return nlohmann::json{
      {"peer", name}, {"direction", export_side ? "export" : "import"}, {"results", results}};
}

}  // namespace nvabgpd::daemon
