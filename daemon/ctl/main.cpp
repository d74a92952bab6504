// nvabgpctl: the operator's CLI. Talks to nvabgpd over its control socket (JSON lines; see
// docs/control-protocol.md) and renders BIRD-style text, or passes the JSON through (--json).
// Exit codes: 0 success; 1 the daemon refused the request (bad prefix, unknown peer, reload
// rejected); 2 usage error or the daemon could not be reached.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bfd_render.hpp"
#include "control_client.hpp"
#include "dump_command.hpp"
#include "filter_test.hpp"
#include "health_command.hpp"
#include "show_render.hpp"

namespace {

using nlohmann::json;
using nvabgpd::ctl::control_request;

struct Ctx {
  std::string socket = "/run/nvabgpd/nvabgpd.ctl";
  bool json_out = false;
};

int fail_usage(const std::string& msg) {
  std::fprintf(stderr, "nvabgpctl: %s\n", msg.c_str());
  return 2;
}

// The daemon said no: its answer as JSON, or its error line on stderr. Exit code 1.
int print_refusal(const Ctx& ctx, const json& response) {
  if (ctx.json_out) {
    std::cout << response.dump(2) << "\n";
  } else {
    std::fprintf(stderr, "nvabgpctl: %s\n", response.value("error", std::string("error")).c_str());
  }
  return 1;
}

// Sends one request and prints the answer with `render`. Returns the exit code.
template <typename Render>
int call(const Ctx& ctx, const std::string& command, const json& args, Render render) {
  auto r = control_request(ctx.socket, command, args);
  if (!r.transport_ok) return fail_usage(r.error);
  if (!r.response.value("ok", false)) return print_refusal(ctx, r.response);
  const json& result = r.response["result"];
  if (ctx.json_out) {
    std::cout << result.dump(2) << "\n";
  } else {
    std::cout << render(result);
  }
  return 0;
}

// `show route` printed as the daemon streams it: one route at a time, never the whole table in
// memory. --json prints the document of the one-line answer's result, {"routes": [...]}, one
// route per line as the daemon sent it.
int show_route_stream(const Ctx& ctx, const json& args, bool all) {
  bool first = true;
  auto on_item = [&](const std::string& line) {
    if (ctx.json_out) {
      std::cout << (first ? "{\"routes\": [\n" : ",\n") << line;
    } else {
      json route = json::parse(line, nullptr, false);
      if (!route.is_discarded()) std::cout << nvabgpd::ctl::render_route(route, all);
    }
    first = false;
  };
  auto r = nvabgpd::ctl::control_stream(ctx.socket, "show route", args, "routes", on_item);
  if (!r.transport_ok) {
    std::cout.flush();
    return fail_usage(r.error);
  }
  if (!r.response.value("ok", false)) return print_refusal(ctx, r.response);
  if (ctx.json_out) std::cout << (first ? "{\"routes\": []}\n" : "\n]}\n");
  return 0;
}

// show route [PREFIX | for ADDRESS] [all] [protocol PEER] [export PEER] [filtered] [count]
int show_route(const Ctx& ctx, const std::vector<std::string>& t) {
  json args = json::object();
  bool all = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& w = t[i];
    auto next = [&](const char* what) -> std::string {
      if (i + 1 >= t.size()) throw std::runtime_error(std::string("'") + w + "' needs " + what);
      return t[++i];
    };
    if (w == "all") all = true;
    else if (w == "count") args["count"] = true;
    else if (w == "filtered") args["filtered"] = true;
    else if (w == "for") args["for"] = next("an address");
    else if (w == "protocol") args["protocol"] = next("a peer name");
    else if (w == "export") args["export"] = next("a peer name");
    else if (!args.contains("prefix") && w.find_first_of("./:") != std::string::npos)
      args["prefix"] = w.find('/') == std::string::npos ? w + (w.find(':') != std::string::npos ? "/128" : "/32") : w;
    else throw std::runtime_error("unexpected '" + w + "' in show route");
  }
  if (args.contains("count"))
    return call(ctx, "show route", args, [all](const json& r) { return nvabgpd::ctl::render_routes(r, all); });
  return show_route_stream(ctx, args, all);
}

