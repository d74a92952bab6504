// The `health-checks` section (named probes of five kinds), `track`/`on-failure` on originate
// items and peers, and the `shutdown` section (drain on SIGTERM, RFC 8326).
#include "health.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "nvabgpd/config/print.hpp"
#include "parse.hpp"

namespace nvabgpd::config {

std::string_view to_string(HealthKind k) {
  switch (k) {
    case HealthKind::Command:
      return "command";
    case HealthKind::Interface:
      return "interface";
    case HealthKind::Route:
      return "route";
    case HealthKind::Tcp:
      return "tcp";
    case HealthKind::Http:
      return "http";
  }
  return "?";
}

std::string TrackAction::to_string() const {
  if (withdraw) return "withdraw";
  std::string s;
  if (prepend) s = fmt::format("prepend {}", prepend);
  if (!communities.empty()) {
    s += s.empty() ? "communities" : ", communities";
    for (const auto& c : communities) s += " " + community_to_string(c);
  }
  return s;
}

std::string Tracking::to_string() const {
  if (checks.empty()) return "none";
  return fmt::format("{}: {}", fmt::join(checks, ", "), on_failure.to_string());
}

namespace detail {

namespace {

constexpr std::array<std::string_view, 10> kCheckKeys = {"command", "interface",  "route",   "tcp",
                                                         "http",    "interval",   "timeout", "rise",
                                                         "fall",    "description"};
constexpr std::array<std::string_view, 5> kKindKeys = {"command", "interface", "route", "tcp",
                                                       "http"};
constexpr std::array<std::string_view, 2> kRouteKeys = {"prefix", "table"};
constexpr std::array<std::string_view, 2> kTcpKeys = {"address", "port"};
constexpr std::array<std::string_view, 5> kHttpKeys = {"address", "port", "path", "host", "status"};
constexpr std::array<std::string_view, 2> kOnFailureKeys = {"prepend", "communities"};
constexpr std::array<std::string_view, 2> kShutdownKeys = {"drain-seconds", "message"};
constexpr std::uint32_t kMinIntervalMs = 50;
constexpr std::uint32_t kMaxIntervalMs = 3600 * 1000;
constexpr std::size_t kMaxShutdownMessage = 255;  // RFC 9003 (128 in RFC 8203)

bool is_check_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// "2", "0.5" (seconds) or "200ms".
std::optional<std::uint32_t> duration_ms(Reader& r, const YAML::Node& n, const std::string& field,
                                         std::uint32_t min_ms, std::uint32_t max_ms) {
  auto s = r.str(n, field);
  if (!s) return std::nullopt;
  std::string_view t = *s;
  double scale = 1000.0;
  if (t.size() > 2 && t.substr(t.size() - 2) == "ms") {
    t.remove_suffix(2);
    scale = 1.0;
  } else if (t.size() > 1 && t.back() == 's') {
    t.remove_suffix(1);
  }
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size() || !(v >= 0)) {
    r.error(n, field,
            fmt::format("'{}' is not a duration (seconds such as 2 or 0.5, or 200ms)", *s));
    return std::nullopt;
  }
  const double ms = v * scale;
  if (ms < min_ms || ms > max_ms) {
    r.error(n, field, fmt::format("{} is out of range ({} ms to {} s)", *s, min_ms, max_ms / 1000));
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(ms + 0.5);
}

bool read_kind(Reader& r, const Entry& x, HealthCheck& c) {
  if (x.key == "command") {
    c.kind = HealthKind::Command;
    auto v = r.str(x.value, x.field);
    if (v && v->empty()) {
      r.error(x.value, x.field, "the command is empty");
      return false;
    }
    if (v) c.command = *v;
    return v.has_value();
  }
  if (x.key == "interface") {
    c.kind = HealthKind::Interface;
    auto v = r.str(x.value, x.field);
    if (v && (v->empty() || v->size() > 15 || v->find('/') != std::string::npos)) {
      r.error(x.value, x.field, fmt::format("'{}' is not an interface name", *v));
      return false;
    }
    if (v) c.interface = *v;
    return v.has_value();
  }
  if (x.key == "route") {
    c.kind = HealthKind::Route;
    if (x.value.IsScalar()) {
      auto p = r.prefix(x.value, x.field);
      if (p) c.route = *p;
      return p.has_value();
    }
    auto m = r.map(x.value, x.field, kRouteKeys);
    if (!m) return false;
    bool ok = true;
    const Entry* pe = find(*m, "prefix");
    if (!pe) {
      r.error(x.value, x.field + ".prefix", "required key 'prefix' is missing");
      return false;
    }
    auto p = r.prefix(pe->value, pe->field);
    if (p) c.route = *p;
    ok = ok && p.has_value();
    if (const Entry* te = find(*m, "table")) {
      auto t = r.uint(te->value, te->field, 1, 0xFFFFFFFFULL);
      if (t) c.table = static_cast<std::uint32_t>(*t);
      ok = ok && t.has_value();
    }
    return ok;
  }
  // tcp / http: address and port.
  const bool http = x.key == "http";
  c.kind = http ? HealthKind::Http : HealthKind::Tcp;
  auto m = http ? r.map(x.value, x.field, kHttpKeys) : r.map(x.value, x.field, kTcpKeys);
  if (!m) return false;
  bool ok = true;
  for (const char* req : {"address", "port"}) {
    if (!find(*m, req)) {
      r.error(x.value, x.field + "." + req, fmt::format("required key '{}' is missing", req));
      ok = false;
    }
  }
  for (const Entry& y : *m) {
    if (y.key == "address") {
      auto v = r.address(y.value, y.field);
      if (v && v->is_unspecified()) {
        r.error(y.value, y.field, "a health check needs a real address, not " + v->to_string());
        v.reset();
      }
      if (v) c.address = *v;
      ok = ok && v.has_value();
    } else if (y.key == "port") {
      auto v = r.uint(y.value, y.field, 1, 65535);
      if (v) c.port = static_cast<std::uint16_t>(*v);
      ok = ok && v.has_value();
    } else if (y.key == "path") {
      auto v = r.str(y.value, y.field);
      if (v &&
          (v->empty() || v->front() != '/' || v->find_first_of(" \r\n\t") != std::string::npos)) {
        r.error(y.value, y.field, fmt::format("'{}' is not an absolute URL path", *v));
        v.reset();
      }
      if (v) c.path = *v;
      ok = ok && v.has_value();
    } else if (y.key == "host") {
      auto v = r.str(y.value, y.field);
      if (v && (v->empty() || v->find_first_of(" \r\n\t") != std::string::npos)) {
        r.error(y.value, y.field, fmt::format("'{}' is not a host name", *v));
        v.reset();
      }
      if (v) c.host = *v;
      ok = ok && v.has_value();
    } else if (y.key == "status") {
      auto v = r.uint(y.value, y.field, 100, 599);
      if (v) c.expect_status = static_cast<std::uint16_t>(*v);
      ok = ok && v.has_value();
    }
  }
  return ok;
}

}  // namespace

void read_health_checks(Reader& r, const Entry& e, Config& cfg) {
  if (!e.value.IsMap()) {
    r.error(e.value, e.field,
            "expected a mapping of check names to checks, e.g. 'firewall: {http: {...}}'");
    return;
  }
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node val = it->second;
    if (!key.IsScalar() || !is_check_name(key.Scalar())) {
      r.error(key, e.field, "a check name is 1 to 64 letters, digits, '-', '_' or '.'");
      continue;
    }
    const std::string name = key.Scalar();
    const std::string f = fmt::format("health-checks.{}", name);
    if (std::any_of(cfg.health_checks.begin(), cfg.health_checks.end(),
                    [&](const HealthCheck& c) { return c.name == name; })) {
      r.error(key, f, fmt::format("health check '{}' is defined twice", name));
      continue;
    }
    auto m = r.map(val, f, kCheckKeys);
    if (!m) continue;
    r.remember(f, val);
    HealthCheck c;
    c.name = name;
    bool ok = true;
    std::vector<std::string> kinds;
    for (const Entry& x : *m)
      if (std::find(kKindKeys.begin(), kKindKeys.end(), x.key) != kKindKeys.end())
        kinds.push_back(x.key);
    if (kinds.size() != 1) {
      r.error(val, f,
              kinds.empty()
                  ? std::string("a check needs one of command, interface, route, tcp or http")
                  : fmt::format("a check has exactly one kind, not {}", fmt::join(kinds, " and ")));
      continue;
    }
    for (const Entry& x : *m) {
      if (x.key == "interval") {
        auto v = duration_ms(r, x.value, x.field, kMinIntervalMs, kMaxIntervalMs);
        if (v) c.interval_ms = *v;
        ok = ok && v.has_value();
      } else if (x.key == "timeout") {
        auto v = duration_ms(r, x.value, x.field, 10, 600 * 1000);
        if (v) c.timeout_ms = *v;
        ok = ok && v.has_value();
      } else if (x.key == "rise" || x.key == "fall") {
        auto v = r.uint(x.value, x.field, 1, 100);
        if (v) (x.key == "rise" ? c.rise : c.fall) = static_cast<std::uint32_t>(*v);
        ok = ok && v.has_value();
      } else if (x.key == "description") {
        ok = r.str(x.value, x.field).has_value() && ok;
      } else {
        ok = read_kind(r, x, c) && ok;
      }
    }
    if (!find(*m, "timeout")) c.timeout_ms = std::min(c.timeout_ms, c.interval_ms);
    if (ok && c.timeout_ms > c.interval_ms) {
      r.error(find(*m, "timeout")->value, f + ".timeout",
              fmt::format("timeout {} ms is longer than the interval {} ms: a probe must end "
                          "before the next starts",
                          c.timeout_ms, c.interval_ms));
      ok = false;
    }
    if (ok) cfg.health_checks.push_back(std::move(c));
  }
}

bool read_track(Reader& r, const Entry& e, Tracking& t) {
  t.checks.clear();
  if (e.value.IsScalar()) {
    auto v = r.str(e.value, e.field);
    if (!v) return false;
    t.checks.push_back(*v);
    return true;
  }
  auto items = r.seq(e.value, e.field);
  if (!items) return false;
  bool ok = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("{}[{}]", e.field, i);
    auto v = r.str((*items)[i], f);
    if (!v) {
      ok = false;
    } else if (std::find(t.checks.begin(), t.checks.end(), *v) != t.checks.end()) {
      r.error((*items)[i], f, fmt::format("check '{}' is tracked twice", *v));
      ok = false;
    } else {
      t.checks.push_back(*v);
    }
  }
  if (ok && t.checks.empty()) {
    r.error(e.value, e.field, "track needs at least one check name");
    ok = false;
  }
  return ok;
}

