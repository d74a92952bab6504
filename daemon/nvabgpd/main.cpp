// nvabgpd: the BGP daemon. Loads and validates the configuration (YAML + filter files), then
// runs every BGP session, the RIB and the kernel FIB on one io_context thread.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon.hpp"
#include "nvabgpd/config/load_with_filters.hpp"
#include "nvabgpd/config/print.hpp"
#include "nvabgpd/version.hpp"
#include "service_manager.hpp"

int main(int argc, char** argv) {
  CLI::App app{"nvabgpd - BGP-4 daemon for network virtual appliances"};
  std::string config_path = "/etc/nvabgpd/nvabgpd.yaml";
  std::string control_socket;
  std::string log_level;
  std::string user;
  bool check = false;
  bool print = false;
  bool foreground = false;
  bool no_kernel = false;
  app.add_option("-c,--config", config_path, "configuration file (YAML)");
  app.set_version_flag("-V,--version", std::string("nvabgpd ") + nvabgpd::kVersion);
  app.add_flag("--check", check, "validate the configuration and filters, print problems, exit");
  app.add_flag("--print", print,
               "with --check: print the canonical configuration (defaults filled in, templates "
               "expanded, passwords hidden)")
      ->needs("--check");
  app.add_flag("-f,--foreground", foreground, "stay in the foreground (the default; for systemd)");
  app.add_option("-s,--control-socket", control_socket, "control socket path (overrides config)");
  app.add_option("-l,--log-level", log_level, "trace, debug, info, warn, error (overrides config)");
  app.add_option("--user", user,
                 "when started as root, switch to this user keeping only the network capabilities "
                 "(without it: run as the invoking user)");
  app.add_flag("--no-kernel", no_kernel, "never program the kernel FIB");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help / --version: 0; a usage error: 2
  }
  (void)foreground;

  auto logger = spdlog::stderr_color_mt("nvabgpd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

  nvabgpd::config::LoadedConfig loaded = nvabgpd::config::load_with_filters(config_path);
  for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
    std::fprintf(stderr, "%s: %zu error(s); not started\n", config_path.c_str(),
                 std::max(loaded.error_count, loaded.errors.size()));
    return 1;
  }
  if (check && print) {
    std::fputs(nvabgpd::config::to_yaml(*loaded.config).c_str(), stdout);
    return 0;
  }
  if (check) {
    std::printf("%s: configuration OK (%zu peer(s), %zu filter file(s))\n", config_path.c_str(),
                loaded.config->peers.size(), loaded.config->filters.size());
    return 0;
  }
  const std::string level = log_level.empty()
                                ? std::string(nvabgpd::config::to_string(loaded.config->log_level))
                                : log_level;
  spdlog::set_level(spdlog::level::from_str(level));

  boost::asio::io_context io(1);
  nvabgpd::daemon::DaemonOptions opts;
  opts.config_path = config_path;
  if (!control_socket.empty()) opts.control_socket = control_socket;
  opts.no_kernel = no_kernel;
  // The real wiring: BGP over TCP sockets, the kernel FIB as the config says, the steady clock.
  nvabgpd::daemon::DaemonWiring wiring;
  wiring.transport = nvabgpd::daemon::socket_transport;
  nvabgpd::daemon::Daemon daemon(io, opts, std::move(*loaded.config), loaded.program,
                                 std::move(wiring));
  // Before any thread starts (capabilities are per thread): keep only CAP_NET_ADMIN,
  // CAP_NET_BIND_SERVICE and CAP_NET_RAW, which is all the daemon needs from here on.
  if (auto err = nvabgpd::daemon::drop_privileges(user)) {
    spdlog::critical("{}", *err);
    return 1;
  }
  if (auto err = daemon.start()) {
    spdlog::critical("{}", *err);
    return 1;
  }
  io.run();
  spdlog::info("nvabgpd stopped");
  return 0;
}
