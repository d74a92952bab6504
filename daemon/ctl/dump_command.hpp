#pragma once
// `nvabgpctl dump mrt FILE`: asks the daemon for a TABLE_DUMP_V2 snapshot into FILE and waits
// until it is written.
#include <string>

#include <CLI/CLI.hpp>

namespace nvabgpd::ctl {

// `socket` and `json_out` are read when the command runs (after parsing).
void add_dump_commands(CLI::App& app, const std::string* socket, const bool* json_out,
                       int* exit_code);

}  // namespace nvabgpd::ctl
