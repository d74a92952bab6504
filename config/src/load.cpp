// Loading entry points and the global (non-peer) sections of the config.
#include "nvabgpd/config/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include "health.hpp"
#include "monitoring.hpp"
#include "parse.hpp"
#include "yaml_scan.hpp"

namespace nvabgpd::config {

using detail::Entry;
using detail::Reader;

namespace {

constexpr std::array<std::string_view, 15> kTopKeys = {
    "router-id", "asn", "listen", "filters",   "kernel", "originate",     "control", "metrics",
    "bmp",       "mrt", "log",    "templates", "peers",  "health-checks", "shutdown"};
constexpr std::array<std::string_view, 2> kListenKeys = {"address", "port"};
constexpr std::array<std::string_view, 8> kKernelKeys = {"enabled",   "table",      "resolve-table",
                                                         "protocol",  "metric",     "persist",
                                                         "max-paths", "convergence"};
constexpr std::array<std::string_view, 2> kConvergenceKeys = {"peer-up-wait", "end-of-rib-wait"};
constexpr std::array<std::string_view, 10> kOriginateKeys = {
    "prefix",          "origin",   "med",   "local-pref", "communities", "large-communities",
    "as-path-prepend", "next-hop", "track", "on-failure"};
constexpr std::array<std::string_view, 1> kControlKeys = {"socket"};
constexpr std::array<std::string_view, 2> kMetricsKeys = {"enabled", "listen"};
constexpr std::array<std::string_view, 1> kLogKeys = {"level"};

void read_listen(Reader& r, const Entry& e, Config& cfg) {
  auto items = r.seq(e.value, e.field);
  if (!items) return;
  cfg.listen.clear();
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("listen[{}]", i);
    auto m = r.map((*items)[i], f, kListenKeys);
    if (!m) continue;
    ListenAddress l;
    bool ok = true;
    if (auto* a = detail::find(*m, "address")) {
      auto v = r.address(a->value, a->field);
      if (v) l.address = *v;
      ok = ok && v.has_value();
    } else {
      r.error((*items)[i], f + ".address", "required key 'address' is missing");
      ok = false;
    }
    if (auto* p = detail::find(*m, "port")) {
      auto v = r.uint(p->value, p->field, 1, 65535);
      if (v) l.port = static_cast<std::uint16_t>(*v);
      ok = ok && v.has_value();
    }
    if (!ok) continue;
    if (std::find(cfg.listen.begin(), cfg.listen.end(), l) != cfg.listen.end()) {
      r.error((*items)[i], f, fmt::format("{} port {} is listed twice", l.address, l.port));
      continue;
    }
    r.remember(f, (*items)[i]);
    cfg.listen.push_back(l);
  }
}

void read_filters(Reader& r, const Entry& e, Config& cfg, const std::filesystem::path& base_dir,
                  const LoadOptions& opts) {
  auto items = r.seq(e.value, e.field);
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("filters[{}]", i);
    auto s = r.str((*items)[i], f);
    if (!s) continue;
    if (s->empty()) {
      r.error((*items)[i], f, "empty file name");
      continue;
    }
    std::filesystem::path p(*s);
    if (p.is_relative()) p = base_dir / p;
    p = p.lexically_normal();
    FilterFile ff{*s, p.string()};
    auto dup = std::find_if(cfg.filters.begin(), cfg.filters.end(),
                            [&](const FilterFile& x) { return x.path == ff.path; });
    if (dup != cfg.filters.end()) {
      r.error((*items)[i], f, fmt::format("filter file '{}' is listed twice", *s));
      continue;
    }
    if (opts.check_filter_files) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(p, ec)) {
        r.error((*items)[i], f,
                fmt::format("filter file '{}' does not exist or is not a regular file{}", *s,
                            std::string(*s) != p.string() ? " (resolved to " + p.string() + ")"
                                                          : std::string{}));
        continue;
      }
    }
    r.remember(f, (*items)[i]);
    cfg.filters.push_back(std::move(ff));
  }
}

// A kernel routing table: `main` or a number; local (255) and default (253) are refused.
std::optional<std::uint32_t> read_kernel_table(Reader& r, const Entry& x) {
  if (x.value.IsScalar() && x.value.Scalar() == "main") return kKernelTableMain;
  if (x.value.IsScalar() && (x.value.Scalar() == "local" || x.value.Scalar() == "default")) {
    r.error(x.value, x.field,
            fmt::format("table '{}' is reserved for the kernel; use main or a number",
                        x.value.Scalar()));
    return std::nullopt;
  }
  auto v = r.uint(x.value, x.field, 1, 0xFFFFFFFFULL);
  if (!v) return std::nullopt;
  if (*v == 253 || *v == 255) {
    r.error(x.value, x.field,
            fmt::format("table {} is reserved for the kernel; use main or another number", *v));
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*v);
}

