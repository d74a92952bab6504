// The control commands: what `nvabgpctl` asks and the JSON it gets back. The schema is
// documented in docs/control-protocol.md; fields are only ever added.
#include <malloc.h>
#include <net/if.h>

#include <algorithm>
#include <fstream>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "bfd_link.hpp"
#include "daemon.hpp"
#include "route_json.hpp"
#include "route_walk.hpp"

namespace nvabgpd::daemon {

namespace {

std::string iso_time(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

std::optional<base::Prefix> arg_prefix(const nlohmann::json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw ControlError(std::string(key) + " must be a string");
  auto p = base::Prefix::parse(it->get<std::string>());
  if (!p) throw ControlError("bad prefix: " + it->get<std::string>());
  return p;
}

std::string arg_string(const nlohmann::json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return {};
  if (!it->is_string()) throw ControlError(std::string(key) + " must be a string");
  return it->get<std::string>();
}

bool arg_bool(const nlohmann::json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_boolean() && it->get<bool>();
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

void Daemon::install_control_handlers() {
  ControlServer& c = *control_;

  c.on("show status", [this](const nlohmann::json&) {
    return nlohmann::json{{"version", "0.1.0"},
                          {"router_id", cfg_.router_id.to_string()},
                          {"asn", cfg_.asn},
                          {"started", iso_time(started_)},
                          {"last_reload", iso_time(last_reload_)},
                          {"converged", converged_},
                          {"convergence", convergence_status()},
                          {"prefixes", rib_->prefix_count()},
                          {"peers", peers_.size()},
                          {"kernel", fib_ != nullptr}};
  });

  c.on("show bfd", [this](const nlohmann::json&) {
    return nlohmann::json{{"sessions", bfd_ ? bfd_->show() : nlohmann::json::array()}};
  });

  c.on("show memory", [this](const nlohmann::json&) {
    const auto& s = rib_->store();
    malloc_trim(0);  // the figure of what is in use, not of freed heap glibc kept mapped
    return nlohmann::json{{"rss_kib", rss_kib()},
                          {"prefixes", rib_->prefix_count()},
                          {"attribute_sets", s.attr_sets()},
                          {"as_paths", s.as_paths()},
                          {"community_lists", s.community_lists()},
                          {"next_hops", s.next_hops()},
                          {"update_groups", rib_->group_count()},
                          // What each module holds peers for: equal to the configured peers
                          // (the RIB: those whose session came up at least once).
                          {"peers",
                           {{"configured", peers_.size()},
                            {"session", sessions_->peers().size()},
                            {"rib", rib_->peer_count()}}}};
  });

  c.on("show protocols", [this](const nlohmann::json& args) {
    const std::string only = arg_string(args, "peer");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : peers_) {
      if (!only.empty() && only != p.cfg.name) continue;
      const session::PeerStats st = sessions_->stats(p.id);
      nlohmann::json j{{"name", p.cfg.name},
                       {"address", p.cfg.address.to_string()},
                       {"asn", p.cfg.asn},
                       {"description", p.cfg.description},
                       {"template", p.cfg.template_name},
                       {"enabled", p.cfg.enabled},
                       {"state", std::string(session::to_string(st.state))},
                       {"since", iso_time(p.since)},
                       {"last_error", p.last_error},
                       {"import", p.cfg.import_filter.to_string()},
                       {"export", p.cfg.export_filter.to_string()},
                       {"flaps", st.established_count > 0 ? st.established_count - 1 : 0}};
      j["messages"] = {{"updates_in", st.updates_in},
                       {"updates_out", st.updates_out},
                       {"keepalives_in", st.keepalives_in},
                       {"keepalives_out", st.keepalives_out},
                       {"notifications_in", st.notifications_in},
                       {"notifications_out", st.notifications_out},
                       {"opens_in", st.opens_in},
                       {"opens_out", st.opens_out},
                       {"refreshes_in", st.refreshes_in}};
      nlohmann::json routes{{"exported", rib_->adj_rib_out_size(p.id)}};
      if (auto ctr = rib_->counters(p.id)) {
        routes["received"] = ctr->received;
        routes["withdrawn"] = ctr->withdrawn;
        routes["accepted"] = ctr->accepted;
        routes["filtered"] = ctr->filtered;
        routes["loops"] = ctr->loops;
        routes["limit_blocked"] = ctr->limit_blocked;
        routes["export_blocked"] = ctr->export_blocked;
        routes["refresh_dumps"] = ctr->refresh_dumps;  // re-sends made for ROUTE-REFRESH
      }
      j["routes"] = routes;
      // Peers with the same export settings and filter (by fingerprint) share one group.
      if (auto g = rib_->group_of(p.id)) j["update_group"] = *g;
      if (p.negotiated && p.up) {
        nlohmann::json fams = nlohmann::json::array();
        for (auto f : p.negotiated->families) fams.push_back(std::string(config::family_name(f)));
        j["session"] = {{"local_address", p.local_address.to_string()},
                        {"hold_time", p.negotiated->hold_time.count()},
                        {"keepalive", p.negotiated->keepalive.count()},
                        {"four_octet_as", p.negotiated->four_octet_as},
                        {"route_refresh", p.negotiated->route_refresh},
                        {"graceful_restart", p.negotiated->graceful_restart},
                        {"families", fams},
                        {"router_id", base::IpAddress::v4(p.negotiated->peer_id).to_string()}};
      }
      out.push_back(std::move(j));
    }
    if (!only.empty() && out.empty()) throw ControlError("no such peer: " + only);
    return out;
  });

  // A walk over the table, a slice per io_context turn (route_walk.hpp for its semantics).
  c.on_stream("show route", [this](const nlohmann::json& args) -> std::unique_ptr<ControlStream> {
    RouteQuery q;
    q.prefix = arg_prefix(args, "prefix");
    if (auto s = arg_string(args, "for"); !s.empty()) {
      q.for_addr = base::IpAddress::parse(s);
      if (!q.for_addr) throw ControlError("bad address: " + s);
    }
    q.count_only = arg_bool(args, "count");
    q.filtered = arg_bool(args, "filtered");
    if (auto name = arg_string(args, "protocol"); !name.empty()) {
      PeerRuntime* p = find_peer(name);
      if (!p) throw ControlError("no such peer: " + name);
      q.protocol = p->id;
    }
    if (auto name = arg_string(args, "export"); !name.empty()) {
      PeerRuntime* p = find_peer(name);
      if (!p) throw ControlError("no such peer: " + name);
      q.export_peer = p->id;
      q.export_name = name;
      q.export_self_v4 = p->local_address;
      q.export_self_v6 = p->self_v6;
    }
    RouteContext ctx;
    ctx.rib = rib_.get();
    ctx.directory = &directory_;
    ctx.since = [this](rib::PeerId id) -> std::optional<std::string> {
      if (PeerRuntime* pr = peer(id)) return iso_time(pr->since);
      return std::nullopt;
    };
    if (fib_) {
      ctx.via = [this](const base::IpAddress& nh) -> std::optional<RouteContext::Via> {
        if (!fib_) return std::nullopt;
        auto r = fib_->resolve(nh);
        if (!r) return std::nullopt;
        char ifname[IF_NAMESIZE] = "?";
        if_indextoname(static_cast<unsigned>(r->ifindex), ifname);
        return RouteContext::Via{r->gateway.to_string(), ifname};
      };
    }
    return std::make_unique<RouteWalk>(std::move(ctx), std::move(q));
  });

  c.on("explain", [this](const nlohmann::json& args) {
    auto prefix = arg_prefix(args, "prefix");
    if (!prefix) throw ControlError("explain needs a prefix");
    rib::PrefixExplain ex = rib_->explain(*prefix);
    nlohmann::json out{{"prefix", prefix->to_string()}};
    nlohmann::json paths = nlohmann::json::array();
    for (const auto& pv : ex.paths) {
      nlohmann::json pj{{"peer", pv.peer == rib::kLocalPeer ? "local" : pv.peer_name},
                        {"best", pv.best},
                        {"ecmp", pv.ecmp},
                        {"stale", pv.stale}};
      if (!pv.ineligible.empty()) {
        pj["why"] = "not eligible: " + pv.ineligible;
      } else if (pv.best) {
        pj["why"] = "best path";
      } else {
        const PeerIdentity* winner = directory_.find(pv.lost_to);
        pj["why"] =
            fmt::format("lost to {} on {}",
                        pv.lost_to == rib::kLocalPeer ? "local" : (winner ? winner->name : "?"),
                        rib::step_name(pv.step));
      }
      if (pv.attrs) pj["attributes"] = attributes_json(rib::AttrStore::materialize(*pv.attrs));
      paths.push_back(std::move(pj));
    }
    out["paths"] = paths;
    nlohmann::json filt = nlohmann::json::array();
    for (const auto& [rid, why] : ex.filtered) {
      const PeerIdentity* id = directory_.find(rid);
      filt.push_back({{"peer", id ? id->name : "?"}, {"why", why}});
    }
    out["filtered_on_import"] = filt;
    if (ex.paths.empty() && ex.filtered.empty())
      out["summary"] =
          "no peer announced this prefix (or its import filter rejected it without "
          "a soft-reconfiguration copy)";
    for (const auto& o : cfg_.originate)  // a tracked originate item: its health checks
      if (o.prefix == *prefix && !o.track.empty())
        out["health"] = route_control_->explain_originate(o);
    if (auto to = arg_string(args, "to"); !to.empty()) {
      PeerRuntime* p = find_peer(to);
      if (!p) throw ControlError("no such peer: " + to);
      rib::ExportExplain ee = rib_->explain_export(*prefix, p->id);
      nlohmann::json ej{{"peer", to}, {"exported", ee.exported}, {"why", ee.reason}};
      if (!p->up) ej["why"] = "session is not established (" + p->last_error + ")";
      if (ee.attrs) ej["attributes"] = attributes_json(rib::AttrStore::materialize(*ee.attrs));
      ej["peer_holds"] = static_cast<bool>(ee.adj_rib_out);
      if (auto note = route_control_->explain_peer(p->cfg); !note.empty())
        ej["route_control"] = note;  // drained, or a tracked health check is failing
      out["export"] = ej;
    }
    return out;
  });

  auto peer_op = [this](const std::string& op) {
    return [this, op](const nlohmann::json& args) {
      const std::string name = arg_string(args, "peer");
      PeerRuntime* p = find_peer(name);
      if (!p) throw ControlError("no such peer: " + name);
      if (op == "disable" || op == "restart") {
        sessions_->stop_peer(p->id, arg_string(args, "message").empty()
                                        ? "administratively " + op + "d"
                                        : arg_string(args, "message"));
      }
      if (op == "enable" || op == "restart") sessions_->start_peer(p->id);
      p->cfg.enabled = op != "disable";
      spdlog::info("peer {}: {} by operator", name, op);
      return nlohmann::json{{"peer", name}, {"done", op}};
    };
  };
  c.on("enable", peer_op("enable"));
  c.on("disable", peer_op("disable"));
  c.on("restart", peer_op("restart"));

  c.on("reload", [this](const nlohmann::json& args) { return reload(arg_bool(args, "check")); });

  c.on("filter test", [this](const nlohmann::json& args) {
    const std::string direction = arg_string(args, "direction");
    if (!direction.empty() && direction != "import" && direction != "export")
      throw ControlError("direction must be import or export");
    auto routes = args.find("routes");
    return filter_test(arg_string(args, "peer"), direction == "export",
                       routes == args.end() ? nlohmann::json::array() : *routes);
  });
}

}  // namespace nvabgpd::daemon
