#pragma once
// The health checks as the BGP thread sees them: one HealthState per configured check, fed by
// the HealthProber's results (posted to the BGP io_context), and `changed` called when a
// check goes up or down so the tracked announcements follow. Owned by the BGP thread.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "health_prober.hpp"
#include "health_state.hpp"
#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/config/model.hpp"

namespace nvabgpd::daemon {

class HealthMonitor {
 public:
  // `changed(name)`: a check's status changed (called on the BGP thread).
  HealthMonitor(boost::asio::io_context& io, const base::Clock& clock,
                std::function<void(const std::string&)> changed);
  ~HealthMonitor();

  // Starts (or, on reload, replaces) the checks. A check whose settings are unchanged keeps
  // its state and schedule; a new or changed one starts from Init.
  void configure(const std::vector<config::HealthCheck>& checks);

  // Init counts as not up: an announcement tracking a check not yet probed is held back.
  bool up(const std::string& name) const;
  HealthStatus status(const std::string& name) const;
  // The tracked checks that are not up, for explain ("fw (down: exit status 1)").
  std::vector<std::string> failing(const std::vector<std::string>& names) const;
  // `show health`.
  nlohmann::json to_json() const;
  // For the metrics sampler: name -> state.
  struct Entry {
    config::HealthCheck cfg;
    HealthState state;
    std::chrono::milliseconds last_took{0};
  };
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  void on_result(const ProbeResult& r);

  boost::asio::io_context& io_;
  const base::Clock& clock_;
  std::function<void(const std::string&)> changed_;
  std::map<std::string, Entry> entries_;
  // Last: its thread posts into io_ and reads nothing else of this object.
  std::unique_ptr<HealthProber> prober_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace nvabgpd::daemon
