#pragma once
// Private: one event pass over the YAML text before yaml-cpp builds nodes from it, for what
// YAML::Load cannot be trusted with: a second document (on some malformed inputs yaml-cpp
// yields empty documents forever) and alias expansion (a few KB of `*name` aliases can stand
// for gigabytes of nodes: a "billion laughs" file). Limits are documented in docs/config.md.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

namespace nvabgpd::config::detail {

// At most this many aliases (`*name`) in a file.
inline constexpr std::size_t kMaxAliases = 10000;
// All aliases together may stand for at most this many nodes and bytes of scalar text (a
// node expanded through nested aliases counts every time it appears).
inline constexpr std::uint64_t kMaxAliasNodes = 1000000;
inline constexpr std::uint64_t kMaxAliasBytes = 16 * 1024 * 1024;

struct ScanProblem {
  YAML::Mark at;
  std::string message;
};

// The first problem found, if any. Reads at most two documents. Throws YAML::Exception on a
// syntax error, as YAML::Load would.
std::optional<ScanProblem> scan_yaml(const std::string& text);

}  // namespace nvabgpd::config::detail
