// The command set of nvabgpctl. One entry per command: the words that select it, its
// arguments and options, its help, how the shell completes it and the function that runs it.
// The parser, --help and `nvabgpctl completion bash` are generated from this table.
#include "commands.hpp"
#include "dump_command.hpp"

namespace nvabgpd::ctl {

namespace {

const OptionSpec kMessage{"-m,--message", "TEXT", "RFC 8203 shutdown message sent to the peer"};

}  // namespace

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = {
      {.words = {"show", "protocols"},
       .aliases = {"peers", "protocol"},
       .synopsis = "[PEER | all]",
       .help = "sessions: state, since, routes received/accepted/exported, messages, last error",
       .max_args = 1,
       .keywords = {"all"},
       .complete = Complete::kPeer,
       .run = run_show_protocols},
      {.words = {"show", "route"},
       .aliases = {"routes"},
       .synopsis = "[PREFIX | for ADDRESS] [all] [protocol PEER] [export PEER] [filtered] [count]",
       .help = "the RIB (BIRD's layout); 'all' adds the attributes, 'export PEER' what PEER is "
               "sent, 'filtered' what import filters rejected, 'count' only the totals",
       .max_args = kMany,
       .keywords = {"all", "count", "filtered", "for ADDRESS", "protocol PEER", "export PEER"},
       .run = run_show_route},
      {.words = {"show", "status"},
       .help = "version, router ID, AS, uptime, last reload, convergence",
       .run = run_show_status},
      {.words = {"show", "memory"},
       .help = "memory used by the RIB and buffers",
       .run = run_show_memory},
      {.words = {"show", "health"},
       .help = "the daemon's health checks (what monitoring should alert on)",
       .run = run_show_health},
      {.words = {"show", "bfd"}, .help = "BFD sessions and their state", .run = run_show_bfd},
      {.words = {"explain"},
       .synopsis = "PREFIX [to PEER]",
       .help =
           "why each path of PREFIX is (not) best, and whether and why it is (not) sent to PEER",
       .min_args = 1,
       .max_args = 3,
       .keywords = {"to PEER"},
       .run = run_explain},
      {.words = {"enable"},
       .synopsis = "PEER",
       .help = "start a disabled peer's session",
       .min_args = 1,
       .max_args = 1,
       .options = {kMessage},
       .complete = Complete::kPeer,
       .run = run_enable},
      {.words = {"disable"},
       .synopsis = "PEER",
       .help = "stop a peer's session (Cease/Administrative Shutdown) until enabled again",
       .min_args = 1,
       .max_args = 1,
       .options = {kMessage},
       .complete = Complete::kPeer,
       .run = run_disable},
      {.words = {"restart"},
       .synopsis = "PEER",
       .help = "close a peer's session (Cease/Administrative Reset) and connect again",
       .min_args = 1,
       .max_args = 1,
       .options = {kMessage},
       .complete = Complete::kPeer,
       .run = run_restart},
      {.words = {"drain"},
       .synopsis = "[PEER...]",
       .help = "drain traffic away from this router before maintenance (the named PEERs, or all)",
       .max_args = kMany,
       .complete = Complete::kPeer,
       .run = run_drain},
      {.words = {"undrain"},
       .synopsis = "[PEER...]",
       .help = "end a drain (the named PEERs, or all)",
       .max_args = kMany,
       .complete = Complete::kPeer,
       .run = run_undrain},
      {.words = {"reload"},
       .help = "reload the configuration without disrupting unaffected sessions",
       .options = {{"--check", nullptr, "only print what a reload would do"}},
       .run = run_reload},
      {.words = {"dump", "mrt"},
       .synopsis = "FILE",
       .help = "MRT TABLE_DUMP_V2 snapshot of the RIB into FILE (a new file)",
       .min_args = 1,
       .max_args = 1,
       .complete = Complete::kFile,
       .run = run_dump_mrt},
      {.words = {"filter", "test"},
       .synopsis =
           "(--file FILE... --filter NAME | --peer PEER [--import|--export]) [--route ROUTE]",
       .help = "evaluate routes through a named filter (no daemon needed), or ask the daemon "
               "what a peer's import or export does to them (JSON lines on stdin without "
               "--route)",
       .options = {{"-f,--file", "FILE", "filter file(s), loaded in order"},
                   {"-n,--filter", "NAME", "name of the filter to run"},
                   {"-p,--peer", "PEER", "ask the running daemon for this peer's answer"},
                   {"--import", nullptr, "with --peer: the peer's import (the default)"},
                   {"--export", nullptr, "with --peer: the peer's export"},
                   {"-r,--route", "ROUTE",
                    "one route, e.g. '10.1.0.0/16 path 65001 community 65535:65282'"},
                   {"-j", nullptr, "same as --json"}},
       .complete = Complete::kFile,
       .run = run_filter_test_command,
       .delegated = true},
      {.words = {"completion", "bash"},
       .help = "print the bash completion script (installed as "
               "/usr/share/bash-completion/completions/nvabgpctl)",
       .run = run_completion_bash},
  };
  return table;
}

std::string command_name(const CommandSpec& c) {
  std::string out;
  for (auto w : c.words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string usage_line(const CommandSpec& c) {
  std::string out = "nvabgpctl " + command_name(c);
  for (const auto& o : c.options) {
    if (c.delegated) break;  // its synopsis names them
    out += " [" + std::string(o.names.substr(0, o.names.find(',')));
    if (o.value != nullptr) out += std::string(" ") + o.value;
    out += "]";
  }
  if (*c.synopsis != '\0') out += std::string(" ") + c.synopsis;
  return out;
}

}  // namespace nvabgpd::ctl
