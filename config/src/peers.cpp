// `templates:` and `peers:`: per-key parsing, template expansion, per-peer defaults.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "health.hpp"
#include "nvabgpd/config/azure.hpp"
#include "parse.hpp"

namespace nvabgpd::config::detail {

namespace {

constexpr std::array<std::string_view, 38> kPeerKeys = {"name",
                                                        "address",
                                                        "port",
                                                        "asn",
                                                        "template",
                                                        "description",
                                                        "local-address",
                                                        "multihop",
                                                        "ttl-security",
                                                        "password",
                                                        "hold-time",
                                                        "keepalive",
                                                        "connect-retry",
                                                        "passive",
                                                        "families",
                                                        "import",
                                                        "export",
                                                        "next-hop-self",
                                                        "route-reflector-client",
                                                        "cluster-id",
                                                        "route-server-client",
                                                        "allowas-in",
                                                        "always-compare-med",
                                                        "import-limit",
                                                        "export-limit",
                                                        "graceful-restart",
                                                        "soft-reconfiguration",
                                                        "route-refresh",
                                                        "enabled",
                                                        "idle-hold",
                                                        "idle-hold-max",
                                                        "send-hold-time",
                                                        "send-queue-limit",
                                                        "ipv6-next-hop",
                                                        "track",
                                                        "on-failure",
                                                        "bfd",
                                                        "default-local-pref"};
constexpr std::array<std::string_view, 3> kLimitKeys = {"max", "action", "restart-delay"};
constexpr std::array<std::string_view, 3> kGrKeys = {"enabled", "restart-time", "stale-time"};

struct TemplateDef {
  std::string name;
  const Entry* parent = nullptr;  // the template's own `template:` entry
  std::vector<Entry> entries;
};

// A peer's template chain (peer -> template -> its template ...) may be this long: real
// configs use one to three levels; a chain of 20,000 made a check take 72 s.
constexpr std::size_t kMaxTemplateChain = 32;

bool is_peer_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// `base`: the value a template set; the keys given here change only themselves.
std::optional<PrefixLimit> read_limit(Reader& r, const Entry& e, bool is_import,
                                      const std::optional<PrefixLimit>& base) {
  auto m = r.map(e.value, e.field, kLimitKeys);
  if (!m) return std::nullopt;
  PrefixLimit l = base.value_or(PrefixLimit{});
  bool ok = true;
  if (auto* x = find(*m, "max")) {
    auto v = r.uint(x->value, x->field, 1, 0xFFFFFFFFULL);
    if (v) l.max = static_cast<std::uint32_t>(*v);
    ok = ok && v;
  } else if (!base) {
    r.error(e.value, e.field + ".max", "required key 'max' is missing");
    ok = false;
  }
  if (auto* x = find(*m, "action")) {
    auto s = r.str(x->value, x->field);
    if (!s) {
      ok = false;
    } else if (*s == "warn") {
      l.action = LimitAction::Warn;
    } else if (*s == "block") {
      l.action = LimitAction::Block;
    } else if (*s == "restart" && is_import) {
      l.action = LimitAction::Restart;
    } else {
      r.error(x->value, x->field,
              is_import ? fmt::format("expected warn, block or restart, got '{}'", *s)
                        : fmt::format("expected warn or block, got '{}' (an export limit never "
                                      "restarts the session)",
                                      *s));
      ok = false;
    }
  }
  if (auto* x = find(*m, "restart-delay")) {
    auto v = r.uint(x->value, x->field, 1, 86400);
    if (v) l.restart_delay = static_cast<std::uint32_t>(*v);
    ok = ok && v;
    if (v && l.action != LimitAction::Restart)
      r.warn(x->value, x->field, "restart-delay has no effect unless action is restart");
  }
  return ok ? std::optional<PrefixLimit>(l) : std::nullopt;
}

// `base`: the value so far (a template's); the keys given here change only themselves.
std::optional<GracefulRestart> read_gr(Reader& r, const Entry& e, const GracefulRestart& base) {
  GracefulRestart g = base;
  if (e.value.IsScalar()) {
    auto v = r.boolean(e.value, e.field);
    if (!v) return std::nullopt;
    g.enabled = *v;
    return g;
  }
  auto m = r.map(e.value, e.field, kGrKeys);
  if (!m) return std::nullopt;
  g.enabled = true;
  bool ok = true;
  for (const Entry& x : *m) {
    if (x.key == "enabled") {
      auto v = r.boolean(x.value, x.field);
      if (v) g.enabled = *v;
      ok = ok && v;
    } else if (x.key == "restart-time") {
      auto v = r.uint(x.value, x.field, 1, 4095);  // 12 bits in the capability
      if (v) g.restart_time = static_cast<std::uint16_t>(*v);
      ok = ok && v;
    } else if (x.key == "stale-time") {
      auto v = r.uint(x.value, x.field, 1, 86400);
      if (v) g.stale_time = static_cast<std::uint32_t>(*v);
      ok = ok && v;
    }
  }
  return ok ? std::optional<GracefulRestart>(g) : std::nullopt;
}

std::optional<FilterRef> read_filter_ref(Reader& r, const Entry& e) {
  auto s = r.str(e.value, e.field);
  if (!s) return std::nullopt;
  if (*s == "all") return FilterRef::all();
  if (*s == "none") return FilterRef::none();
  if (!is_filter_identifier(*s)) {
    r.error(e.value, e.field,
            fmt::format("'{}' is not all, none or a filter name (letters, digits and _)", *s));
    return std::nullopt;
  }
  return FilterRef::named(*s);
}

std::optional<std::vector<wire::AfiSafi>> read_families(Reader& r, const Entry& e) {
  auto items = r.seq(e.value, e.field);
  if (!items) return std::nullopt;
  std::vector<wire::AfiSafi> out;
  bool ok = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("{}[{}]", e.field, i);
    auto s = r.str((*items)[i], f);
    if (!s) {
      ok = false;
      continue;
    }
    wire::AfiSafi fam;
    if (*s == "ipv4-unicast") {
      fam = wire::kIpv4Unicast;
    } else if (*s == "ipv6-unicast") {
      fam = wire::kIpv6Unicast;
    } else {
      static constexpr std::array<std::string_view, 2> kNames = {"ipv4-unicast", "ipv6-unicast"};
      std::string msg = fmt::format("unknown address family '{}' (ipv4-unicast, ipv6-unicast)", *s);
      if (auto sg = suggest(*s, kNames))
        msg = fmt::format("unknown address family '{}' (did you mean '{}'?)", *s, *sg);
      r.error((*items)[i], f, std::move(msg));
      ok = false;
      continue;
    }
    if (std::find(out.begin(), out.end(), fam) != out.end()) {
      r.error((*items)[i], f, fmt::format("family '{}' is listed twice", *s));
      ok = false;
      continue;
    }
    out.push_back(fam);
  }
  if (ok && out.empty()) {
    r.error(e.value, e.field, "at least one address family is required");
    ok = false;
  }
  return ok ? std::optional(out) : std::nullopt;
}

template <typename T>
bool set_uint(Reader& r, const Entry& e, T& out, std::uint64_t min, std::uint64_t max) {
  auto v = r.uint(e.value, e.field, min, max);
  if (v) out = static_cast<T>(*v);
  return v.has_value();
}
bool set_bool(Reader& r, const Entry& e, bool& out) {
  auto v = r.boolean(e.value, e.field);
  if (v) out = *v;
  return v.has_value();
}

// Applies one peer key (not name/template) to p. Returns false on a bad value.
bool apply_key(Reader& r, const Entry& e, PeerConfig& p) {
  const std::string& k = e.key;
  if (k == "address") {
    auto v = r.address(e.value, e.field);
    if (v) p.address = *v;
    return v.has_value();
  }
  if (k == "port") return set_uint(r, e, p.port, 1, 65535);
  if (k == "asn") {
    auto v = r.asn(e.value, e.field);
    if (v) p.asn = *v;
    return v.has_value();
  }
  if (k == "description") {
    auto v = r.str(e.value, e.field);
    if (v && v->size() > 255) {
      r.error(e.value, e.field, "description is longer than 255 characters");
      return false;
    }
    if (v) p.description = *v;
    return v.has_value();
  }
  if (k == "local-address") {
    auto v = r.address(e.value, e.field);
    if (v) p.local_address = *v;
    return v.has_value();
  }
  if (k == "ipv6-next-hop") {
    auto v = r.address(e.value, e.field);
    if (v) p.ipv6_next_hop = *v;
    return v.has_value();
  }
  if (k == "multihop") {
    std::uint8_t hops = 0;
    if (!set_uint(r, e, hops, 1, 255)) return false;
    p.multihop = hops;
    return true;
  }
  if (k == "ttl-security") return set_bool(r, e, p.ttl_security);
  if (k == "password") {
    auto v = r.str(e.value, e.field);
    if (!v) return false;
    if (v->empty() || v->size() > 80) {
      r.error(e.value, e.field, "a TCP-MD5 password has 1 to 80 characters");
      return false;
    }
    p.password = *v;
    return true;
  }
  if (k == "hold-time") {
    std::uint16_t h = 0;
    if (!set_uint(r, e, h, 0, 65535)) return false;
    if (h == 1 || h == 2) {
      r.error(e.value, e.field, "hold time must be 0 or at least 3 seconds (RFC 4271 4.2)");
      return false;
    }
    p.hold_time = h;
    return true;
  }
  if (k == "keepalive") return set_uint(r, e, p.keepalive, 0, 21845);
  if (k == "connect-retry") return set_uint(r, e, p.connect_retry, 1, 65535);
  if (k == "idle-hold") return set_uint(r, e, p.idle_hold, 1, 3600);
  if (k == "idle-hold-max") return set_uint(r, e, p.idle_hold_max, 1, 3600);
  if (k == "send-hold-time") {
    std::uint16_t v = 0;
    if (!set_uint(r, e, v, 1, 65535)) return false;
    p.send_hold_time = v;
    return true;
  }
  if (k == "send-queue-limit")
    return set_uint(r, e, p.send_queue_limit, std::uint64_t{1} << 16, std::uint64_t{1} << 40);
  if (k == "passive") return set_bool(r, e, p.passive);
  if (k == "families") {
    auto v = read_families(r, e);
    if (v) p.families = *v;
    return v.has_value();
  }
  if (k == "import" || k == "export") {
    auto v = read_filter_ref(r, e);
    if (v) (k == "import" ? p.import_filter : p.export_filter) = *v;
    return v.has_value();
  }
  if (k == "next-hop-self") return set_bool(r, e, p.next_hop_self);
  if (k == "route-reflector-client") return set_bool(r, e, p.route_reflector_client);
  if (k == "cluster-id") {
    if (e.value.IsScalar() && e.value.Scalar().find('.') != std::string::npos) {
      auto v = r.ipv4_id(e.value, e.field);
      if (v) p.cluster_id = v->v4_value();
      return v.has_value();
    }
    std::uint32_t id = 0;
    if (!set_uint(r, e, id, 1, 0xFFFFFFFFULL)) return false;
    p.cluster_id = id;
    return true;
  }
  if (k == "route-server-client") return set_bool(r, e, p.route_server_client);
  if (k == "allowas-in") return set_uint(r, e, p.allowas_in, 0, 16);
  if (k == "default-local-pref") {
    std::uint32_t v = 0;
    if (!set_uint(r, e, v, 0, 0xFFFFFFFFULL)) return false;
    p.default_local_pref = v;
    return true;
  }
  if (k == "always-compare-med") return set_bool(r, e, p.always_compare_med);
  if (k == "import-limit" || k == "export-limit") {
    auto& limit = k == "import-limit" ? p.import_limit : p.export_limit;
    auto v = read_limit(r, e, k == "import-limit", limit);
    if (v) limit = *v;
    return v.has_value();
  }
  if (k == "graceful-restart") {
    auto v = read_gr(r, e, p.graceful_restart);
    if (v) p.graceful_restart = *v;
    return v.has_value();
  }
  if (k == "soft-reconfiguration") return set_bool(r, e, p.soft_reconfiguration);
  if (k == "route-refresh") return set_bool(r, e, p.route_refresh);
  if (k == "enabled") return set_bool(r, e, p.enabled);
  if (k == "track") return read_track(r, e, p.track);
  if (k == "on-failure") return read_on_failure(r, e, p.track);
  if (k == "bfd") {
    auto v = read_bfd(r, e);
    if (v) p.bfd = *v;
    return v.has_value();
  }
  return true;
}

// The value of `key` in a mapping, looked up without yaml-cpp's converting operator[].
std::optional<std::string> peek_scalar(const YAML::Node& n, std::string_view key) {
  if (!n.IsMap()) return std::nullopt;
  for (auto it = n.begin(); it != n.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key && it->second.IsScalar())
      return it->second.Scalar();
  return std::nullopt;
}

void relabel(std::vector<Entry>& entries, const std::string& prefix) {
  for (auto& e : entries) e.field = prefix + "." + e.key;
}

std::vector<TemplateDef> read_templates(Reader& r, const YAML::Node* templates) {
  std::vector<TemplateDef> defs;
  if (!templates) return defs;
  auto items = r.seq(*templates, "templates");
  if (!items) return defs;
  std::set<std::string, std::less<>> defined;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const YAML::Node& item = (*items)[i];
    std::string label = fmt::format("templates[{}]", i);
    if (auto nm = peek_scalar(item, "name"); nm && is_peer_name(*nm))
      label = fmt::format("templates[{}]", *nm);
    auto m = r.map(item, label, kPeerKeys);
    if (!m) continue;
    TemplateDef d;
    const Entry* name = find(*m, "name");
    if (!name) {
      r.error(item, label + ".name", "required key 'name' is missing");
      continue;
    }
    auto s = r.str(name->value, name->field);
    if (!s) continue;
    if (!is_peer_name(*s)) {
      r.error(name->value, name->field,
              fmt::format("'{}' is not a valid template name (letters, digits, - _ .)", *s));
      continue;
    }
    if (*s == azure::kTemplateName) {
      r.error(name->value, name->field,
              fmt::format("'{}' is a built-in template and cannot be redefined", *s));
      continue;
    }
    if (!defined.insert(*s).second) {
      r.error(name->value, name->field, fmt::format("template '{}' is defined twice", *s));
      continue;
    }
    d.name = *s;
    for (const Entry& e : *m) {
      if (e.key == "address")
        r.error(e.key_node, label + ".address",
                "a template cannot set 'address' (every peer has its own)");
      else if (e.key != "name")
        d.entries.push_back(e);
    }
    relabel(d.entries, fmt::format("templates[{}]", d.name));
    defs.push_back(std::move(d));
  }
  for (auto& d : defs) d.parent = find(d.entries, "template");
  // Check every template's values once, even when no peer uses it.
  for (const auto& d : defs) {
    PeerConfig scratch;
    for (const Entry& e : d.entries)
      if (e.key != "template") apply_key(r, e, scratch);
  }
  return defs;
}