void read_kernel(Reader& r, const Entry& e, Config& cfg) {
  auto m = r.map(e.value, "kernel", kKernelKeys);
  if (!m) return;
  KernelConfig& k = cfg.kernel;
  for (const Entry& x : *m) {
    r.remember(x.field, x.value);
    if (x.key == "enabled") {
      if (auto v = r.boolean(x.value, x.field)) k.enabled = *v;
    } else if (x.key == "table") {
      if (auto t = read_kernel_table(r, x)) k.table = *t;
    } else if (x.key == "resolve-table") {
      if (auto t = read_kernel_table(r, x)) k.resolve_table = *t;
    } else if (x.key == "protocol") {
      if (x.value.IsScalar() && x.value.Scalar() == "bgp") {
        k.protocol = kDefaultKernelProtocol;
      } else if (auto v = r.uint(x.value, x.field, 0, 255)) {
        // 0-4 are unspec, redirect, kernel, boot and static: owning those routes would let the
        // daemon delete routes it did not install.
        if (*v <= 4)
          r.error(x.value, x.field,
                  fmt::format("protocol {} belongs to the kernel or static routes; use 186 "
                              "(bgp) or another unused id",
                              *v));
        else
          k.protocol = static_cast<std::uint8_t>(*v);
      }
    } else if (x.key == "metric") {
      if (auto v = r.uint(x.value, x.field, 0, 0xFFFFFFFFULL))
        k.metric = static_cast<std::uint32_t>(*v);
    } else if (x.key == "persist") {
      if (auto v = r.boolean(x.value, x.field)) k.persist = *v;
    } else if (x.key == "max-paths") {
      if (auto v = r.uint(x.value, x.field, 1, 256)) k.max_paths = static_cast<std::uint32_t>(*v);
    } else if (x.key == "convergence") {
      auto c = r.map(x.value, x.field, kConvergenceKeys);
      if (!c) continue;
      for (const Entry& y : *c) {
        r.remember(y.field, y.value);
        auto v = r.uint(y.value, y.field, 0, 3600);
        if (!v) continue;
        (y.key == "peer-up-wait" ? k.peer_up_wait : k.end_of_rib_wait) =
            static_cast<std::uint32_t>(*v);
      }
    }
  }
}

std::optional<wire::Origin> parse_origin(std::string_view s) {
  if (s == "igp") return wire::Origin::Igp;
  if (s == "egp") return wire::Origin::Egp;
  if (s == "incomplete") return wire::Origin::Incomplete;
  return std::nullopt;
}

template <typename T, typename Parse>
std::vector<T> read_list(Reader& r, const Entry& x, Parse parse, std::string_view what) {
  std::vector<T> out;
  auto items = r.seq(x.value, x.field);
  if (!items) return out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("{}[{}]", x.field, i);
    auto s = r.str((*items)[i], f);
    if (!s) continue;
    if (auto c = parse(*s)) {
      if (std::find(out.begin(), out.end(), *c) != out.end())
        r.error((*items)[i], f, fmt::format("{} '{}' is listed twice", what, *s));
      else
        out.push_back(*c);
    } else {
      r.error((*items)[i], f, fmt::format("'{}' is not a valid {}", *s, what));
    }
  }
  return out;
}

