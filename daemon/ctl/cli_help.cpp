#include "cli_help.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nvabgpd::ctl {

namespace {

constexpr const char* kGlobalOptions =
    "Options (anywhere on the line):\n"
    "  -s, --socket PATH  the daemon's control socket (default /run/nvabgpd/nvabgpd.ctl,\n"
    "                     or $NVABGPCTL_SOCKET)\n"
    "  --json             print the daemon's JSON answer (stable schema, see\n"
    "                     docs/control-protocol.md)\n"
    "  --timeout SECONDS  longest wait for the daemon's answer (default 30)\n"
    "  -V, --version      print the version and exit\n"
    "  -h, --help         this help; COMMAND --help for one command or group\n";

constexpr const char* kExitCodes =
    "Exit codes: 0 success, 1 the daemon refused the request (or a reload was rejected),\n"
    "2 usage error, 3 cannot talk to the daemon (no socket, connection refused, timeout).\n";

bool in_group(const CommandSpec& c, const std::vector<std::string>& group) {
  return c.words.size() >= group.size() && std::equal(group.begin(), group.end(), c.words.begin());
}

// `text` as lines of at most 80 columns, each starting with `indent` spaces.
std::string wrap(const std::string& text, std::size_t indent) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto sp = text.find(' ', pos);
    std::string word = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? text.size() : sp + 1;
    if (!line.empty() && indent + line.size() + 1 + word.size() > 80) {
      out += std::string(indent, ' ') + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += std::string(indent, ' ') + line + "\n";
  return out;
}

std::string command_lines(const std::vector<std::string>& group) {
  std::string out;
  for (const auto& c : command_table()) {
    if (!in_group(c, group)) continue;
    out += "  " + usage_line(c).substr(std::string_view("nvabgpctl ").size()) + "\n";
    out += wrap(c.help, 6);
  }
  return out;
}

std::string one_command(const CommandSpec& c) {
  std::string out = "usage: " + usage_line(c) + "\n\n" + wrap(c.help, 0);
  if (!c.aliases.empty()) {
    out += "\nAlso spelled:";
    for (auto a : c.aliases) out += fmt::format(" '{}'", a);
    out += "\n";
  }
  if (!c.options.empty()) {
    out += "\nOptions:\n";
    for (const auto& o : c.options) {
      std::string names(o.names);
      if (auto comma = names.find(','); comma != std::string::npos) names.insert(comma + 1, " ");
      if (o.value != nullptr) names += std::string(" ") + o.value;
      out += fmt::format("  {:<18} {}\n", names, o.help);
    }
  }
  return out;
}

}  // namespace

std::string help_text(const CommandSpec* command, const std::vector<std::string>& group) {
  if (command != nullptr) return one_command(*command) + "\n" + kGlobalOptions;
  std::string out = "nvabgpctl - control nvabgpd\n\n";
  out += "usage: nvabgpctl [-s PATH] [--json] COMMAND [ARGUMENTS...]\n\n";
  out += group.empty() ? "Commands:\n"
                       : "Commands of '" + fmt::format("{}", fmt::join(group, " ")) + "':\n";
  out += command_lines(group) + "\n" + kGlobalOptions + "\n" + kExitCodes;
  return out;
}

}  // namespace nvabgpd::ctl
