#include "bfd_render.hpp"

#include <fmt/format.h>

namespace nvabgpd::ctl {

namespace {
std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}
std::string millis(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return "-";
  return fmt::format("{:.0f}ms", it->get<double>());
}
}  // namespace

std::string render_bfd(const nlohmann::json& r) {
  const auto it = r.find("sessions");
  if (it == r.end() || it->empty()) return "No BFD sessions (no peer has bfd enabled)\n";
  std::string out =
      fmt::format("{:<16} {:<24} {:<9} {:<10} {:>9} {:>9} {:>11}  {}\n", "Peer", "Address", "State",
                  "Since", "Interval", "Timeout", "Remote id", "Diag (local/remote)");
  for (const auto& s : *it) {
    std::string since = text(s, "since");
    if (auto t = since.find('T'); t != std::string::npos) since = since.substr(t + 1, 8);
    std::string addr = text(s, "address");
    if (s.value("multihop", false)) addr += " (mh)";
    out += fmt::format("{:<16} {:<24} {:<9} {:<10} {:>9} {:>9} {:>11}  {}/{}\n", text(s, "peer"),
                       addr, text(s, "state"), since, millis(s, "tx_interval_ms"),
                       millis(s, "detection_time_ms"), text(s, "remote_discriminator"),
                       text(s, "local_diag"), text(s, "remote_diag"));
    if (s.contains("error")) out += fmt::format("  error: {}\n", text(s, "error"));
  }
  return out;
}

}  // namespace nvabgpd::ctl
