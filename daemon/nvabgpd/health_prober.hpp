#pragma once
// Runs the configured health checks on its own thread and io_context, never on the BGP
// thread: command probes are child processes watched through a pidfd (killed with their
// process group at the timeout), tcp/http probes are asynchronous sockets, interface and route
// probes are one ioctl / one netlink dump. Each result is handed to `report` on the prober's
// thread; the owner posts it to the BGP thread (HealthMonitor).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "nvabgpd/config/model.hpp"

namespace nvabgpd::daemon {

struct ProbeResult {
  // The check as it was configured when probed: a result of a check replaced by a reload
  // (the settings differ) is dropped by the receiver.
  std::shared_ptr<const config::HealthCheck> check;
  bool ok = false;
  std::string detail;  // "exit status 0", "HTTP 503", "connection refused", ...
  std::chrono::milliseconds took{0};
};

class HealthProber {
 public:
  using Report = std::function<void(ProbeResult)>;
  explicit HealthProber(Report report);
  ~HealthProber();  // stops the thread; running command probes are killed
  HealthProber(const HealthProber&) = delete;
  HealthProber& operator=(const HealthProber&) = delete;

  // Replaces every check (any thread). Checks whose settings are unchanged keep their
  // schedule; new or changed ones probe at once.
  void set_checks(std::vector<config::HealthCheck> checks);

 private:
  struct Job;
  void schedule(const std::shared_ptr<Job>& job);
  void stop_job(Job& job);
  void probe(const std::shared_ptr<Job>& job);
  void finish(const std::shared_ptr<Job>& job, bool ok, std::string detail);
  void probe_command(const std::shared_ptr<Job>& job);
  void probe_socket(const std::shared_ptr<Job>& job);
  void read_status(const std::shared_ptr<Job>& job, std::uint64_t seq);

  Report report_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::shared_ptr<Job>> jobs_;  // prober thread only
  std::thread thread_;
};

// Synchronous kernel probes (quick; run on the prober thread). Exposed for tests.
bool interface_up(const std::string& name, std::string* detail);
bool kernel_route_exists(const base::Prefix& prefix, std::uint32_t table, std::string* detail);

}  // namespace nvabgpd::daemon
