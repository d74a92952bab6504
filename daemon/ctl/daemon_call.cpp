#include "daemon_call.hpp"

#include <cstdio>
#include <iostream>

#include "control_client.hpp"

namespace nvabgpd::ctl {

int print_refusal(const Globals& g, const nlohmann::json& response) {
  if (g.json) {
    std::cout << response.dump(2) << "\n";
  } else {
    std::fprintf(stderr, "nvabgpctl: %s\n", response.value("error", std::string("error")).c_str());
  }
  return kExitRefused;
}

int print_no_daemon(const std::string& error) {
  std::cout.flush();
  std::fprintf(stderr, "nvabgpctl: %s\n", error.c_str());
  return kExitNoDaemon;
}

int call_daemon(const Globals& g, const std::string& command, const nlohmann::json& args,
                const Render& render) {
  auto r = control_request(g.socket, command, args, g.timeout_ms);
  if (!r.transport_ok) return print_no_daemon(r.error);
  if (!r.response.value("ok", false)) return print_refusal(g, r.response);
  const nlohmann::json& result = r.response["result"];
  if (g.json) {
    std::cout << result.dump(2) << "\n";
  } else {
    std::cout << render(result);
  }
  return kExitOk;
}

}  // namespace nvabgpd::ctl