bool read_on_failure(Reader& r, const Entry& e, Tracking& t) {
  TrackAction a;
  if (e.value.IsScalar()) {
    auto v = r.str(e.value, e.field);
    if (!v) return false;
    if (*v != "withdraw") {
      r.error(
          e.value, e.field,
          fmt::format("expected withdraw, {{prepend: N}} or {{communities: [...]}}, got '{}'", *v));
      return false;
    }
    t.on_failure = a;
    return true;
  }
  auto m = r.map(e.value, e.field, kOnFailureKeys);
  if (!m) return false;
  a.withdraw = false;
  bool ok = true;
  for (const Entry& x : *m) {
    if (x.key == "prepend") {
      auto v = r.uint(x.value, x.field, 1, 32);
      if (v) a.prepend = static_cast<std::uint8_t>(*v);
      ok = ok && v.has_value();
    } else if (x.key == "communities") {
      auto items = r.seq(x.value, x.field);
      if (!items) {
        ok = false;
        continue;
      }
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string f = fmt::format("{}[{}]", x.field, i);
        auto s = r.str((*items)[i], f);
        auto c = s ? parse_community(*s) : std::nullopt;
        if (s && !c) r.error((*items)[i], f, fmt::format("'{}' is not a valid community", *s));
        if (c && std::find(a.communities.begin(), a.communities.end(), *c) == a.communities.end())
          a.communities.push_back(*c);
        ok = ok && c.has_value();
      }
    }
  }
  if (ok && a.prepend == 0 && a.communities.empty()) {
    r.error(e.value, e.field, "on-failure needs prepend and/or communities (or 'withdraw')");
    ok = false;
  }
  if (ok) t.on_failure = a;
  return ok;
}

