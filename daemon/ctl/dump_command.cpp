#include "dump_command.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "control_client.hpp"

namespace nvabgpd::ctl {

namespace {

constexpr auto kPollEvery = std::chrono::milliseconds(50);
constexpr auto kGiveUpAfter = std::chrono::minutes(10);

int refused(const nlohmann::json& response, bool json_out) {
  if (json_out)
    std::cout << response.dump(2) << "\n";
  else
    std::fprintf(stderr, "nvabgpctl: %s\n", response.value("error", std::string("error")).c_str());
  return 1;
}

int dump_mrt(const std::string& socket, bool json_out, const std::string& file) {
  std::error_code ec;
  const std::string path = std::filesystem::absolute(file, ec).lexically_normal().string();
  if (ec) {
    std::fprintf(stderr, "nvabgpctl: %s: %s\n", file.c_str(), ec.message().c_str());
    return 2;
  }
  auto r = control_request(socket, "dump mrt", nlohmann::json{{"file", path}});
  if (!r.transport_ok) {
    std::fprintf(stderr, "nvabgpctl: %s\n", r.error.c_str());
    return 2;
  }
  if (!r.response.value("ok", false)) return refused(r.response, json_out);
  const std::uint64_t id = r.response["result"].value("id", std::uint64_t{0});
  const auto deadline = std::chrono::steady_clock::now() + kGiveUpAfter;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = control_request(socket, "dump mrt status", nlohmann::json{{"id", id}});
    if (!s.transport_ok) {
      std::fprintf(stderr, "nvabgpctl: %s\n", s.error.c_str());
      return 2;
    }
    if (!s.response.value("ok", false)) return refused(s.response, json_out);
    const nlohmann::json& st = s.response["result"];
    if (st.value("done", false)) {
      if (json_out)
        std::cout << st.dump(2) << "\n";
      else
        std::cout << path << ": " << st.value("prefixes", 0) << " prefixes, "
                  << st.value("paths", 0) << " paths (MRT TABLE_DUMP_V2)\n";
      return 0;
    }
    std::this_thread::sleep_for(kPollEvery);  // the daemon writes in slices between BGP work
  }
  std::fprintf(stderr, "nvabgpctl: dump mrt: not finished after %lld s\n",
               static_cast<long long>(std::chrono::seconds(kGiveUpAfter).count()));
  return 1;
}

}  // namespace

void add_dump_commands(CLI::App& app, const std::string* socket, const bool* json_out,
                       int* exit_code) {
  auto* dump = app.add_subcommand("dump", "write a dump of the daemon's tables");
  dump->require_subcommand(1);
  auto* mrt =
      dump->add_subcommand("mrt", "MRT TABLE_DUMP_V2 snapshot of the RIB into FILE (new file)");
  auto file = std::make_shared<std::string>();
  mrt->add_option("file", *file, "file to create")->required();
  mrt->callback(
      [socket, json_out, exit_code, file] { *exit_code = dump_mrt(*socket, *json_out, *file); });
}

}  // namespace nvabgpd::ctl
