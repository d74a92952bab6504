#pragma once
// nvabgpctl's command line as data: one CommandSpec per command. The parser (cli_parser),
// --help (cli_help) and the bash completion script (completion) are all generated from the
// table in command_table.cpp, so adding a command is adding one entry there.
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nvabgpd::ctl {

// Exit codes (docs/control-protocol.md, "nvabgpctl exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;   // the daemon said no (or a reload was rejected)
inline constexpr int kExitUsage = 2;     // the command line is wrong
inline constexpr int kExitNoDaemon = 3;  // cannot talk to the daemon (no socket, refused, timeout)

// A wrong command line: printed with the command's usage line, exit kExitUsage.
struct UsageError : std::runtime_error {
  explicit UsageError(const std::string& what, std::string usage_line = {})
      : std::runtime_error(what), usage(std::move(usage_line)) {}
  std::string usage;  // "nvabgpctl show route [...]", or empty: the command's own
};

// The options valid anywhere on the line.
struct Globals {
  std::string socket = "/run/nvabgpd/nvabgpd.ctl";
  bool json = false;
  int timeout_ms = 30000;  // --timeout: longest wait for each answer (line) from the daemon
};

// What the shell completes for a command's free arguments.
enum class Complete { kNothing, kPeer, kFile };

struct OptionSpec {
  std::string_view names;       // "-m,--message": short and/or long forms
  const char* value = nullptr;  // "TEXT" for an option taking a value, nullptr for a flag
  const char* help = "";
};

// One command as typed: the words after `nvabgpctl` that select it and what it was given.
struct Invocation {
  Globals globals;
  std::vector<std::string> args;               // the words after the command's words
  std::map<std::string, std::string> options;  // long name without "--" -> value ("" for a flag)
  std::vector<std::string> tokens;             // delegated commands: every token after the words
  bool has(const std::string& option) const { return options.count(option) != 0; }
};

struct CommandSpec {
  std::vector<std::string_view> words = {};    // {"show", "protocols"}
  std::vector<std::string_view> aliases = {};  // other spellings of the last word
  const char* synopsis = "";                   // the arguments after the words, for usage/help
  const char* help = "";
  std::size_t min_args = 0;
  std::size_t max_args = 0;  // kMany: no limit
  std::vector<OptionSpec> options = {};
  // Keywords the arguments may contain, for completion; "for ADDRESS" / "protocol PEER" say
  // what follows the keyword.
  std::vector<std::string_view> keywords = {};
  Complete complete = Complete::kNothing;
  int (*run)(const Invocation&) = nullptr;
  // The command parses its own options (through CLI11: `filter test`): it gets every token
  // after its words in `tokens`; the table's options only feed help and completion.
  bool delegated = false;
};

inline constexpr std::size_t kMany = static_cast<std::size_t>(-1);

const std::vector<CommandSpec>& command_table();

// "show protocols"
std::string command_name(const CommandSpec& c);
// "nvabgpctl show protocols [PEER | all]"
std::string usage_line(const CommandSpec& c);

}  // namespace nvabgpd::ctl
