// nvabgpctl: the operator's CLI. Talks to nvabgpd over its control socket (JSON lines; see
// docs/control-protocol.md) and renders BIRD-style text, or passes the JSON through (--json).
// The commands are the table in command_table.cpp; -s/--socket and --json may appear anywhere
// on the line. Exit codes: 0 success; 1 the daemon refused the request (bad prefix, unknown
// peer, reload rejected); 2 usage error; 3 cannot talk to the daemon (no socket, connection
// refused, timeout).
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli_help.hpp"
#include "cli_parser.hpp"
#include "nvabgpd/version.hpp"

namespace {

using nvabgpd::ctl::UsageError;

int usage_error(const UsageError& e, const nvabgpd::ctl::CommandSpec* command) {
  std::cout.flush();
  std::fprintf(stderr, "nvabgpctl: %s\n", e.what());
  if (!e.usage.empty())
    std::fprintf(stderr, "usage: %s\n", e.usage.c_str());
  else if (command != nullptr)
    std::fprintf(stderr, "usage: %s\n", nvabgpd::ctl::usage_line(*command).c_str());
  else
    std::fprintf(stderr, "Try 'nvabgpctl --help'.\n");
  return nvabgpd::ctl::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // stdout is written only through std::cout (show route: MBs)
  nvabgpd::ctl::Globals defaults;
  if (const char* env = std::getenv("NVABGPCTL_SOCKET")) defaults.socket = env;
  nvabgpd::ctl::ParsedLine line;
  try {
    line = nvabgpd::ctl::parse_line(std::vector<std::string>(argv + 1, argv + argc), defaults);
  } catch (const UsageError& e) {
    return usage_error(e, nullptr);
  }
  if (line.version) {
    std::cout << "nvabgpctl " << nvabgpd::kVersion << "\n";
    return nvabgpd::ctl::kExitOk;
  }
  if (line.help) {
    std::cout << nvabgpd::ctl::help_text(line.command, line.words);
    return nvabgpd::ctl::kExitOk;
  }
  try {
    return line.command->run(line.inv);
  } catch (const UsageError& e) {
    return usage_error(e, line.command);
  }
}
