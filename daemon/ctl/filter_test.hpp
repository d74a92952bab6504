#pragma once
// `nvabgpctl filter test`: evaluates routes through a named filter without a daemon.
// Input: one route on the command line (--route '10.1.0.0/16 path 65001 community 65535:65282')
// or JSON lines on stdin; output: one line per route (human text, or JSON with --json).
// The JSON forms are documented in policy/README.md.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace nvabgpd::ctl {

struct FilterTestOptions {
  std::vector<std::string> files;
  std::string filter;
  std::optional<std::string> route;  // readable one-route form; stdin JSON lines when absent
  bool json = false;
};

// Returns the exit status: 0 all routes evaluated, 1 some input lines were malformed,
// 2 the filter files did not load or the filter does not exist.
int run_filter_test(const FilterTestOptions& opt, std::istream& in, std::ostream& out, std::ostream& err);

// Registers `filter test` on app; the command stores its exit status in *exit_code.
void add_filter_commands(CLI::App& app, int* exit_code);

}  // namespace nvabgpd::ctl
