#include "dump_command.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "control_client.hpp"
#include "daemon_call.hpp"

namespace nvabgpd::ctl {

namespace {

constexpr auto kPollEvery = std::chrono::milliseconds(50);
constexpr auto kGiveUpAfter = std::chrono::minutes(10);

int dump_mrt(const Globals& g, const std::string& file) {
  std::error_code ec;
  const std::string path = std::filesystem::absolute(file, ec).lexically_normal().string();
  if (ec) {
    std::fprintf(stderr, "nvabgpctl: %s: %s\n", file.c_str(), ec.message().c_str());
    return kExitUsage;
  }
  auto r = control_request(g.socket, "dump mrt", nlohmann::json{{"file", path}}, g.timeout_ms);
  if (!r.transport_ok) return print_no_daemon(r.error);
  if (!r.response.value("ok", false)) return print_refusal(g, r.response);
  const std::uint64_t id = r.response["result"].value("id", std::uint64_t{0});
  const auto deadline = std::chrono::steady_clock::now() + kGiveUpAfter;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = control_request(g.socket, "dump mrt status", nlohmann::json{{"id", id}}, g.timeout_ms);
    if (!s.transport_ok) return print_no_daemon(s.error);
    if (!s.response.value("ok", false)) return print_refusal(g, s.response);
    const nlohmann::json& st = s.response["result"];
    if (st.value("done", false)) {
      if (g.json)
        std::cout << st.dump(2) << "\n";
      else
        std::cout << path << ": " << st.value("prefixes", 0) << " prefixes, "
                  << st.value("paths", 0) << " paths (MRT TABLE_DUMP_V2)\n";
      return kExitOk;
    }
    std::this_thread::sleep_for(kPollEvery);  // the daemon writes in slices between BGP work
  }
  std::fprintf(stderr, "nvabgpctl: dump mrt: not finished after %lld s\n",
               static_cast<long long>(std::chrono::seconds(kGiveUpAfter).count()));
  return kExitRefused;
}

}  // namespace

int run_dump_mrt(const Invocation& inv) { return dump_mrt(inv.globals, inv.args.at(0)); }

}  // namespace nvabgpd::ctl