void check_tracking(Reader& r, const Config& cfg, const Tracking& t, const YAML::Node& at,
                    const std::string& where) {
  std::vector<std::string_view> names;
  for (const auto& c : cfg.health_checks) names.push_back(c.name);
  for (const auto& n : t.checks) {
    if (std::find(names.begin(), names.end(), n) != names.end()) continue;
    std::string msg = fmt::format("tracks unknown health check '{}'", n);
    if (auto s = suggest(n, names))
      msg += fmt::format(" (did you mean '{}'?)", *s);
    else if (names.empty())
      msg += " (there is no health-checks section)";
    r.error(at, where + ".track", msg);
  }
}

void read_shutdown(Reader& r, const Entry& e, Config& cfg) {
  auto m = r.map(e.value, e.field, kShutdownKeys);
  if (!m) return;
  for (const Entry& x : *m) {
    r.remember(x.field, x.value);
    if (x.key == "drain-seconds") {
      auto v = r.uint(x.value, x.field, 0, 3600);
      if (v) cfg.shutdown.drain_seconds = static_cast<std::uint32_t>(*v);
    } else if (x.key == "message") {
      const std::string v = r.str(x.value, x.field).value_or(std::string());
      if (v.size() > kMaxShutdownMessage)
        r.error(x.value, x.field,
                fmt::format("the shutdown message is {} bytes, at most {} fit (RFC 9003)", v.size(),
                            kMaxShutdownMessage));
      else if (!v.empty())
        cfg.shutdown.message = v;
    }
  }
}

