// The route forms of `nvabgpctl filter test` (readable one-line text, JSON lines) and its
// result (JSON object, one text line). Shared by nvabgpctl and nvabgpd (the daemon's `filter
// test` control command), so both read and print routes the same way. Documented in
// policy/README.md and docs/control-protocol.md.
#include "filter_route.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "nvabgpd/policy/route_text.hpp"

namespace nvabgpd::ctl {

using nlohmann::json;

std::optional<RouteInput> parse_route_text(const std::string& text, std::string& error) {
  std::istringstream ss(text);
  std::vector<std::string> toks;
  for (std::string t; ss >> t;) toks.push_back(t);
  if (toks.empty()) {
    error = "empty route";
    return std::nullopt;
  }
  RouteInput r;
  auto p = base::Prefix::parse(toks[0]);
  if (!p) {
    error = fmt::format("invalid prefix '{}'", toks[0]);
    return std::nullopt;
  }
  r.net = *p;
  static const std::vector<std::string> kKeys = {
      "path",        "as_path",       "community",
      "communities", "large",         "large_community",
      "ext",         "ext_community", "med",
      "local_pref",  "origin",        "next_hop",
      "from",        "proto",         "atomic_aggregate"};
  auto is_key = [](const std::string& t) {
    return std::find(kKeys.begin(), kKeys.end(), t) != kKeys.end();
  };
  std::size_t i = 1;
  while (i < toks.size()) {
    const std::string key = toks[i++];
    if (!is_key(key)) {
      error = fmt::format("unknown keyword '{}'", key);
      return std::nullopt;
    }
    std::vector<std::string> vals;
    while (i < toks.size() && !is_key(toks[i])) vals.push_back(toks[i++]);
    auto one = [&]() -> const std::string* {
      if (vals.size() != 1) {
        error = fmt::format("'{}' takes one value", key);
        return nullptr;
      }
      return &vals[0];
    };
    auto u32 = [&](const std::string& s) -> std::optional<std::uint32_t> {
      try {
        std::size_t used = 0;
        unsigned long v = std::stoul(s, &used, 10);
        if (used != s.size() || v > 0xFFFFFFFFUL) return std::nullopt;
        return static_cast<std::uint32_t>(v);
      } catch (...) {
        return std::nullopt;
      }
    };
    if (key == "path" || key == "as_path") {
      std::string joined;
      for (const auto& v : vals) joined += v + " ";
      auto path = policy::parse_as_path(joined);
      if (!path) {
        error = fmt::format("invalid AS path '{}'", joined);
        return std::nullopt;
      }
      r.attrs.as_path = *path;
    } else if (key == "community" || key == "communities") {
      for (const auto& v : vals) {
        auto c = policy::parse_community(v);
        if (!c) {
          error = fmt::format("invalid community '{}'", v);
          return std::nullopt;
        }
        r.attrs.communities.push_back(*c);
      }
    } else if (key == "large" || key == "large_community") {
      for (const auto& v : vals) {
        auto c = policy::parse_large_community(v);
        if (!c) {
          error = fmt::format("invalid large community '{}'", v);
          return std::nullopt;
        }
        r.attrs.large_communities.push_back(*c);
      }
    } else if (key == "ext" || key == "ext_community") {
      for (const auto& v : vals) {
        auto c = policy::parse_ext_community(v);
        if (!c) {
          error = fmt::format("invalid extended community '{}'", v);
          return std::nullopt;
        }
        r.attrs.ext_communities.push_back(*c);
      }
    } else if (key == "atomic_aggregate") {
      r.attrs.atomic_aggregate = true;
    } else {
      const std::string* v = one();
      if (v == nullptr) return std::nullopt;
      if (key == "med" || key == "local_pref") {
        auto n = u32(*v);
        if (!n) {
          error = fmt::format("invalid number '{}'", *v);
          return std::nullopt;
        }
        (key == "med" ? r.attrs.med : r.attrs.local_pref) = *n;
      } else if (key == "origin") {
        auto o = policy::parse_origin(*v);
        if (!o) {
          error = fmt::format("invalid origin '{}'", *v);
          return std::nullopt;
        }
        r.attrs.origin = *o;
      } else if (key == "next_hop" || key == "from") {
        auto a = base::IpAddress::parse(*v);
        if (!a) {
          error = fmt::format("invalid address '{}'", *v);
          return std::nullopt;
        }
        (key == "from" ? r.from : r.attrs.next_hop.emplace()) = *a;
      } else {
        r.proto = *v;
      }
    }
  }
  return r;
}

namespace {

template <typename T, typename Parse>
bool json_list(const json& j, const char* key, std::vector<T>& out, Parse parse,
               std::string& error) {
  if (!j.contains(key)) return true;
  const json& v = j[key];
  if (!v.is_array()) {
    error = fmt::format("'{}' must be an array of strings", key);
    return false;
  }
  for (const auto& e : v) {
    std::optional<T> x;
    if (e.is_string()) x = parse(e.get<std::string>());
    if (!x) {
      error = fmt::format("invalid element {} in '{}'", e.dump(), key);
      return false;
    }
    out.push_back(*x);
  }
  return true;
}

}  // namespace

std::optional<RouteInput> parse_route_json(const std::string& line, std::string& error) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  return parse_route_json(j, error);
}

