// Small helpers of the model and the diagnostics; community text forms; filter-name checks.
#include "nvabgpd/config/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "nvabgpd/config/diagnostic.hpp"
#include "nvabgpd/config/load.hpp"
#include "parse.hpp"

namespace nvabgpd::config {

std::string Diagnostic::to_string() const {
  std::string out = where.file;
  if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

std::string FilterRef::to_string() const {
  switch (kind) {
    case Kind::All:
      return "all";
    case Kind::None:
      return "none";
    case Kind::Named:
      return name;
  }
  return name;
}

const PeerConfig* Config::find_peer(std::string_view n) const {
  for (const auto& p : peers)
    if (p.name == n) return &p;
  return nullptr;
}

std::string_view to_string(LogLevel l) {
  switch (l) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
    case LogLevel::Critical:
      return "critical";
    case LogLevel::Off:
      return "off";
  }
  return "info";
}

std::string_view to_string(LimitAction a) {
  switch (a) {
    case LimitAction::Warn:
      return "warn";
    case LimitAction::Block:
      return "block";
    case LimitAction::Restart:
      return "restart";
  }
  return "warn";
}

std::string_view family_name(wire::AfiSafi f) {
  return f == wire::kIpv6Unicast ? "ipv6-unicast" : "ipv4-unicast";
}

std::vector<Diagnostic> check_filter_names(const Config& cfg, const SourceMap& sources,
                                           const std::function<bool(std::string_view)>& exists) {
  std::vector<Diagnostic> out;
  std::size_t more = 0;  // past kMaxShownDiagnostics: only counted
  for (const auto& p : cfg.peers) {
    for (const char* dir : {"import", "export"}) {
      const FilterRef& f = std::string_view(dir) == "import" ? p.import_filter : p.export_filter;
      if (f.kind != FilterRef::Kind::Named || exists(f.name)) continue;
      if (out.size() == kMaxShownDiagnostics) {
        ++more;
        continue;
      }
      const std::string key = fmt::format("peers[{}].{}", p.name, dir);
      SourceLocation at;
      if (auto it = sources.find(key); it != sources.end()) at = it->second;
      out.push_back(
          {at, key, fmt::format("filter '{}' is not defined in any filter file", f.name)});
    }
  }
  if (more > 0) {
    out.push_back({{out.front().where.file, 0, 0},
                   "",
                   fmt::format("... and {} more undefined filter reference(s) not shown", more)});
  }
  return out;
}

std::vector<std::string> referenced_filters(const Config& cfg) {
  std::set<std::string> names;
  for (const auto& p : cfg.peers)
    for (const FilterRef* f : {&p.import_filter, &p.export_filter})
      if (f->kind == FilterRef::Kind::Named) names.insert(f->name);
  return {names.begin(), names.end()};
}

namespace detail {

namespace {
bool parse_u32(std::string_view t, std::uint32_t max, std::uint32_t& out) {
  if (t.empty()) return false;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size() || v > max) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}
}  // namespace

std::optional<wire::Community> parse_community(std::string_view t) {
  if (t == "no-export") return wire::kNoExport;
  if (t == "no-advertise") return wire::kNoAdvertise;
  if (t == "no-export-subconfed") return wire::kNoExportSubconfed;
  if (t == "blackhole") return wire::kBlackhole;
  if (t == "graceful-shutdown") return wire::kGracefulShutdown;
  auto colon = t.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::uint32_t hi = 0;
  std::uint32_t lo = 0;
  if (!parse_u32(t.substr(0, colon), 65535, hi) || !parse_u32(t.substr(colon + 1), 65535, lo))
    return std::nullopt;
  return wire::Community::of(static_cast<std::uint16_t>(hi), static_cast<std::uint16_t>(lo));
}

std::optional<wire::LargeCommunity> parse_large_community(std::string_view t) {
  auto c1 = t.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  auto c2 = t.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  wire::LargeCommunity c;
  if (!parse_u32(t.substr(0, c1), 0xFFFFFFFFU, c.global) ||
      !parse_u32(t.substr(c1 + 1, c2 - c1 - 1), 0xFFFFFFFFU, c.local1) ||
      !parse_u32(t.substr(c2 + 1), 0xFFFFFFFFU, c.local2))
    return std::nullopt;
  return c;
}

}  // namespace detail
}  // namespace nvabgpd::config
