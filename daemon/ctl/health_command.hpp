#pragma once
// `nvabgpctl show health`, `drain [PEER...]`, `undrain [PEER...]` (issue 14).
#include <string>

#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

std::string render_health(const nlohmann::json& result);
std::string render_drain(const nlohmann::json& result);

}  // namespace nvabgpd::ctl
