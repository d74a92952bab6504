#pragma once
// nvabgpctl's side of the control socket: one JSON request line, one JSON response line.
#include <string>

#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

struct ControlReply {
  bool transport_ok = false;  // false: could not talk to the daemon (error says why)
  nlohmann::json response;    // {"ok": ..., "result"/"error": ...}
  std::string error;
};

ControlReply control_request(const std::string& socket_path, const std::string& command,
                             const nlohmann::json& args, int timeout_ms = 30000);

}  // namespace nvabgpd::ctl
