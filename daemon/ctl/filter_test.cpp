#include "filter_test.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nvabgpd/policy/filter.hpp"
#include "nvabgpd/policy/route_text.hpp"

namespace nvabgpd::ctl {

namespace {

using nlohmann::json;

struct RouteInput {
  base::Prefix net;
  wire::PathAttributes attrs;
  base::IpAddress from;
  std::string proto = "nvabgpctl";
};

// Parses the readable form: PREFIX [path ASN... | {ASN...}] [community A:B...] [large A:B:C...]
// [ext rt:A:B...] [med N] [local_pref N] [origin igp|egp|incomplete] [next_hop IP] [from IP]
// [proto NAME] [atomic_aggregate].
std::optional<RouteInput> parse_text(const std::string& text, std::string& error) {
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
  static const std::vector<std::string> kKeys = {"path", "as_path", "community", "communities", "large",
                                                 "large_community", "ext", "ext_community", "med", "local_pref",
                                                 "origin", "next_hop", "from", "proto", "atomic_aggregate"};
  auto is_key = [](const std::string& t) { return std::find(kKeys.begin(), kKeys.end(), t) != kKeys.end(); };
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

template <typename T, typename Parse>
bool json_list(const json& j, const char* key, std::vector<T>& out, Parse parse, std::string& error) {
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

std::optional<RouteInput> parse_json(const std::string& line, std::string& error) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
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
      !json_list(j, "large_communities", r.attrs.large_communities, policy::parse_large_community, error) ||
      !json_list(j, "ext_communities", r.attrs.ext_communities, policy::parse_ext_community, error) ||
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

template <typename L, typename F>
std::vector<std::string> sorted_text(L list, F text) {
  std::sort(list.begin(), list.end());  // as sent on the wire
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(text(x));
  return out;
}

json result_json(const RouteInput& r, const policy::Outcome& o, const std::vector<std::string>& printed) {
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
  if (!a.ext_communities.empty()) j["ext_communities"] = sorted_text(a.ext_communities, policy::ext_community_text);
  if (o.preference) j["preference"] = *o.preference;
  return j;
}

std::string result_text(const json& j) {
  std::string s = fmt::format("{} {}", j["prefix"].get<std::string>(), j["result"].get<std::string>());
  if (j["result"] == "accept") {
    s += fmt::format(" path [{}] origin {}", j["as_path"].get<std::string>(), j["origin"].get<std::string>());
    for (const char* k : {"next_hop", "med", "local_pref", "preference"}) {
      if (j.contains(k)) s += fmt::format(" {} {}", k, j[k].is_string() ? j[k].get<std::string>() : j[k].dump());
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

}  // namespace

int run_filter_test(const FilterTestOptions& opt, std::istream& in, std::ostream& out, std::ostream& err) {
  auto prog = policy::load_paths(opt.files);
  if (!prog) {
    for (const auto& d : prog.error()) err << d.to_string() << "\n";
    return 2;
  }
  const policy::Filter* f = prog->find_filter(opt.filter);
  if (f == nullptr) {
    err << fmt::format("no filter named '{}' in the given files\n", opt.filter);
    return 2;
  }
  int status = 0;
  auto one = [&](const std::optional<RouteInput>& r, const std::string& error, std::size_t lineno) {
    if (!r) {
      status = 1;
      json j{{"result", "error"}, {"error", fmt::format("input line {}: {}", lineno, error)}};
      if (opt.json) {
        out << j.dump() << "\n";
      } else {
        err << j["error"].get<std::string>() << "\n";
      }
      return;
    }
    std::vector<std::string> printed;
    policy::PrintSink sink = [&](std::string_view s, bool) { printed.emplace_back(s); };
    policy::RouteView v;
    v.net = r->net;
    v.attrs = &r->attrs;
    v.from = r->from;
    v.gw = r->attrs.next_hop.value_or(r->from);
    v.proto = r->proto;
    policy::Outcome o = prog->run(*f, v, &sink);
    json j = result_json(*r, o, printed);
    if (opt.json) {
      out << j.dump() << "\n";
    } else {
      for (const auto& p : printed) out << p << "\n";
      out << result_text(j) << "\n";
    }
  };
  std::string error;
  if (opt.route) {
    auto r = parse_text(*opt.route, error);
    one(r, error, 1);
    return status;
  }
  std::size_t lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto r = parse_json(line, error);
    one(r, error, lineno);
  }
  return status;
}

void add_filter_commands(CLI::App& app, int* exit_code) {
  auto* filter = app.add_subcommand("filter", "Work with BIRD-language filter files offline");
  filter->require_subcommand(1);
  auto opt = std::make_shared<FilterTestOptions>();
  auto* test = filter->add_subcommand("test", "Evaluate routes through a named filter (no daemon needed)");
  test->add_option("--file,-f", opt->files, "Filter file(s), loaded in order")->required();
  test->add_option("--filter,-n", opt->filter, "Name of the filter to run")->required();
  test->add_option("--route,-r", opt->route,
                   "One route, e.g. '10.1.0.0/16 path 65001 community 65535:65282'; "
                   "without it JSON lines are read from stdin");
  test->add_flag("--json,-j", opt->json, "One JSON object per route on stdout");
  test->callback([opt, exit_code]() { *exit_code = run_filter_test(*opt, std::cin, std::cout, std::cerr); });
}

}  // namespace nvabgpd::ctl
