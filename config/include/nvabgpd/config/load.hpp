#pragma once
// Loading: read YAML -> check every key and value -> expand templates -> validate across
// fields -> Config. All errors are found (never just the first), each with FILE:LINE:COLUMN
// and the field named; the first kMaxShownDiagnostics are listed, then a count of the rest.
// Never throws and never crashes on any input; alias expansion is bounded (yaml_scan.hpp).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/config/diagnostic.hpp"
#include "nvabgpd/config/model.hpp"

namespace nvabgpd::config {

inline constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;
// A LoadResult lists at most this many errors (and warnings), then one line "... and N more
// error(s) not shown" (errors_omitted = N).
inline constexpr std::size_t kMaxShownDiagnostics = 20;

struct LoadOptions {
  // Check that every file listed under `filters:` exists and is a regular file.
  bool check_filter_files = true;
};

struct LoadResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;  // returned as values, never printed here
  // How many were left out after the first kMaxShownDiagnostics (the last entry of the list
  // then says so). The total is errors.size() - 1 + errors_omitted in that case.
  std::size_t errors_omitted = 0;
  std::size_t warnings_omitted = 0;
  SourceMap sources;  // where each value came from
  bool ok() const { return config.has_value(); }
};

// Reads and validates the file at `path`; relative filter paths resolve against its directory.
LoadResult load_config(const std::filesystem::path& path, const LoadOptions& opts = {});

// Same, from text. `file_name` is used in diagnostics; `base_dir` resolves relative paths.
LoadResult parse_config(std::string_view text, std::string_view file_name,
                        const std::filesystem::path& base_dir, const LoadOptions& opts = {});

// Reports every import/export filter name that `exists` does not know, at the config line that
// names it. load_with_filters (load_with_filters.hpp) calls this after compiling the filter files.
std::vector<Diagnostic> check_filter_names(const Config& cfg, const SourceMap& sources,
                                           const std::function<bool(std::string_view)>& exists);

// Every distinct filter name referenced by the peers (import or export), sorted.
std::vector<std::string> referenced_filters(const Config& cfg);

}  // namespace nvabgpd::config
