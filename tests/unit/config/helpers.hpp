#pragma once
#include <algorithm>
#include <string>
#include <string_view>

#include "nvabgpd/config/load.hpp"

namespace cfgtest {

inline nvabgpd::config::LoadResult parse(std::string_view text) {
  nvabgpd::config::LoadOptions o;
  o.check_filter_files = false;
  return nvabgpd::config::parse_config(text, "test.yaml", "/etc/nvabgpd", o);
}

// The whole diagnostic list as text, for failure messages and substring checks.
inline std::string all(const std::vector<nvabgpd::config::Diagnostic>& d) {
  std::string s;
  for (const auto& x : d) s += x.to_string() + "\n";
  return s;
}

inline bool has(const std::vector<nvabgpd::config::Diagnostic>& d, std::string_view needle) {
  return std::any_of(d.begin(), d.end(), [&](const auto& x) {
    return x.to_string().find(needle) != std::string::npos;
  });
}

inline constexpr std::string_view kHead = "router-id: 10.0.0.1\nasn: 65001\n";

}  // namespace cfgtest
