#pragma once
// `nvabgpctl --help` (every command), `nvabgpctl show --help` (a group) and
// `nvabgpctl show route --help` (one command), generated from the command table.
#include <string>
#include <vector>

#include "command_spec.hpp"

namespace nvabgpd::ctl {

std::string help_text(const CommandSpec* command, const std::vector<std::string>& group);

}  // namespace nvabgpd::ctl