void read_originate(Reader& r, const Entry& e, Config& cfg) {
  auto items = r.seq(e.value, e.field);
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    std::string f = fmt::format("originate[{}]", i);
    auto m = r.map((*items)[i], f, kOriginateKeys);
    if (!m) continue;
    Originate o;
    const Entry* pe = detail::find(*m, "prefix");
    if (!pe) {
      r.error((*items)[i], f + ".prefix", "required key 'prefix' is missing");
      continue;
    }
    auto p = r.prefix(pe->value, pe->field);
    if (!p) continue;
    o.prefix = *p;
    f = fmt::format("originate[{}]", o.prefix);
    bool ok = true;
    for (const Entry& x : *m) {
      const std::string xf = f + "." + x.key;
      if (x.key == "origin") {
        auto s = r.str(x.value, xf);
        if (!s) {
          ok = false;
        } else if (auto v = parse_origin(*s)) {
          o.origin = *v;
        } else {
          r.error(x.value, xf, fmt::format("expected igp, egp or incomplete, got '{}'", *s));
          ok = false;
        }
      } else if (x.key == "med") {
        auto v = r.uint(x.value, xf, 0, 0xFFFFFFFFULL);
        if (v) o.med = static_cast<std::uint32_t>(*v);
        ok = ok && v;
      } else if (x.key == "local-pref") {
        auto v = r.uint(x.value, xf, 0, 0xFFFFFFFFULL);
        if (v) o.local_pref = static_cast<std::uint32_t>(*v);
        ok = ok && v;
      } else if (x.key == "communities") {
        o.communities = read_list<wire::Community>(r, Entry{x.key, x.key_node, x.value, xf},
                                                   detail::parse_community, "community");
      } else if (x.key == "large-communities") {
        o.large_communities =
            read_list<wire::LargeCommunity>(r, Entry{x.key, x.key_node, x.value, xf},
                                            detail::parse_large_community, "large community");
      } else if (x.key == "as-path-prepend") {
        auto v = r.uint(x.value, xf, 0, 32);
        if (v) o.as_path_prepend = static_cast<std::uint8_t>(*v);
        ok = ok && v;
      } else if (x.key == "next-hop") {
        auto v = r.address(x.value, xf);
        if (v && v->family() != o.prefix.family()) {
          r.error(x.value, xf, fmt::format("next hop {} is not in the family of {}", *v, o.prefix));
          v.reset();
        }
        if (v) o.next_hop = *v;
        ok = ok && v;
      } else if (x.key == "track") {
        ok = detail::read_track(r, Entry{x.key, x.key_node, x.value, xf}, o.track) && ok;
      } else if (x.key == "on-failure") {
        ok = detail::read_on_failure(r, Entry{x.key, x.key_node, x.value, xf}, o.track) && ok;
      }
    }
    if (const Entry* te = detail::find(*m, "track"); te && !o.track.empty())
      detail::check_tracking(r, cfg, o.track, te->value, f);
    if (const Entry* of = detail::find(*m, "on-failure"); of && !detail::find(*m, "track")) {
      r.error(of->value, f + ".on-failure", "on-failure without track: nothing to follow");
      ok = false;
    }
    auto dup = std::find_if(cfg.originate.begin(), cfg.originate.end(),
                            [&](const Originate& x) { return x.prefix == o.prefix; });
    if (dup != cfg.originate.end()) {
      r.error(pe->value, f, fmt::format("prefix {} is originated twice", o.prefix));
      continue;
    }
    r.remember(f, (*items)[i]);
    if (ok) cfg.originate.push_back(std::move(o));
  }
}

void read_control(Reader& r, const Entry& e, Config& cfg) {
  auto m = r.map(e.value, "control", kControlKeys);
  if (!m) return;
  if (auto* s = detail::find(*m, "socket")) {
    auto v = r.str(s->value, s->field);
    if (!v) return;
    r.remember(s->field, s->value);
    // sun_path holds 108 bytes including the terminating NUL.
    if (v->empty() || (*v)[0] != '/')
      r.error(s->value, s->field, fmt::format("'{}' must be an absolute path", *v));
    else if (v->size() > 107)
      r.error(s->value, s->field, "socket path is longer than 107 bytes (sun_path limit)");
    else
      cfg.control.socket = *v;
  }
}

bool is_loopback(const base::IpAddress& a) {
  if (a.is_v4()) return a.bytes()[0] == 127;
  return a == base::IpAddress::parse("::1");
}