struct Chain {
  std::vector<const TemplateDef*> layers;  // root first
  bool azure = false;
  bool ok = true;
};

using TemplateIndex = std::map<std::string_view, const TemplateDef*>;

Chain resolve_chain(Reader& r, const std::vector<TemplateDef>& defs, const TemplateIndex& index,
                    const Entry& start) {
  Chain c;
  const Entry* ref = &start;
  std::set<std::string, std::less<>> seen;
  while (ref) {
    auto s = r.str(ref->value, ref->field);
    if (!s) {
      c.ok = false;
      break;
    }
    if (*s == azure::kTemplateName) {
      c.azure = true;
      break;
    }
    auto found = index.find(*s);
    if (found == index.end()) {
      std::vector<std::string_view> names{azure::kTemplateName};
      for (const auto& d : defs) names.push_back(d.name);
      std::string msg = fmt::format("unknown template '{}'", *s);
      if (auto sg = suggest(*s, names)) msg += fmt::format(" (did you mean '{}'?)", *sg);
      r.error(ref->value, ref->field, std::move(msg));
      c.ok = false;
      break;
    }
    if (seen.count(*s) != 0) {
      r.error(ref->value, ref->field, fmt::format("templates form a cycle through '{}'", *s));
      c.ok = false;
      break;
    }
    if (c.layers.size() == kMaxTemplateChain) {
      r.error(ref->value, ref->field,
              fmt::format("template chain is longer than {} templates (at '{}')", kMaxTemplateChain,
                          *s));
      c.ok = false;
      break;
    }
    seen.insert(*s);
    c.layers.push_back(found->second);
    ref = found->second->parent;
  }
  std::reverse(c.layers.begin(), c.layers.end());
  return c;
}

