#pragma once
// Where a configuration value came from, and a message about it (error or warning).
#include <map>
#include <string>
#include <vector>

namespace nvabgpd::config {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  bool operator==(const SourceLocation&) const = default;
};

struct Diagnostic {
  SourceLocation where;
  std::string field;  // dotted path, e.g. "peers[rs0].hold-time"
  std::string message;
  // "FILE:LINE:COLUMN: FIELD: MESSAGE" (line/column omitted when unknown)
  std::string to_string() const;
  bool operator==(const Diagnostic&) const = default;
};

// Locations of values in the source, keyed by the same dotted field path as Diagnostic.field
// ("peers[rs0].export", "filters[0]"). Lets later stages (filter compilation, filter-name
// checks) point at the config line that referenced something.
using SourceMap = std::map<std::string, SourceLocation, std::less<>>;

}  // namespace nvabgpd::config
