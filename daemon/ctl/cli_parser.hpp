#pragma once
// nvabgpctl's command line against the command table: the global options (-s/--socket,
// --json, --version, --help) anywhere on the line, then the command's words, its options
// (anywhere after `nvabgpctl` too) and its arguments, checked against its table entry.
#include <string>
#include <vector>

#include "command_spec.hpp"

namespace nvabgpd::ctl {

struct ParsedLine {
  bool help = false;
  bool version = false;
  const CommandSpec* command = nullptr;  // null only with help: the words name a group or nothing
  std::vector<std::string> words;        // help of a group: its words ("show")
  Invocation inv;
};

// Throws UsageError for a wrong line (unless --help or --version was given: then the help of
// whatever the words name, or the version, wins).
ParsedLine parse_line(const std::vector<std::string>& tokens, const Globals& defaults);

}  // namespace nvabgpd::ctl
