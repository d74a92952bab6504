#pragma once
// `nvabgpctl show health`, `drain [PEER...]`, `undrain [PEER...]` (issue 14).
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

std::string render_health(const nlohmann::json& result);
std::string render_drain(const nlohmann::json& result);

// `socket` and `json_out` are read when the command runs (after parsing).
void add_drain_commands(CLI::App& app, const std::string* socket, const bool* json_out,
                        int* exit_code);

}  // namespace nvabgpd::ctl
