#pragma once
// The whole configuration pipeline used at start, by --check and by reload:
// YAML -> validated model -> filter files compiled -> filter names checked.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/config/model.hpp"
#include "nvabgpd/policy/filter.hpp"

namespace nvabgpd::daemon {

struct LoadedConfig {
  std::optional<config::Config> config;
  std::shared_ptr<const policy::Program> program;
  std::map<std::string, std::string> filter_texts;  // path -> contents
  std::vector<std::string> errors;    // "file:line:col: ..." each
  std::size_t error_count = 0;        // errors found, including those not listed
  std::vector<std::string> warnings;
};

LoadedConfig load_everything(const std::string& config_path);

}  // namespace nvabgpd::daemon
