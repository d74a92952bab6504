#pragma once
// nvabgpctl's side of the control socket: one JSON request line, one JSON response line; or,
// for a streamed answer (docs/control-protocol.md, "Long answers"), a first line, one line per
// item and an end line.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace nvabgpd::ctl {

struct ControlReply {
  bool transport_ok = false;  // false: could not talk to the daemon (error says why)
  nlohmann::json response;    // {"ok": ..., "result"/"error": ...}; of a stream, its first line
  nlohmann::json end;         // of a stream: its end line ({"end": true, "count": ...})
  std::string error;
};

ControlReply control_request(const std::string& socket_path, const std::string& command,
                             const nlohmann::json& args, int timeout_ms = 30000);

// Asks for a streamed answer ("stream": true is added to args) and gives each item line (one
// compact JSON object) to `on_item` as it arrives, so the answer is never held whole. A daemon
// that answers in one line instead is handled too (the items of result[items_key], dumped).
// `timeout_ms` bounds each wait for data, not the whole answer.
ControlReply control_stream(const std::string& socket_path, const std::string& command,
                            nlohmann::json args, const std::string& items_key,
                            const std::function<void(const std::string& item)>& on_item,
                            int timeout_ms = 30000);

}  // namespace nvabgpd::ctl
