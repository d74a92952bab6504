#pragma once
// The JSON form of routes and attributes: the stable schema of `show route --json` and the
// input of nvabgpctl's BIRD-style text rendering (docs/control-protocol.md). Written as text
// (JsonWriter) so a table dump builds no documents; attributes_json() parses that text for
// the low-volume answers (explain).
#include <nlohmann/json.hpp>

#include "json_writer.hpp"
#include "nvabgpd/rib/rib.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::daemon {

void write_attributes(JsonWriter& w, const wire::PathAttributes& a);
nlohmann::json attributes_json(const wire::PathAttributes& a);
std::string origin_name(wire::Origin o);

}  // namespace nvabgpd::daemon