void read_metrics(Reader& r, const Entry& e, Config& cfg) {
  auto m = r.map(e.value, "metrics", kMetricsKeys);
  if (!m) return;
  for (const Entry& x : *m) {
    r.remember(x.field, x.value);
    if (x.key == "enabled") {
      if (auto v = r.boolean(x.value, x.field)) cfg.metrics.enabled = *v;
      continue;
    }
    // listen: "ADDRESS:PORT", "[V6]:PORT" or a bare ADDRESS (default port).
    auto s = r.str(x.value, x.field);
    if (!s) continue;
    std::string_view t = *s;
    std::string_view host = t;
    std::optional<std::string_view> port;
    if (!t.empty() && t.front() == '[') {
      auto close = t.find(']');
      if (close == std::string_view::npos) {
        r.error(x.value, x.field, fmt::format("'{}': missing ']'", t));
        continue;
      }
      host = t.substr(1, close - 1);
      if (close + 1 < t.size()) {
        if (t[close + 1] != ':') {
          r.error(x.value, x.field, fmt::format("'{}': expected ':' after ']'", t));
          continue;
        }
        port = t.substr(close + 2);
      }
    } else if (std::count(t.begin(), t.end(), ':') == 1) {
      host = t.substr(0, t.find(':'));
      port = t.substr(t.find(':') + 1);
    }
    auto a = base::IpAddress::parse(host);
    if (!a) {
      r.error(x.value, x.field, fmt::format("'{}' is not ADDRESS:PORT", t));
      continue;
    }
    if (!is_loopback(*a)) {
      r.error(x.value, x.field,
              fmt::format("metrics must listen on a loopback address (127.0.0.0/8 or ::1), not {}",
                          *a));
      continue;
    }
    std::uint16_t p = kDefaultMetricsPort;
    if (port) {
      unsigned v = 0;
      bool ok = !port->empty() && port->size() <= 5;
      for (char c : *port) {
        if (c < '0' || c > '9')
          ok = false;
        else
          v = v * 10 + static_cast<unsigned>(c - '0');
      }
      if (!ok || v == 0 || v > 65535) {
        r.error(x.value, x.field, fmt::format("'{}': bad port", t));
        continue;
      }
      p = static_cast<std::uint16_t>(v);
    }
    cfg.metrics.address = *a;
    cfg.metrics.port = p;
  }
}

void read_log(Reader& r, const Entry& e, Config& cfg) {
  auto m = r.map(e.value, "log", kLogKeys);
  if (!m) return;
  if (auto* l = detail::find(*m, "level")) {
    auto s = r.str(l->value, l->field);
    if (!s) return;
    static constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                                "error", "critical", "off"};
    for (std::size_t i = 0; i < kLevels.size(); ++i) {
      if (*s == kLevels[i]) {
        cfg.log_level = static_cast<LogLevel>(i);
        return;
      }
    }
    std::string msg = fmt::format(
        "unknown log level '{}' (trace, debug, info, warn, error, "
        "critical, off)",
        *s);
    r.error(l->value, l->field, std::move(msg));
  }
}

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1FU;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0FU;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07U;
    } else {
      return i;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0U) != 0x80U) return i;
      cp = (cp << 6) | (d & 0x3FU);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

void sort_and_dedupe(std::vector<Diagnostic>& d) {
  std::stable_sort(d.begin(), d.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  std::vector<Diagnostic> out;
  for (auto& x : d)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(std::move(x));
  d = std::move(out);
}

// Shows the first kMaxShownDiagnostics of d and one line counting the rest (plus `dropped`,
// those the reader did not keep): a broken file gives a screenful, not gigabytes.
std::size_t limit_shown(std::vector<Diagnostic>& d, std::size_t dropped, std::string_view file,
                        std::string_view what) {
  if (d.size() <= kMaxShownDiagnostics && dropped == 0) return 0;
  const std::size_t shown = std::min(d.size(), kMaxShownDiagnostics);
  const std::size_t more = d.size() - shown + dropped;
  d.resize(shown);
  d.push_back(
      {{std::string(file), 0, 0}, "", fmt::format("... and {} more {} not shown", more, what)});
  return more;
}

void parse_root(Reader& r, const YAML::Node& root, const std::filesystem::path& base_dir,
                const LoadOptions& opts, LoadResult& out) {
  if (root.IsNull()) {
    r.error_at(r.file_start(), "", "the configuration is empty: router-id and asn are required");
    return;
  }
  auto top = r.map(root, "", kTopKeys);
  if (!top) return;
  Config cfg;
  cfg.listen = {ListenAddress{base::IpAddress::v4(0), kDefaultBgpPort}};
  bool have_router_id = false;
  bool have_asn = false;
  const YAML::Node* asn_node = nullptr;
  const YAML::Node* templates = nullptr;
  const YAML::Node* peers = nullptr;
  const Entry* originate = nullptr;
  for (const Entry& e : *top) {
    if (e.key == "router-id") {
      r.remember(e.field, e.value);
      if (auto v = r.ipv4_id(e.value, e.field)) {
        if (v->is_unspecified()) r.error(e.value, e.field, "router-id 0.0.0.0 is not allowed");
        cfg.router_id = *v;
      }
      have_router_id = true;
    } else if (e.key == "asn") {
      r.remember(e.field, e.value);
      if (auto v = r.asn(e.value, e.field)) cfg.asn = *v;
      have_asn = true;
      asn_node = &e.value;
    } else if (e.key == "listen") {
      read_listen(r, e, cfg);
    } else if (e.key == "filters") {
      read_filters(r, e, cfg, base_dir, opts);
    } else if (e.key == "kernel") {
      read_kernel(r, e, cfg);
    } else if (e.key == "originate") {
      originate = &e;  // after health-checks, whose names it tracks
    } else if (e.key == "control") {
      read_control(r, e, cfg);
    } else if (e.key == "metrics") {
      read_metrics(r, e, cfg);
    } else if (e.key == "bmp") {
      detail::read_bmp(r, e, cfg);
    } else if (e.key == "mrt") {
      detail::read_mrt(r, e, cfg, base_dir);
    } else if (e.key == "log") {
      read_log(r, e, cfg);
    } else if (e.key == "health-checks") {
      detail::read_health_checks(r, e, cfg);
    } else if (e.key == "shutdown") {
      detail::read_shutdown(r, e, cfg);
    } else if (e.key == "templates") {
      templates = &e.value;
    } else if (e.key == "peers") {
      peers = &e.value;
    }
  }
  if (!have_router_id)
    r.error_at(r.file_start(), "router-id", "required key 'router-id' is missing");
  if (!have_asn) r.error_at(r.file_start(), "asn", "required key 'asn' is missing");
  if (originate) read_originate(r, *originate, cfg);
  std::vector<detail::PeerSource> sources;
  read_peers(r, templates, peers, cfg, sources);
  for (std::size_t i = 0; i < cfg.peers.size() && i < sources.size(); ++i)
    if (const Entry* te = sources[i].get("track"); te && !cfg.peers[i].track.empty())
      detail::check_tracking(r, cfg, cfg.peers[i].track, te->value, sources[i].field);
  for (std::size_t i = 0; i < cfg.peers.size() && i < sources.size(); ++i)
    if (const Entry* of = sources[i].get("on-failure"); of && cfg.peers[i].track.empty())
      r.error(of->value, sources[i].field + ".on-failure",
              "on-failure without track: nothing to follow");
  detail::validate(r, cfg, sources, asn_node, opts);
  if (r.error_count() == 0) out.config = std::move(cfg);
}

}  // namespace

