#include "commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bfd_render.hpp"
#include "completion.hpp"
#include "control_client.hpp"
#include "daemon_call.hpp"
#include "filter_test.hpp"
#include "health_command.hpp"
#include "show_render.hpp"

namespace nvabgpd::ctl {

namespace {

using nlohmann::json;

int peer_op(const Invocation& inv, const char* command) {
  json args{{"peer", inv.args.at(0)}};
  if (auto m = inv.options.find("message"); m != inv.options.end() && !m->second.empty())
    args["message"] = m->second;
  return call_daemon(inv.globals, command, args, [](const json& r) {
    return r.value("peer", std::string()) + ": " + r.value("done", std::string()) + "\n";
  });
}

// No PEER: the daemon drains (undrains) every peer.
int drain_op(const Invocation& inv, const char* command) {
  json args = json::object();
  if (!inv.args.empty()) args["peers"] = inv.args;
  return call_daemon(inv.globals, command, args, render_drain);
}

}  // namespace

int run_show_protocols(const Invocation& inv) {
  json args = json::object();
  if (!inv.args.empty() && inv.args[0] != "all") args["peer"] = inv.args[0];
  return call_daemon(inv.globals, "show protocols", args, render_protocols);
}

int run_show_status(const Invocation& inv) {
  return call_daemon(inv.globals, "show status", json::object(), render_status);
}

int run_show_memory(const Invocation& inv) {
  return call_daemon(inv.globals, "show memory", json::object(), render_memory);
}

int run_show_health(const Invocation& inv) {
  return call_daemon(inv.globals, "show health", json::object(), render_health);
}

int run_show_bfd(const Invocation& inv) {
  return call_daemon(inv.globals, "show bfd", json::object(), render_bfd);
}

// explain PREFIX [to PEER]
int run_explain(const Invocation& inv) {
  json args = json::object();
  const auto& t = inv.args;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == "to") {
      if (i + 1 >= t.size()) throw UsageError("'to' needs a peer name");
      args["to"] = t[++i];
    } else if (!args.contains("prefix")) {
      args["prefix"] = t[i];
    } else {
      throw UsageError("unexpected '" + t[i] + "'");
    }
  }
  if (!args.contains("prefix")) throw UsageError("missing PREFIX");
  return call_daemon(inv.globals, "explain", args, render_explain);
}

int run_enable(const Invocation& inv) { return peer_op(inv, "enable"); }
int run_disable(const Invocation& inv) { return peer_op(inv, "disable"); }
int run_restart(const Invocation& inv) { return peer_op(inv, "restart"); }
int run_drain(const Invocation& inv) { return drain_op(inv, "drain"); }
int run_undrain(const Invocation& inv) { return drain_op(inv, "undrain"); }

int run_reload(const Invocation& inv) {
  bool rejected = false;
  int code =
      call_daemon(inv.globals, "reload", json{{"check", inv.has("check")}}, [&](const json& r) {
        rejected = r.contains("errors");
        return render_reload(r);
      });
  if (code == kExitOk && rejected) code = kExitRefused;  // the running configuration was kept
  return code;
}

// `filter test` keeps its own CLI11 definition (filter_test.cpp); the global --json is
// handed on to it, and a daemon call on the socket (-s or the default) for --peer.
int run_filter_test_command(const Invocation& inv) {
  CLI::App app{"nvabgpctl"};
  int exit_code = kExitOk;
  const Globals g = inv.globals;
  add_filter_commands(
      app, &exit_code,
      [g](const std::string& command, const json& args, json& response, std::string& error) {
        auto r = control_request(g.socket, command, args, g.timeout_ms);
        response = std::move(r.response);
        error = std::move(r.error);
        return r.transport_ok;
      });
  std::vector<std::string> tokens{"filter", "test"};
  tokens.insert(tokens.end(), inv.tokens.begin(), inv.tokens.end());
  if (inv.globals.json && std::find(tokens.begin(), tokens.end(), "--json") == tokens.end())
    tokens.emplace_back("--json");
  std::reverse(tokens.begin(), tokens.end());  // CLI11 takes the vector last token first
  try {
    app.parse(tokens);
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  return exit_code;
}

int run_completion_bash(const Invocation&) {
  std::cout << bash_completion();
  return kExitOk;
}

}  // namespace nvabgpd::ctl
