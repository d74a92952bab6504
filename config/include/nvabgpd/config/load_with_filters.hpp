#pragma once
// The whole configuration pipeline used at start, by `nvabgpd --check` and by reload:
// YAML -> validated model (load.hpp) -> the filter files read and compiled (policy) -> every
// filter name the peers use checked against the compiled program. All or nothing: `config` and
// `program` are set only when no step found an error. Never throws on bad input.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/config/model.hpp"
#include "nvabgpd/policy/filter.hpp"

namespace nvabgpd::config {

struct LoadedConfig {
  std::optional<Config> config;
  std::shared_ptr<const policy::Program> program;
  std::map<std::string, std::string> filter_texts;  // path -> contents, as read
  std::vector<std::string> errors;                  // "file:line:col: ..." each
  std::size_t error_count = 0;  // errors found, including those not listed (0: errors.size())
  std::vector<std::string> warnings;
  bool ok() const { return config.has_value(); }
};

// Loads the YAML file at `path`, then reads and compiles the filter files it lists (relative
// paths resolve against its directory, as in load_config) and checks the filter names.
LoadedConfig load_with_filters(const std::filesystem::path& path);

}  // namespace nvabgpd::config
