#pragma once
// The route forms of `nvabgpctl filter test` and its result, shared by nvabgpctl (file mode)
// and nvabgpd (the `filter test` control command that answers `--peer`), so both read routes
// and print results the same way.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/policy/filter.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::ctl {

struct RouteInput {
  base::Prefix net;
  wire::PathAttributes attrs;
  base::IpAddress from;
  std::string proto = "nvabgpctl";
};

// The readable form: PREFIX [path ASN... | {ASN...}] [community A:B...] [large A:B:C...]
// [ext rt:A:B...] [med N] [local_pref N] [origin igp|egp|incomplete] [next_hop IP] [from IP]
// [proto NAME] [atomic_aggregate].
std::optional<RouteInput> parse_route_text(const std::string& text, std::string& error);
// The JSON form (one object per line on stdin; policy/README.md).
std::optional<RouteInput> parse_route_json(const std::string& line, std::string& error);
std::optional<RouteInput> parse_route_json(const nlohmann::json& j, std::string& error);
// The JSON form of a route (parse_route_json reads it back unchanged).
nlohmann::json route_input_json(const RouteInput& r);

// One result: {"prefix", "result": "accept"|"reject", "reason", "where", ["error"], ["print"],
// and for an accepted route the attributes it leaves with}.
nlohmann::json filter_result_json(const RouteInput& r, const policy::Outcome& o,
                                  const std::vector<std::string>& printed);
// The one-line text form of a filter_result_json object.
std::string filter_result_text(const nlohmann::json& j);

}  // namespace nvabgpd::ctl
