// Replay tests (issue 15): recorded sessions (tests/replay/<scenario>/input.replay) through the
// whole daemon on an in-memory transport, FIB and clock; its outputs must equal the golden
// tests/replay/<scenario>/expected.txt. NVABGPD_REPLAY_UPDATE=1 rewrites the goldens instead
// (inspect them with git diff). See tests/replay/README.md.
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "replay_driver.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::string text(fs::file_size(p), '\0');
  std::ifstream(p, std::ios::binary).read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

std::string unified_diff(const fs::path& expected, const fs::path& actual) {
  std::string out;
  const std::string cmd = "diff -u '" + expected.string() + "' '" + actual.string() + "'";
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

void replay(const std::string& scenario) {
  spdlog::set_level(std::getenv("NVABGPD_REPLAY_LOG") ? spdlog::level::debug : spdlog::level::off);
  const fs::path dir = fs::path(NVABGPD_REPLAY_DIR) / scenario;
  const std::string got =
      nvabgpd::replay::run_replay((dir / "nvabgpd.yaml").string(), slurp(dir / "input.replay"));
  const fs::path golden = dir / "expected.txt";
  if (const char* u = std::getenv("NVABGPD_REPLAY_UPDATE"); u && std::string(u) == "1") {
    std::ofstream(golden) << got;
    WARN("rewrote " << golden.string());
    return;
  }
  REQUIRE(fs::exists(golden));
  const std::string want = slurp(golden);
  if (got == want) return;
  const fs::path actual = fs::temp_directory_path() / ("nvabgpd-replay-" + scenario + ".actual");
  std::ofstream(actual) << got;
  FAIL("replay " << scenario << " differs from its golden (- expected, + actual; "
                 << "NVABGPD_REPLAY_UPDATE=1 rewrites it):\n"
                 << unified_diff(golden, actual));
}

}  // namespace

TEST_CASE("replay: ARS pair with 65515 and the NO_ADVERTISE export filter", "[replay]") {
  replay("ars_pair");
}

TEST_CASE("replay: graceful restart helper keeps a peer's routes stale, then sweeps", "[replay]") {
  replay("graceful_restart");
}

TEST_CASE("replay: route reflection between clients and a non-client", "[replay]") {
  replay("route_reflection");
}

TEST_CASE("replay: a reload changes an import filter: ROUTE-REFRESH, routes re-imported",
          "[replay]") {
  replay("import_reload");
}
