#pragma once
// The JSON form of routes and attributes: the stable schema of `show route --json` and the
// input of nvabgpctl's BIRD-style text rendering (docs/control-protocol.md).
#include <nlohmann/json.hpp>

#include "nvabgpd/rib/rib.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::daemon {

nlohmann::json attributes_json(const wire::PathAttributes& a);
std::string origin_name(wire::Origin o);

}  // namespace nvabgpd::daemon
