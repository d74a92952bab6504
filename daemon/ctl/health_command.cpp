#include "health_command.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "control_client.hpp"

namespace nvabgpd::ctl {

namespace {

std::string s(const nlohmann::json& j, const char* key, const std::string& dflt = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string list(const nlohmann::json& arr) {
  std::string out;
  for (const auto& x : arr)
    out += (out.empty() ? "" : ", ") + (x.is_string() ? x.get<std::string>() : x.dump());
  return out;
}

}  // namespace

std::string render_health(const nlohmann::json& r) {
  std::string out;
  const auto checks = r.value("checks", nlohmann::json::array());
  if (checks.empty()) out += "No health checks configured.\n";
  for (const auto& c : checks) {
    out += fmt::format("{:<16} {:<9} {:<5} {}\n", s(c, "name"), s(c, "kind"), s(c, "status"),
                       s(c, "target"));
    out += fmt::format(
        "    every {} ms, timeout {} ms, rise {}, fall {}; {} probes, {} failed, {} transitions\n",
        s(c, "interval_ms"), s(c, "timeout_ms"), s(c, "rise"), s(c, "fall"), s(c, "probes"),
        s(c, "failures"), s(c, "transitions"));
    if (c.contains("last_result"))
      out += fmt::format("    last probe {} ms ago: {} ({}, {} ms); {} ok / {} failed in a row\n",
                         s(c, "last_probe_ago_ms"), s(c, "last_result"), s(c, "last_detail"),
                         s(c, "last_took_ms"), s(c, "consecutive_ok"), s(c, "consecutive_failed"));
    for (const auto& h : c.value("history", nlohmann::json::array()))
      out += fmt::format("    {} {} -> {} ({})\n", s(h, "at"), s(h, "from"), s(h, "to"),
                         s(h, "detail"));
  }
  const auto tracked = r.value("tracked", nlohmann::json::array());
  if (!tracked.empty()) out += "Tracked announcements:\n";
  for (const auto& t : tracked) {
    const std::string what =
        t.contains("originate") ? "originate " + s(t, "originate") : "exports to " + s(t, "peer");
    out += fmt::format("  {:<28} {:<9} tracks {} (on failure: {})\n", what, s(t, "state"),
                       list(t.value("checks", nlohmann::json::array())), s(t, "on_failure"));
  }
  const auto drained = r.value("drained", nlohmann::json::array());
  if (!drained.empty()) out += "Drained peers (RFC 8326): " + list(drained) + "\n";
  if (r.value("shutting_down", false)) out += "Shutdown drain in progress.\n";
  return out;
}

std::string render_drain(const nlohmann::json& r) {
  const auto changed = r.value("changed", nlohmann::json::array());
  const auto drained = r.value("drained", nlohmann::json::array());
  std::string out = changed.empty() ? fmt::format("{}: nothing changed\n", s(r, "done"))
                                    : fmt::format("{}: {}\n", s(r, "done"), list(changed));
  out += drained.empty() ? "no peer is drained\n" : "drained now: " + list(drained) + "\n";
  return out;
}

}  // namespace nvabgpd::ctl
