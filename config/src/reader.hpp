#pragma once
// Private: typed, diagnosing access to yaml-cpp nodes. Every accessor reports a problem as a
// Diagnostic (with the node's line and column) and returns nullopt instead of throwing.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/config/diagnostic.hpp"

namespace nvabgpd::config::detail {

// One key of a YAML mapping, with the key node (for its location) and the value node.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  std::string field;  // full dotted path of this value, e.g. "peers[rs0].asn"
};

class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& errors, std::vector<Diagnostic>& warnings,
         SourceMap& sources)
      : file_(std::move(file)), errors_(errors), warnings_(warnings), sources_(sources) {}

  SourceLocation loc(const YAML::Node& n) const;
  SourceLocation file_start() const { return {file_, 1, 1}; }
  const std::string& file() const { return file_; }

  void error(const YAML::Node& at, std::string field, std::string message);
  void error_at(SourceLocation at, std::string field, std::string message);
  void warn(const YAML::Node& at, std::string field, std::string message);
  void warn_at(SourceLocation at, std::string field, std::string message);
  void remember(const std::string& field, const YAML::Node& at);
  void remember_at(const std::string& field, SourceLocation at);
  // Counts every error, kept or not (the reader keeps the first kMaxKeptDiagnostics).
  std::size_t error_count() const { return errors_.size() + dropped_errors_; }
  std::size_t dropped_errors() const { return dropped_errors_; }
  std::size_t dropped_warnings() const { return dropped_warnings_; }

  // The entries of a mapping, in order. Reports a non-mapping value, duplicate keys, non-scalar
  // keys and keys not in `known` (with a "did you mean" suggestion). Unknown keys are dropped.
  std::optional<std::vector<Entry>> map(const YAML::Node& n, const std::string& field,
                                        std::span<const std::string_view> known);
  // The items of a sequence (a lone scalar or mapping is not accepted).
  std::optional<std::vector<YAML::Node>> seq(const YAML::Node& n, const std::string& field);

  std::optional<std::string> str(const YAML::Node& n, const std::string& field);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& field);
  std::optional<std::uint64_t> uint(const YAML::Node& n, const std::string& field,
                                    std::uint64_t min, std::uint64_t max);
  std::optional<std::uint32_t> asn(const YAML::Node& n, const std::string& field);
  std::optional<base::IpAddress> address(const YAML::Node& n, const std::string& field);
  std::optional<base::IpAddress> ipv4_id(const YAML::Node& n, const std::string& field);
  std::optional<base::Prefix> prefix(const YAML::Node& n, const std::string& field);

 private:
  std::optional<std::string> scalar(const YAML::Node& n, const std::string& field,
                                    std::string_view what);
  std::string file_;
  std::vector<Diagnostic>& errors_;
  std::vector<Diagnostic>& warnings_;
  SourceMap& sources_;
  std::size_t dropped_errors_ = 0;
  std::size_t dropped_warnings_ = 0;
};

// Diagnostics kept per list before they are only counted: enough to sort and show the first
// few by position, bounded however many values a file repeats.
inline constexpr std::size_t kMaxKeptDiagnostics = 1000;

const Entry* find(const std::vector<Entry>& entries, std::string_view key);

// The closest of `candidates` to `word` when it is close enough to be a likely typo.
std::optional<std::string_view> suggest(std::string_view word,
                                        std::span<const std::string_view> candidates);

}  // namespace nvabgpd::config::detail
