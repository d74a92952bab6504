#include "route_control.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvabgpd/config/print.hpp"

namespace nvabgpd::daemon {

namespace {

void add_community(wire::PathAttributes& a, wire::Community c) {
  if (std::find(a.communities.begin(), a.communities.end(), c) == a.communities.end())
    a.communities.push_back(c);
}

// The configured filter's verdict, without materialising anything for all/none.
rib::FilterResult run_inner(const rib::RouteFilter& f, const base::Prefix& prefix,
                            const wire::PathAttributes& attrs, const rib::FilterContext& ctx) {
  switch (f.kind()) {
    case rib::RouteFilter::Kind::AcceptAll:
      return {true, std::nullopt, {}};
    case rib::RouteFilter::Kind::RejectAll:
      return {false, std::nullopt, "filter none rejects every route"};
    case rib::RouteFilter::Kind::Program:
      break;
  }
  return f.run(prefix, attrs, ctx);
}

std::string communities_text(const std::vector<wire::Community>& cs) {
  std::vector<std::string> v;
  for (auto c : cs) v.push_back(config::community_to_string(c));
  return fmt::format("{}", fmt::join(v, " "));
}

}  // namespace

std::string ExportModifier::key() const {
  if (empty()) return "";
  return fmt::format("{}|{}|{}|{}", reject ? 1 : 0, prepend, communities_text(communities),
                     drain ? 1 : 0);
}

ExportOverlay::ExportOverlay(rib::FilterPtr inner, ExportModifier mod, std::uint32_t local_asn)
    : inner_(std::move(inner)),
      mod_(std::move(mod)),
      local_asn_(local_asn),
      fingerprint_(base::Fingerprint()
                       .add(inner_->fingerprint())
                       .add(mod_.key())
                       .add(mod_.reject_reason)
                       .add(local_asn)
                       .value()) {}

// Overlays are shared by every peer in the same state and kept while the state lasts, so the
// name says what the overlay does, not which check failed why (explain adds that, live).
std::string ExportOverlay::name() const {
  std::vector<std::string> parts;
  if (mod_.reject) parts.push_back("withdrawn: tracked health check down");
  if (mod_.prepend) parts.push_back(fmt::format("prepend {}", mod_.prepend));
  if (!mod_.communities.empty())
    parts.push_back("communities " + communities_text(mod_.communities));
  if (mod_.drain) parts.push_back("drained");
  return fmt::format("{} ({})", inner_->name(), fmt::join(parts, ", "));
}

rib::FilterResult ExportOverlay::run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                                     const rib::FilterContext& ctx) const {
  if (mod_.reject) return {false, std::nullopt, mod_.reject_reason};
  rib::FilterResult r = run_inner(*inner_, prefix, attrs, ctx);
  if (!r.accept) return r;
  wire::PathAttributes a = r.modified ? std::move(*r.modified) : attrs;
  if (mod_.prepend) a.as_path.prepend(local_asn_, mod_.prepend);
  for (auto c : mod_.communities) add_community(a, c);
  if (mod_.drain) {
    // RFC 8326 4.1: GRACEFUL_SHUTDOWN on every path; toward eBGP a longer AS path (the
    // neighbour may not act on the community: Azure Route Server does not), toward iBGP the
    // lowest LOCAL_PREF.
    add_community(a, wire::kGracefulShutdown);
    if (ctx.peer_asn != local_asn_)
      a.as_path.prepend(local_asn_, kDrainPrepend);
    else
      a.local_pref = kGshutLocalPref;
  }
  r.modified = std::move(a);
  return r;
}

rib::FilterResult GshutImport::run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                                   const rib::FilterContext& ctx) const {
  rib::FilterResult r = run_inner(*inner_, prefix, attrs, ctx);
  if (!r.accept) return r;
  const wire::PathAttributes& a = r.modified ? *r.modified : attrs;
  if (std::find(a.communities.begin(), a.communities.end(), wire::kGracefulShutdown) ==
      a.communities.end())
    return r;
  // RFC 8326 4.1: the neighbour is going away; prefer any other path.
  wire::PathAttributes m = a;
  m.local_pref = kGshutLocalPref;
  r.modified = std::move(m);
  return r;
}

