#pragma once
// `nvabgpctl filter test`: evaluates routes through a filter.
// - File mode (--file F --filter NAME): loads the filter files itself, no daemon needed; the
//   route goes straight into the filter.
// - Daemon mode (--peer NAME [--import | --export]): the running daemon answers over its
//   control socket (command `filter test`, docs/control-protocol.md) by running each route
//   through the code a route received from (or exported to) that peer takes: for import the
//   loop checks and default LOCAL_PREF (rib::Rib::prepare_import), then the peer's import
//   filter; for export the NO_ADVERTISE / NO_EXPORT rules, then the peer's export filter.
// Input: one route on the command line (--route '10.1.0.0/16 path 65001 community 65535:65282')
// or JSON lines on stdin; output: one line per route (human text, or JSON with --json).
// The JSON forms are documented in policy/README.md.
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

namespace nvabgpd::ctl {

struct FilterTestOptions {
  std::vector<std::string> files;
  std::string filter;
  std::optional<std::string> peer;   // daemon mode: the peer whose import/export is run
  bool import_side = false;          // daemon mode: --import (the default, said explicitly)
  bool export_side = false;          // daemon mode: the peer's export instead of its import
  std::optional<std::string> route;  // readable one-route form; stdin JSON lines when absent
  bool json = false;
};

// One request to the daemon: false with `error` when it could not be reached; else the
// response line ({"ok": true, "result": ...} or {"ok": false, "error": ...}).
using DaemonCall = std::function<bool(const std::string& command, const nlohmann::json& args,
                                      nlohmann::json& response, std::string& error)>;

// Returns the exit status: 0 all routes evaluated, 1 some input lines were malformed,
// 2 the filter files did not load or the filter does not exist; in daemon mode 2 also when the
// daemon could not be reached or refused the request (unknown peer).
int run_filter_test(const FilterTestOptions& opt, std::istream& in, std::ostream& out,
                    std::ostream& err, const DaemonCall& daemon = {});

// Registers `filter test` on app; the command stores its exit status in *exit_code. `daemon`
// serves --peer.
void add_filter_commands(CLI::App& app, int* exit_code, DaemonCall daemon = {});

}  // namespace nvabgpd::ctl