std::optional<RouteInput> parse_route_json(const json& j, std::string& error) {
  if (!j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  RouteInput r;
  auto str = [&](const char* k) -> std::optional<std::string> {
    if (j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
    return std::nullopt;
  };
  auto u32 = [&](const char* k, std::optional<std::uint32_t>& out) {
    if (!j.contains(k) || j[k].is_null()) return true;
    if (!j[k].is_number_unsigned() || j[k].get<std::uint64_t>() > 0xFFFFFFFFULL) {
      error = fmt::format("'{}' must be an unsigned 32-bit number", k);
      return false;
    }
    out = j[k].get<std::uint32_t>();
    return true;
  };
  auto pfx = str("prefix");
  auto p = pfx ? base::Prefix::parse(*pfx) : std::nullopt;
  if (!p) {
    error = "missing or invalid 'prefix'";
    return std::nullopt;
  }
  r.net = *p;
  if (j.contains("as_path")) {
    const json& ap = j["as_path"];
    std::optional<wire::AsPath> path;
    if (ap.is_string()) {
      path = policy::parse_as_path(ap.get<std::string>());
    } else if (ap.is_array()) {
      std::string text;
      bool ok = true;
      for (const auto& a : ap) {
        ok = ok && a.is_number_unsigned() && a.get<std::uint64_t>() <= 0xFFFFFFFFULL;
        if (ok) text += std::to_string(a.get<std::uint64_t>()) + " ";
      }
      if (ok) path = policy::parse_as_path(text);
    }
    if (!path) {
      error = "invalid 'as_path' (array of ASNs or a string like \"65001 {1 2}\")";
      return std::nullopt;
    }
    r.attrs.as_path = *path;
  }
  if (!json_list(j, "communities", r.attrs.communities, policy::parse_community, error) ||
      !json_list(j, "large_communities", r.attrs.large_communities, policy::parse_large_community,
                 error) ||
      !json_list(j, "ext_communities", r.attrs.ext_communities, policy::parse_ext_community,
                 error) ||
      !u32("med", r.attrs.med) || !u32("local_pref", r.attrs.local_pref)) {
    return std::nullopt;
  }
  if (auto o = str("origin")) {
    auto v = policy::parse_origin(*o);
    if (!v) {
      error = "invalid 'origin' (igp, egp or incomplete)";
      return std::nullopt;
    }
    r.attrs.origin = *v;
  }
  for (const char* k : {"next_hop", "from"}) {
    if (auto s = str(k)) {
      auto a = base::IpAddress::parse(*s);
      if (!a) {
        error = fmt::format("invalid '{}'", k);
        return std::nullopt;
      }
      (std::string_view(k) == "from" ? r.from : r.attrs.next_hop.emplace()) = *a;
    }
  }
  if (auto s = str("proto")) r.proto = *s;
  if (j.contains("atomic_aggregate") && j["atomic_aggregate"].is_boolean()) {
    r.attrs.atomic_aggregate = j["atomic_aggregate"].get<bool>();
  }
  return r;
}

namespace {

template <typename L, typename F>
std::vector<std::string> sorted_text(L list, F text) {
  std::sort(list.begin(), list.end());  // as sent on the wire
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(text(x));
  return out;
}

}  // namespace

json filter_result_json(const RouteInput& r, const policy::Outcome& o,
                        const std::vector<std::string>& printed) {
  json j;
  j["prefix"] = r.net.to_string();
  j["result"] = o.accepted() ? "accept" : "reject";
  j["reason"] = o.reason();
  j["where"] = o.where.to_string();
  if (!o.error.empty()) j["error"] = o.error;
  if (!printed.empty()) j["print"] = printed;
  if (!o.accepted()) return j;
  const wire::PathAttributes& a = o.modified ? *o.modified : r.attrs;
  j["modified"] = o.modified.has_value();
  j["as_path"] = policy::as_path_text(a.as_path);
  j["origin"] = policy::origin_text(a.origin);
  if (a.next_hop) j["next_hop"] = a.next_hop->to_string();
  if (a.med) j["med"] = *a.med;
  if (a.local_pref) j["local_pref"] = *a.local_pref;
  if (a.atomic_aggregate) j["atomic_aggregate"] = true;
  if (!a.communities.empty()) j["communities"] = sorted_text(a.communities, policy::community_text);
  if (!a.large_communities.empty()) {
    j["large_communities"] = sorted_text(a.large_communities, policy::large_community_text);
  }
  if (!a.ext_communities.empty())
    j["ext_communities"] = sorted_text(a.ext_communities, policy::ext_community_text);
  if (o.preference) j["preference"] = *o.preference;
  return j;
}

std::string filter_result_text(const json& j) {
  std::string s =
      fmt::format("{} {}", j["prefix"].get<std::string>(), j["result"].get<std::string>());
  if (j["result"] == "accept") {
    s += fmt::format(" path [{}] origin {}", j["as_path"].get<std::string>(),
                     j["origin"].get<std::string>());
    for (const char* k : {"next_hop", "med", "local_pref", "preference"}) {
      if (j.contains(k))
        s += fmt::format(" {} {}", k, j[k].is_string() ? j[k].get<std::string>() : j[k].dump());
    }
    for (const char* k : {"communities", "large_communities", "ext_communities"}) {
      if (!j.contains(k)) continue;
      s += fmt::format(" {}", k);
      for (const auto& c : j[k]) s += " " + c.get<std::string>();
    }
  }
  s += fmt::format(" ({})", j["reason"].get<std::string>());
  return s;
}

json route_input_json(const RouteInput& r) {
  json j{{"prefix", r.net.to_string()},
         {"as_path", policy::as_path_text(r.attrs.as_path)},
         {"origin", policy::origin_text(r.attrs.origin)}};
  if (r.attrs.next_hop) j["next_hop"] = r.attrs.next_hop->to_string();
  if (r.attrs.med) j["med"] = *r.attrs.med;
  if (r.attrs.local_pref) j["local_pref"] = *r.attrs.local_pref;
  if (r.attrs.atomic_aggregate) j["atomic_aggregate"] = true;
  auto list = [&](const char* key, const auto& v, auto text) {
    if (v.empty()) return;
    json a = json::array();
    for (const auto& x : v) a.push_back(text(x));  // in the given order: duplicates kept
    j[key] = a;
  };
  list("communities", r.attrs.communities, policy::community_text);
  list("large_communities", r.attrs.large_communities, policy::large_community_text);
  list("ext_communities", r.attrs.ext_communities, policy::ext_community_text);
  if (!r.from.is_unspecified()) j["from"] = r.from.to_string();
  j["proto"] = r.proto;
  return j;
}

}  // namespace nvabgpd::ctl
