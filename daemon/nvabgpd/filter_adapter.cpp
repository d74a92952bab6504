#include "filter_adapter.hpp"

#include <spdlog/spdlog.h>

namespace nvabgpd::daemon {

policy::Outcome PolicyFilter::evaluate(const base::Prefix& prefix,
                                       const wire::PathAttributes& attrs,
                                       const rib::FilterContext& ctx,
                                       const policy::PrintSink* sink) const {
  // Import: the route comes from ctx.peer_id; export: from ctx.source_peer_id (0 = local).
  const std::uint32_t source =
      ctx.direction == rib::FilterDirection::Import ? ctx.peer_id : ctx.source_peer_id;
  policy::RouteView view;
  view.net = prefix;
  view.attrs = &attrs;
  if (const PeerIdentity* p = peers_.find(source)) {
    view.from = p->address;
    view.proto = p->name;
    view.source = policy::RouteSource::Bgp;
  } else {
    view.proto = "static";
    view.source = policy::RouteSource::Static;
  }
  if (attrs.next_hop) view.gw = *attrs.next_hop;
  return program_->run(*filter_, view, sink);
}

rib::FilterResult PolicyFilter::run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                                    const rib::FilterContext& ctx) const {
  policy::Outcome o = evaluate(prefix, attrs, ctx, nullptr);
  // A runtime error, or a filter that ends without accept/reject, rejects the route; BIRD logs
  // both. We log the first of each kind once per filter, never per route.
  if (o.why == policy::Outcome::Why::RuntimeError && !runtime_error_logged_) {
    runtime_error_logged_ = true;
    spdlog::error("filter {}: {} (route {} rejected; further runtime errors not logged)", name_,
                  o.reason(), prefix);
  } else if (o.why == policy::Outcome::Why::FellOffEnd && !fell_off_logged_) {
    fell_off_logged_ = true;
    spdlog::warn("filter {}: {} (route {} rejected; not logged again)", name_, o.reason(), prefix);
  }
  rib::FilterResult r;
  r.accept = o.accepted();
  r.modified = std::move(o.modified);
  r.med_assigned = o.med_assigned;
  if (ctx.want_reason) r.reason = name_ + ": " + o.reason();
  return r;
}

rib::FilterPtr make_filter(const std::string& kind_or_name,
                           const std::shared_ptr<const policy::Program>& program,
                           const PeerDirectory& peers, std::string* error) {
  if (kind_or_name == "all") return rib::accept_all();
  if (kind_or_name == "none") return rib::reject_all();
  const policy::Filter* f = program ? program->find_filter(kind_or_name) : nullptr;
  if (f == nullptr) {
    if (error) *error = "unknown filter " + kind_or_name;
    return nullptr;
  }
  return std::make_shared<PolicyFilter>(program, f, kind_or_name, peers);
}

}  // namespace nvabgpd::daemon