namespace {
std::string ms_text(std::uint32_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) : fmt::format("{}ms", ms);
}
}  // namespace

void print_tracking(YAML::Emitter& out, const Tracking& t) {
  if (t.empty()) return;
  out << YAML::Key << "track" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& c : t.checks) out << c;
  out << YAML::EndSeq;
  out << YAML::Key << "on-failure" << YAML::Value;
  if (t.on_failure.withdraw) {
    out << "withdraw";
    return;
  }
  out << YAML::BeginMap;
  if (t.on_failure.prepend)
    out << YAML::Key << "prepend" << YAML::Value << unsigned{t.on_failure.prepend};
  if (!t.on_failure.communities.empty()) {
    out << YAML::Key << "communities" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (auto c : t.on_failure.communities) out << community_to_string(c);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void print_health(YAML::Emitter& out, const Config& cfg) {
  if (!cfg.health_checks.empty()) {
    out << YAML::Key << "health-checks" << YAML::Value << YAML::BeginMap;
    for (const auto& c : cfg.health_checks) {
      out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
      out << YAML::Key << std::string(to_string(c.kind)) << YAML::Value;
      switch (c.kind) {
        case HealthKind::Command:
          out << c.command;
          break;
        case HealthKind::Interface:
          out << c.interface;
          break;
        case HealthKind::Route:
          out << YAML::BeginMap << YAML::Key << "prefix" << YAML::Value << c.route.to_string()
              << YAML::Key << "table" << YAML::Value << c.table << YAML::EndMap;
          break;
        case HealthKind::Tcp:
        case HealthKind::Http:
          out << YAML::BeginMap << YAML::Key << "address" << YAML::Value << c.address.to_string()
              << YAML::Key << "port" << YAML::Value << c.port;
          if (c.kind == HealthKind::Http) {
            out << YAML::Key << "path" << YAML::Value << c.path;
            if (!c.host.empty()) out << YAML::Key << "host" << YAML::Value << c.host;
            out << YAML::Key << "status" << YAML::Value << c.expect_status;
          }
          out << YAML::EndMap;
          break;
      }
      out << YAML::Key << "interval" << YAML::Value << ms_text(c.interval_ms);
      out << YAML::Key << "timeout" << YAML::Value << ms_text(c.timeout_ms);
      out << YAML::Key << "rise" << YAML::Value << c.rise;
      out << YAML::Key << "fall" << YAML::Value << c.fall;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  if (cfg.shutdown != ShutdownConfig{}) {
    out << YAML::Key << "shutdown" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "drain-seconds" << YAML::Value << cfg.shutdown.drain_seconds;
    out << YAML::Key << "message" << YAML::Value << cfg.shutdown.message;
    out << YAML::EndMap;
  }
}

}  // namespace detail
}  // namespace nvabgpd::config
