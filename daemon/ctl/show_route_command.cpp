// `show route`: its words parsed into the request, the answer printed as the daemon streams it.
#include <iostream>

#include "commands.hpp"
#include "control_client.hpp"
#include "daemon_call.hpp"
#include "show_render.hpp"

namespace nvabgpd::ctl {

namespace {

using nlohmann::json;

// Printed one route at a time, never the whole table in memory. --json prints the document
// of the one-line answer's result, {"routes": [...]}, one route per line as the daemon sent it.
int show_route_stream(const Globals& g, const json& args, bool all) {
  bool first = true;
  auto on_item = [&](const std::string& line) {
    if (g.json) {
      std::cout << (first ? "{\"routes\": [\n" : ",\n") << line;
    } else {
      json route = json::parse(line, nullptr, false);
      if (!route.is_discarded()) std::cout << render_route(route, all);
    }
    first = false;
  };
  auto r = control_stream(g.socket, "show route", args, "routes", on_item, g.timeout_ms);
  if (!r.transport_ok) return print_no_daemon(r.error);
  if (!r.response.value("ok", false)) return print_refusal(g, r.response);
  if (g.json) std::cout << (first ? "{\"routes\": []}\n" : "\n]}\n");
  return kExitOk;
}

}  // namespace

// show route [PREFIX | for ADDRESS] [all] [protocol PEER] [export PEER] [filtered] [count]
int run_show_route(const Invocation& inv) {
  const auto& t = inv.args;
  json args = json::object();
  bool all = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& w = t[i];
    auto next = [&](const char* what) -> std::string {
      if (i + 1 >= t.size()) throw UsageError("'" + w + "' needs " + what);
      return t[++i];
    };
    if (w == "all")
      all = true;
    else if (w == "count")
      args["count"] = true;
    else if (w == "filtered")
      args["filtered"] = true;
    else if (w == "for")
      args["for"] = next("an address");
    else if (w == "protocol")
      args["protocol"] = next("a peer name");
    else if (w == "export")
      args["export"] = next("a peer name");
    else if (!args.contains("prefix") && w.find_first_of("./:") != std::string::npos)
      args["prefix"] = w.find('/') == std::string::npos
                           ? w + (w.find(':') != std::string::npos ? "/128" : "/32")
                           : w;
    else
      throw UsageError("unexpected '" + w + "' in show route");
  }
  if (args.contains("count"))
    return call_daemon(inv.globals, "show route", args,
                       [all](const json& r) { return render_routes(r, all); });
  return show_route_stream(inv.globals, args, all);
}

}  // namespace nvabgpd::ctl
