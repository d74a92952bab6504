#pragma once
// `nvabgpctl show bfd`: the daemon's "show bfd" JSON as a table.
#include <string>

#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

std::string render_bfd(const nlohmann::json& result);

}  // namespace nvabgpd::ctl
