#include "show_render.hpp"

#include <fmt/format.h>

namespace nvabgpd::ctl {

namespace {

std::string str(const nlohmann::json& j, const char* key, const std::string& dflt = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// j[key] without a copy (value() copies), or an empty object/array when absent.
const nlohmann::json& member(const nlohmann::json& j, const char* key, bool array = false) {
  static const nlohmann::json kObject = nlohmann::json::object();
  static const nlohmann::json kArray = nlohmann::json::array();
  auto it = j.find(key);
  return it == j.end() ? (array ? kArray : kObject) : *it;
}

std::string num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? "-" : it->dump();
}

// "2026-11-26T16:20:43Z" -> "16:20:43" (BIRD shows the time of day)
std::string hms(const std::string& iso) {
  auto t = iso.find('T');
  return t == std::string::npos ? iso : iso.substr(t + 1, 8);
}

char origin_code(const std::string& origin) {
  return origin == "IGP" ? 'i' : origin == "EGP" ? 'e' : '?';
}

// [AS65515i]: the origin AS (last ASN of the path, or the local AS mark) and the origin code.
std::string as_mark(const nlohmann::json& attrs) {
  std::string path = str(attrs, "as_path");
  std::string last;
  for (std::size_t i = path.size(); i > 0; --i) {
    if (path[i - 1] == ' ') {
      last = path.substr(i);
      break;
    }
    if (i == 1) last = path;
  }
  while (!last.empty() && !std::isdigit(static_cast<unsigned char>(last.back()))) last.pop_back();
  while (!last.empty() && !std::isdigit(static_cast<unsigned char>(last.front()))) last.erase(0, 1);
  return fmt::format("[{}{}]", last.empty() ? "" : "AS" + last, origin_code(str(attrs, "origin")));
}

std::string join(const nlohmann::json& arr, const char* open, const char* close) {
  std::string out;
  for (const auto& v : arr) {
    if (!out.empty()) out += ' ';
    std::string s = v.get<std::string>();
    for (auto& c : s)
      if (c == ':') c = ',';
    out += open + s + close;
  }
  return out;
}

}  // namespace

std::string render_protocols(const nlohmann::json& result) {
  std::string out = fmt::format(
      "{:<10} {:<16} {:>10} {:<12} {:<9} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n", "Name", "Neighbor",
      "ASN", "State", "Since", "Received", "Accepted", "Exported", "MsgSent", "MsgRcvd", "Info");
  for (const auto& p : result) {
    const auto& r = p.value("routes", nlohmann::json::object());
    const auto& m = p.value("messages", nlohmann::json::object());
    auto total = [&](std::initializer_list<const char*> keys) {
      std::uint64_t n = 0;
      for (auto k : keys)
        if (m.contains(k)) n += m[k].get<std::uint64_t>();
      return n;
    };
    out += fmt::format(
        "{:<10} {:<16} {:>10} {:<12} {:<9} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n", str(p, "name"),
        str(p, "address"), num(p, "asn"), str(p, "state"), hms(str(p, "since")), num(r, "received"),
        num(r, "accepted"), num(r, "exported"),
        total({"updates_out", "keepalives_out", "notifications_out", "opens_out"}),
        total({"updates_in", "keepalives_in", "notifications_in", "opens_in", "refreshes_in"}),
        str(p, "last_error"));
  }
  return out;
}

std::string render_routes(const nlohmann::json& result, bool all) {
  if (result.contains("count"))
    return fmt::format("{} of {} routes for {} networks\n", num(result, "count"),
                       num(result, "count"), num(result, "prefixes"));
  std::string out;
  for (const auto& r : result.value("routes", nlohmann::json::array())) out += render_route(r, all);
  return out;
}

std::string render_route(const nlohmann::json& r, bool all) {
  std::string out;
  bool first = true;
  const std::string prefix = str(r, "prefix");
  for (const auto& p : member(r, "paths", true)) {
    const std::string lead = first ? fmt::format("{:<18}", prefix) : std::string(18, ' ');
    first = false;
    if (p.contains("filtered")) {
      out += fmt::format("{} [{}] filtered: {}\n", lead, str(p, "peer"), str(p, "filtered"));
      continue;
    }
    const auto& a = member(p, "attributes");
    std::string via;
    if (p.contains("via")) {
      via = fmt::format("via {} on {}", str(p["via"], "gateway"), str(p["via"], "interface"));
    } else if (a.contains("next_hop")) {
      via = "via " + str(a, "next_hop");
    } else if (str(p, "peer") == "local") {
      via = "originated";  // next hop self on export; nothing to install locally
    } else {
      via = "unreachable";
    }
    std::string src = str(p, "peer");
    if (p.contains("since")) src += " " + hms(str(p, "since"));
    if (p.contains("from")) src += " from " + str(p, "from");
    std::string mark = p.value("best", false) ? "*" : " ";
    if (p.value("stale", false)) mark += " (stale)";
    std::string extra;
    if (p.contains("ineligible")) extra = " !" + str(p, "ineligible");
    if (p.value("export", false)) src = "export to " + str(p, "peer");
    out += fmt::format("{} {} [{}] {} (100/{}) {}{}\n", lead, via, src, mark,
                       a.contains("med") ? num(a, "med") : "?", as_mark(a), extra);
    if (!all) continue;
    out += "\tType: BGP unicast univ\n";
    out += "\tBGP.origin: " + str(a, "origin") + "\n";
    out += "\tBGP.as_path: " + str(a, "as_path") + "\n";
    if (a.contains("next_hop")) out += "\tBGP.next_hop: " + str(a, "next_hop") + "\n";
    if (a.contains("med")) out += "\tBGP.med: " + num(a, "med") + "\n";
    if (a.contains("local_pref")) out += "\tBGP.local_pref: " + num(a, "local_pref") + "\n";
    if (a.contains("atomic_aggregate")) out += "\tBGP.atomic_aggr: \n";
    if (a.contains("originator_id"))
      out += "\tBGP.originator_id: " + str(a, "originator_id") + "\n";
    if (a.contains("cluster_list"))
      out += "\tBGP.cluster_list: " + join(a["cluster_list"], "", "") + "\n";
    if (a.contains("communities"))
      out += "\tBGP.community: " + join(a["communities"], "(", ")") + "\n";
    if (a.contains("large_communities"))
      out += "\tBGP.large_community: " + join(a["large_communities"], "(", ")") + "\n";
    if (a.contains("ext_communities"))
      out += "\tBGP.ext_community: " + join(a["ext_communities"], "(", ")") + "\n";
  }
  return out;
}

std::string render_explain(const nlohmann::json& result) {
  std::string out = fmt::format("{}\n", str(result, "prefix"));
  for (const auto& p : result.value("paths", nlohmann::json::array())) {
    const auto& a = p.value("attributes", nlohmann::json::object());
    out +=
        fmt::format("  {} {:<10} path [{}] next hop {}: {}\n", p.value("best", false) ? "*" : " ",
                    str(p, "peer"), str(a, "as_path"), str(a, "next_hop", "-"), str(p, "why"));
  }
  for (const auto& f : result.value("filtered_on_import", nlohmann::json::array()))
    out += fmt::format("  x {:<10} rejected on import: {}\n", str(f, "peer"), str(f, "why"));
  if (result.contains("summary")) out += "  " + str(result, "summary") + "\n";
  if (result.contains("health")) out += "  health: " + str(result, "health") + "\n";
  if (result.contains("export")) {
    const auto& e = result["export"];
    out += fmt::format("  export to {}: {} ({})\n", str(e, "peer"),
                       e.value("exported", false) ? "sent" : "NOT sent", str(e, "why"));
    if (e.contains("route_control")) out += "    changed by: " + str(e, "route_control") + "\n";
    if (e.contains("attributes")) {
      const auto& a = e["attributes"];
      out += fmt::format(
          "    as sent: path [{}] next hop {}{}\n", str(a, "as_path"), str(a, "next_hop", "-"),
          a.contains("communities") ? " community " + join(a["communities"], "(", ")") : "");
    }
  }
  return out;
}

std::string render_status(const nlohmann::json& r) {
  std::string out = fmt::format(
      "nvabgpd {}\nRouter ID is {}, AS {}\nStarted {}, last reload {}\n{} prefixes, {} peers, "
      "initial convergence {}, kernel FIB {}\n",
      str(r, "version"), str(r, "router_id"), num(r, "asn"), str(r, "started"),
      str(r, "last_reload"), num(r, "prefixes"), num(r, "peers"),
      r.value("converged", false) ? "done" : "pending", r.value("kernel", false) ? "on" : "off");
  if (!r.contains("convergence")) return out;
  const auto& c = r["convergence"];
  if (c.value("restarting", false))
    out += fmt::format(
        "Restarting: {} route(s) adopted from the kernel{}\n", num(c, "adopted_routes"),
        c.value("exports_deferred", false) ? ", our routes deferred until convergence" : "");
  if (c.contains("converged_after_ms"))
    out += fmt::format("Initial convergence after {:.1f} s\n",
                       c["converged_after_ms"].get<double>() / 1000.0);
  for (const auto& w : c.value("waiting", nlohmann::json::array())) {
    const bool eor = str(w, "for") == "end-of-rib";
    out += fmt::format("  waiting for {} {}{}, {:.1f} s left\n", str(w, "peer"),
                       eor ? "End-of-RIB" : "to be established",
                       eor ? " (" + join(w["families"], "", "") + ")" : "",
                       w.value("seconds_left", 0.0));
  }
  return out;
}

std::string render_memory(const nlohmann::json& r) {
  std::string out;
  for (auto it = r.begin(); it != r.end(); ++it)
    out += fmt::format("{:<18} {}\n", it.key(), it.value().dump());
  return out;
}

std::string render_reload(const nlohmann::json& r) {
  std::string out;
  for (const auto& e : r.value("errors", nlohmann::json::array()))
    out += "error: " + e.get<std::string>() + "\n";
  for (const auto& w : r.value("warnings", nlohmann::json::array()))
    out += "warning: " + w.get<std::string>() + "\n";
  if (r.contains("plan")) out += str(r, "plan");
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += r.value("applied", false)
             ? "reload applied\n"
             : (r.contains("errors") ? "reload rejected; running configuration kept\n"
                                     : "nothing applied (--check)\n");
  return out;
}

namespace {

void generic(std::string& out, const nlohmann::json& j, std::size_t indent) {
  const std::string pad(indent, ' ');
  auto scalar = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  auto leaf = [](const nlohmann::json& v) { return !v.is_structured() || v.empty(); };
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (leaf(it.value())) {
        out += pad + it.key() + ": " + scalar(it.value()) + "\n";
      } else {
        out += pad + it.key() + ":\n";
        generic(out, it.value(), indent + 2);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (leaf(v)) {
        out += pad + "- " + scalar(v) + "\n";
      } else {
        out += pad + "-\n";
        generic(out, v, indent + 2);
      }
    }
  } else {
    out += pad + scalar(j) + "\n";
  }
}

}  // namespace

std::string render_generic(const nlohmann::json& result) {
  std::string out;
  generic(out, result, 0);
  return out;
}

}  // namespace nvabgpd::ctl