void RouteControl::set_drained(const std::string& peer, bool on) {
  if (on)
    drained_.insert(peer);
  else
    drained_.erase(peer);
}

ExportModifier RouteControl::export_modifier(const config::PeerConfig& pc) const {
  ExportModifier m;
  std::vector<std::string> notes;
  if (!pc.track.empty()) {
    const auto failing = health_.failing(pc.track.checks);
    if (!failing.empty()) {
      const auto& act = pc.track.on_failure;
      const std::string why = fmt::format("health check {}", fmt::join(failing, ", "));
      if (act.withdraw) {
        m.reject = true;
        m.reject_reason = fmt::format("exports to {} withdrawn: {}", pc.name, why);
      }
      m.prepend = act.prepend;
      m.communities = act.communities;
      notes.push_back(fmt::format("{}: {}", act.to_string(), why));
    }
  }
  if (drained(pc.name)) {
    m.drain = true;
    notes.push_back("drained (RFC 8326 graceful shutdown)");
  }
  m.note = fmt::format("{}", fmt::join(notes, "; "));
  return m;
}

rib::FilterPtr RouteControl::export_filter(const config::PeerConfig& pc, rib::FilterPtr inner,
                                           std::uint32_t local_asn) {
  ExportModifier m = export_modifier(pc);
  if (m.empty()) return inner;
  // The key leaves out the note's peer name so peers in the same state share one overlay.
  const std::string k = m.key();
  auto it = overlays_.find({inner.get(), k});
  if (it != overlays_.end()) return it->second;
  if (overlays_.size() > 256) {  // reloads leave overlays of old filters behind
    for (auto o = overlays_.begin(); o != overlays_.end();)
      o = o->second.use_count() == 1 ? overlays_.erase(o) : std::next(o);
  }
  if (m.reject) m.reject_reason = "a health check this peer's exports track is down";
  auto f = std::make_shared<const ExportOverlay>(inner, std::move(m), local_asn);
  overlays_[{inner.get(), k}] = f;
  return f;
}

rib::FilterPtr RouteControl::import_filter(const rib::FilterPtr& inner) {
  if (inner->kind() == rib::RouteFilter::Kind::RejectAll) return inner;
  auto it = imports_.find(inner.get());
  if (it != imports_.end() && it->second.first == inner) return it->second.second;
  auto f = std::make_shared<const GshutImport>(inner);
  imports_[inner.get()] = {inner, f};
  return f;
}

std::optional<wire::PathAttributes> RouteControl::originate(const config::Originate& o,
                                                            wire::PathAttributes a,
                                                            std::uint32_t local_asn) const {
  if (o.track.empty() || health_.failing(o.track.checks).empty()) return a;
  const auto& act = o.track.on_failure;
  if (act.withdraw) return std::nullopt;
  if (act.prepend) a.as_path.prepend(local_asn, act.prepend);
  for (auto c : act.communities) add_community(a, c);
  return a;
}

std::string RouteControl::originate_key(const config::Originate& o) const {
  if (o.track.empty() || health_.failing(o.track.checks).empty()) return "";
  return o.track.on_failure.to_string();
}

std::string RouteControl::explain_originate(const config::Originate& o) const {
  if (o.track.empty()) return "";
  const auto failing = health_.failing(o.track.checks);
  if (failing.empty())
    return fmt::format("originated; tracks {} (all up)", fmt::join(o.track.checks, ", "));
  const auto& act = o.track.on_failure;
  return fmt::format("originated route {} because health check {} {} failing",
                     act.withdraw ? std::string("withdrawn") : "announced with " + act.to_string(),
                     fmt::join(failing, ", "), failing.size() == 1 ? "is" : "are");
}

std::string RouteControl::explain_peer(const config::PeerConfig& pc) const {
  return export_modifier(pc).note;
}

}  // namespace nvabgpd::daemon
