#pragma once
// The nesting depth of a JSON text, found by a linear scan without parsing (brackets inside
// strings do not count). Used to refuse control requests nested deeper than a limit before
// they reach nlohmann::json, whose value copy and destruction recurse once per level.
#include <cstddef>
#include <string_view>

namespace nvabgpd::daemon {

// The deepest level of [ and { in `text` (0 for a scalar). Stops counting at `stop_at`
// (returns it) so a hostile text costs one pass and no more.
std::size_t json_nesting_depth(std::string_view text, std::size_t stop_at);

}  // namespace nvabgpd::daemon
