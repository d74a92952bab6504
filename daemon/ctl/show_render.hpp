#pragma once
// Text renderings of the daemon's JSON answers, in BIRD's style where BIRD has a command.
#include <string>

#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

std::string render_protocols(const nlohmann::json& result);
std::string render_routes(const nlohmann::json& result, bool all);
// One route of `show route` (an item of a streamed answer).
std::string render_route(const nlohmann::json& route, bool all);
std::string render_explain(const nlohmann::json& result);
std::string render_status(const nlohmann::json& result);
std::string render_memory(const nlohmann::json& result);
std::string render_reload(const nlohmann::json& result);
// Any answer as indented "key: value" lines, for commands without a rendering of their own
// (show health, show bfd, drain).
std::string render_generic(const nlohmann::json& result);

}  // namespace nvabgpd::ctl
