#pragma once
// One request to the daemon and its answer printed: the result rendered as text, or passed
// through as JSON (--json); a refusal on stderr (exit 1); no daemon (exit 3).
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "command_spec.hpp"

namespace nvabgpd::ctl {

using Render = std::function<std::string(const nlohmann::json& result)>;

// Sends `command` with `args` and prints the answer. Returns the exit code.
int call_daemon(const Globals& g, const std::string& command, const nlohmann::json& args,
                const Render& render);

// The daemon said no: its answer as JSON (--json) or its error line on stderr. Returns 1.
int print_refusal(const Globals& g, const nlohmann::json& response);

// Could not talk to the daemon: the reason on stderr. Returns 3.
int print_no_daemon(const std::string& error);

}  // namespace nvabgpd::ctl
