#include "filter_test.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "filter_route.hpp"
#include "nvabgpd/policy/filter.hpp"

namespace nvabgpd::ctl {

using nlohmann::json;

namespace {

// Routes sent to the daemon per request (a request line is limited to 64 KiB).
constexpr std::size_t kDaemonBatch = 64;

void print_result(const json& j, bool as_json, std::ostream& out) {
  if (as_json) {
    out << j.dump() << "\n";
    return;
  }
  if (j.contains("print"))
    for (const auto& p : j["print"]) out << p.get<std::string>() << "\n";
  out << filter_result_text(j) << "\n";
}

void print_input_error(const std::string& error, std::size_t lineno, bool as_json,
                       std::ostream& out, std::ostream& err) {
  json j{{"result", "error"}, {"error", fmt::format("input line {}: {}", lineno, error)}};
  if (as_json) {
    out << j.dump() << "\n";
  } else {
    err << j["error"].get<std::string>() << "\n";
  }
}

// The routes of the command line or stdin, each parsed or with its error.
struct InputRoute {
  std::optional<RouteInput> route;
  std::string error;
  std::size_t lineno = 0;
};

std::vector<InputRoute> read_routes(const FilterTestOptions& opt, std::istream& in) {
  std::vector<InputRoute> out;
  if (opt.route) {
    InputRoute r;
    r.lineno = 1;
    r.route = parse_route_text(*opt.route, r.error);
    out.push_back(std::move(r));
    return out;
  }
  std::size_t lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    InputRoute r;
    r.lineno = lineno;
    r.route = parse_route_json(line, r.error);
    out.push_back(std::move(r));
  }
  return out;
}

int run_on_daemon(const FilterTestOptions& opt, std::istream& in, std::ostream& out,
                  std::ostream& err, const DaemonCall& daemon) {
  if (!daemon) {
    err << "--peer needs the daemon's control socket\n";
    return 2;
  }
  const std::vector<InputRoute> input = read_routes(opt, in);
  int status = 0;
  std::size_t i = 0;
  while (i < input.size()) {
    // A batch of consecutive routes; malformed lines are reported in their place.
    json routes = json::array();
    std::size_t end = i;
    for (; end < input.size() && routes.size() < kDaemonBatch; ++end)
      if (input[end].route) routes.push_back(route_input_json(*input[end].route));
    json results = json::array();
    if (!routes.empty()) {
      json response;
      std::string error;
      json args{{"peer", *opt.peer},
                {"direction", opt.export_side ? "export" : "import"},
                {"routes", routes}};
      if (!daemon("filter test", args, response, error)) {
        err << "nvabgpctl: " << error << "\n";
        return 3;  // nvabgpctl's "cannot talk to the daemon"
      }
      if (!response.value("ok", false)) {
        err << "nvabgpctl: " << response.value("error", std::string("error")) << "\n";
        return 1;  // the daemon said no (an unknown peer)
      }
      results = response["result"].value("results", json::array());
      if (results.size() != routes.size()) {
        err << "nvabgpctl: the daemon answered " << results.size() << " results for "
            << routes.size() << " routes\n";
        return 2;
      }
    }
    std::size_t k = 0;
    for (; i < end; ++i) {
      if (!input[i].route) {
        status = 1;
        print_input_error(input[i].error, input[i].lineno, opt.json, out, err);
        continue;
      }
      print_result(results[k++], opt.json, out);
    }
  }
  return status;
}

}  // namespace

int run_filter_test(const FilterTestOptions& opt, std::istream& in, std::ostream& out,
                    std::ostream& err, const DaemonCall& daemon) {
  if (opt.peer) return run_on_daemon(opt, in, out, err, daemon);
  if (opt.files.empty() || opt.filter.empty()) {
    err << "filter test needs --file and --filter, or --peer (ask the running daemon)\n";
    return 2;
  }
  auto prog = policy::load_paths(opt.files);
  if (!prog) {
    for (const auto& d : prog.error()) err << d.to_string() << "\n";
    return 2;
  }
  const policy::Filter* f = prog->find_filter(opt.filter);
  if (f == nullptr) {
    err << fmt::format("no filter named '{}' in the given files\n", opt.filter);
    return 2;
  }
  int status = 0;
  for (const InputRoute& in_route : read_routes(opt, in)) {
    if (!in_route.route) {
      status = 1;
      print_input_error(in_route.error, in_route.lineno, opt.json, out, err);
      continue;
    }
    const RouteInput& r = *in_route.route;
    std::vector<std::string> printed;
    policy::PrintSink sink = [&](std::string_view s, bool) { printed.emplace_back(s); };
    policy::RouteView v;
    v.net = r.net;
    v.attrs = &r.attrs;
    v.from = r.from;
    v.gw = r.attrs.next_hop.value_or(r.from);
    v.proto = r.proto;
    policy::Outcome o = prog->run(*f, v, &sink);
    print_result(filter_result_json(r, o, printed), opt.json, out);
  }
  return status;
}

void add_filter_commands(CLI::App& app, int* exit_code, DaemonCall daemon) {
  auto* filter =
      app.add_subcommand("filter", "Work with BIRD-language filters (offline, or the daemon's)");
  filter->require_subcommand(1);
  auto opt = std::make_shared<FilterTestOptions>();
  auto* test = filter->add_subcommand(
      "test",
      "Evaluate routes through a named filter of the given files (no daemon needed), or with "
      "--peer "
      "ask the running daemon to run them through what a route received from (--import, the "
      "default) or exported to (--export) that peer goes through: loop checks, default "
      "LOCAL_PREF and the peer's configured filter");
  auto* file = test->add_option("--file,-f", opt->files, "Filter file(s), loaded in order");
  auto* name = test->add_option("--filter,-n", opt->filter, "Name of the filter to run");
  auto* peer = test->add_option(
      "--peer,-p", opt->peer, "Ask the running daemon (control socket, -s) for this peer's answer");
  peer->excludes(file)->excludes(name);
  auto* imp =
      test->add_flag("--import", opt->import_side, "With --peer: the peer's import (the default)");
  auto* exp = test->add_flag("--export", opt->export_side, "With --peer: the peer's export");
  imp->excludes(exp)->needs(peer);
  exp->needs(peer);
  test->add_option("--route,-r", opt->route,
                   "One route, e.g. '10.1.0.0/16 path 65001 community 65535:65282'; "
                   "without it JSON lines are read from stdin");
  test->add_flag("--json,-j", opt->json, "One JSON object per route on stdout");
  test->callback([opt, exit_code, daemon]() {
    *exit_code = run_filter_test(*opt, std::cin, std::cout, std::cerr, daemon);
  });
}

}  // namespace nvabgpd::ctl