// Keys whose mapping values merge key by key with a template's (`export-limit: {max: 30}` keeps
// the template's action); any other key's value replaces the template's.
constexpr std::string_view kMergedMaps[] = {"import-limit", "export-limit", "graceful-restart"};

void merge(std::vector<Entry>& into, const std::vector<Entry>& layer) {
  for (const Entry& e : layer) {
    if (e.key == "name" || e.key == "template") continue;
    auto it =
        std::find_if(into.begin(), into.end(), [&](const Entry& x) { return x.key == e.key; });
    const bool by_key =
        std::find(std::begin(kMergedMaps), std::end(kMergedMaps), e.key) != std::end(kMergedMaps);
    if (it != into.end() && by_key && e.value.IsMap() && it->value.IsMap())
      into.push_back(e);  // applied after the template's map, on top of it
    else if (it != into.end())
      *it = e;
    else
      into.push_back(e);
  }
}

}  // namespace

bool is_filter_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

void read_peers(Reader& r, const YAML::Node* templates, const YAML::Node* peers, Config& cfg,
                std::vector<PeerSource>& sources) {
  const std::vector<TemplateDef> defs = read_templates(r, templates);
  TemplateIndex index;
  for (const auto& d : defs) index.emplace(d.name, &d);
  if (!peers) return;
  auto items = r.seq(*peers, "peers");
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const YAML::Node& item = (*items)[i];
    std::string label = fmt::format("peers[{}]", i);
    if (auto nm = peek_scalar(item, "name"); nm && is_peer_name(*nm))
      label = fmt::format("peers[{}]", *nm);
    auto m = r.map(item, label, kPeerKeys);
    if (!m) continue;
    relabel(*m, label);
    PeerSource src;
    src.node = item;
    src.field = label;
    PeerConfig p;
    bool ok = true;
    if (const Entry* name = find(*m, "name")) {
      auto s = r.str(name->value, name->field);
      if (s && !is_peer_name(*s)) {
        r.error(
            name->value, name->field,
            fmt::format("'{}' is not a valid peer name (letters, digits, - _ . ; up to 64)", *s));
        s.reset();
      }
      if (s) p.name = *s;
      ok = ok && s;
    } else {
      r.error(item, label + ".name", "required key 'name' is missing");
      ok = false;
    }
    Chain chain;
    if (const Entry* t = find(*m, "template")) {
      chain = resolve_chain(r, defs, index, *t);
      if (t->value.IsScalar()) p.template_name = t->value.Scalar();
      ok = ok && chain.ok;
    }
    for (const TemplateDef* d : chain.layers) merge(src.entries, d->entries);
    merge(src.entries, *m);
    for (const Entry& e : *m)
      if (e.key == "name" || e.key == "template") src.entries.push_back(e);
    p.azure_route_server = chain.azure;
    if (p.azure_route_server) apply_azure_defaults(p);
    for (const Entry& e : src.entries) {
      ok = apply_key(r, e, p) && ok;
      r.remember(label + "." + e.key, e.value);
    }
    r.remember(label, item);
    if (!src.get("address")) {
      r.error(item, label + ".address", "required key 'address' is missing");
      ok = false;
    }
    if (!src.get("asn") && !p.azure_route_server && chain.ok) {
      r.error(item, label + ".asn", "required key 'asn' is missing");
      ok = false;
    }
    if (!ok) continue;
    // Defaults that depend on other values.
    if (!src.get("families") && !p.azure_route_server)
      p.families = {p.address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast};
    if (!src.get("keepalive") && !p.azure_route_server) p.keepalive = p.hold_time / 3;
    if (const Entry* b = src.get("bfd"); b && !bfd_sets_multihop(*b))
      p.bfd.multihop = p.multihop.has_value();
    // RFC 8212: without configured policy an eBGP session exchanges nothing; iBGP everything.
    const bool ibgp = cfg.asn != 0 && p.asn == cfg.asn;
    if (!src.get("import")) p.import_filter = ibgp ? FilterRef::all() : FilterRef::none();
    if (!src.get("export")) p.export_filter = ibgp ? FilterRef::all() : FilterRef::none();
    if (p.azure_route_server) check_azure_peer(r, p, src);
    cfg.peers.push_back(std::move(p));
    sources.push_back(std::move(src));
  }
}

}  // namespace nvabgpd::config::detail