int show(const Ctx& ctx, const std::vector<std::string>& t) {
  if (t.empty()) return fail_usage("show what? protocols, route, status, memory, bfd");
  const std::string& what = t[0];
  std::vector<std::string> rest(t.begin() + 1, t.end());
  if (what == "protocols" || what == "peers" || what == "protocol") {
    json args = json::object();
    if (!rest.empty() && rest[0] != "all") args["peer"] = rest[0];
    return call(ctx, "show protocols", args, nvabgpd::ctl::render_protocols);
  }
  if (what == "route" || what == "routes") return show_route(ctx, rest);
  if (what == "status") return call(ctx, "show status", json::object(), nvabgpd::ctl::render_status);
  if (what == "memory") return call(ctx, "show memory", json::object(), nvabgpd::ctl::render_memory);
  if (what == "health") return call(ctx, "show health", json::object(), nvabgpd::ctl::render_health);
  if (what == "bfd") return call(ctx, "show bfd", json::object(), nvabgpd::ctl::render_bfd);
  return fail_usage("unknown show command: " + what);
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // stdout is written only through std::cout (show route: MBs)
  CLI::App app{"nvabgpctl - control nvabgpd"};
  app.require_subcommand(1);
  Ctx ctx;
  if (const char* env = std::getenv("NVABGPCTL_SOCKET")) ctx.socket = env;
  app.add_option("-s,--socket", ctx.socket, "control socket of the daemon");
  app.add_flag("--json", ctx.json_out, "print the daemon's JSON answer (stable schema)");
  int exit_code = 0;

  std::vector<std::string> show_args;
  auto* show_cmd = app.add_subcommand("show", "show protocols|route|status|memory|health|bfd ...");
  show_cmd->add_option("what", show_args, "what to show")->required();
  show_cmd->allow_extras();
  show_cmd->callback([&] {
    try {
      exit_code = show(ctx, show_args);
    } catch (const std::exception& e) {
      exit_code = fail_usage(e.what());
    }
  });

  std::string ex_prefix, ex_to;
  std::vector<std::string> ex_args;
  auto* explain_cmd = app.add_subcommand("explain", "why a prefix is (not) best / (not) exported: explain PREFIX [to PEER]");
  explain_cmd->add_option("args", ex_args, "PREFIX [to PEER]")->required();
  explain_cmd->callback([&] {
    json args = json::object();
    for (std::size_t i = 0; i < ex_args.size(); ++i) {
      if (ex_args[i] == "to" && i + 1 < ex_args.size()) {
        args["to"] = ex_args[++i];
      } else if (!args.contains("prefix")) {
        args["prefix"] = ex_args[i];
      } else {
        exit_code = fail_usage("unexpected '" + ex_args[i] + "'");
        return;
      }
    }
    exit_code = call(ctx, "explain", args, nvabgpd::ctl::render_explain);
  });

  struct PeerOp {
    const char* name;
    std::string peer;
    std::string message;
  };
  std::array<PeerOp, 3> ops{{{"enable", {}, {}}, {"disable", {}, {}}, {"restart", {}, {}}}};
  for (auto& op : ops) {
    auto* c = app.add_subcommand(op.name, std::string(op.name) + " a peer's session");
    c->add_option("peer", op.peer, "peer name")->required();
    c->add_option("-m,--message", op.message, "RFC 8203 shutdown message");
    c->callback([&ctx, &exit_code, &op] {
      json args{{"peer", op.peer}};
      if (!op.message.empty()) args["message"] = op.message;
      exit_code = call(ctx, op.name, args, [](const json& r) {
        return r.value("peer", std::string()) + ": " + r.value("done", std::string()) + "\n";
      });
    });
  }

  bool check = false;
  auto* reload_cmd = app.add_subcommand("reload", "reload the configuration without disrupting unaffected sessions");
  reload_cmd->add_flag("--check", check, "only print what a reload would do");
  reload_cmd->callback([&] {
    bool rejected = false;
    exit_code = call(ctx, "reload", json{{"check", check}}, [&](const json& r) {
      rejected = r.contains("errors");
      return nvabgpd::ctl::render_reload(r);
    });
    if (exit_code == 0 && rejected) exit_code = 1;  // the running configuration was kept
  });

  nvabgpd::ctl::add_filter_commands(
      app, &exit_code,
      [&ctx](const std::string& command, const json& args, json& response, std::string& error) {
        auto r = control_request(ctx.socket, command, args);
        response = std::move(r.response);
        error = std::move(r.error);
        return r.transport_ok;
      });
  nvabgpd::ctl::add_dump_commands(app, &ctx.socket, &ctx.json_out, &exit_code);
  nvabgpd::ctl::add_drain_commands(app, &ctx.socket, &ctx.json_out, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