LoadResult parse_config(std::string_view text, std::string_view file_name,
                        const std::filesystem::path& base_dir, const LoadOptions& opts) {
  LoadResult out;
  Reader r(std::string(file_name), out.errors, out.warnings, out.sources);
  if (text.size() > kMaxConfigBytes) {
    r.error_at(r.file_start(), "", fmt::format("file is larger than {} bytes", kMaxConfigBytes));
    return out;
  }
  if (text.find('\0') != std::string_view::npos) {
    r.error_at(r.file_start(), "", "file contains a NUL byte; is it a text file?");
    return out;
  }
  if (auto bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    const std::string_view before = text.substr(0, bad);
    const auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
    const auto nl = before.rfind('\n');
    const auto col = static_cast<int>(nl == std::string_view::npos ? bad + 1 : bad - nl);
    r.error_at({std::string(file_name), line, col}, "", "the file is not valid UTF-8");
    return out;
  }
  try {
    const std::string copy(text);
    if (auto problem = detail::scan_yaml(copy)) {
      r.error_at({std::string(file_name), problem->at.line + 1, problem->at.column + 1}, "",
                 std::move(problem->message));
    } else {
      parse_root(r, YAML::Load(copy), base_dir, opts, out);
    }
  } catch (const YAML::Exception& e) {
    SourceLocation at{std::string(file_name), 0, 0};
    if (!e.mark.is_null()) at = {std::string(file_name), e.mark.line + 1, e.mark.column + 1};
    r.error_at(at, "", fmt::format("YAML syntax error: {}", e.msg));
  } catch (const std::exception& e) {
    r.error_at(r.file_start(), "", fmt::format("cannot read the configuration: {}", e.what()));
  }
  if (!out.errors.empty()) out.config.reset();
  sort_and_dedupe(out.errors);
  sort_and_dedupe(out.warnings);
  out.errors_omitted = limit_shown(out.errors, r.dropped_errors(), file_name, "error(s)");
  out.warnings_omitted = limit_shown(out.warnings, r.dropped_warnings(), file_name, "warning(s)");
  return out;
}

LoadResult load_config(const std::filesystem::path& path, const LoadOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult out;
    out.errors.push_back({{path.string(), 0, 0}, "", "cannot open the configuration file"});
    return out;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) break;
  }
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  auto abs = std::filesystem::absolute(dir, ec);
  if (!ec) dir = abs;
  return parse_config(text, path.string(), dir, opts);
}

}  // namespace nvabgpd::config
