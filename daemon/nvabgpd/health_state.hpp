#pragma once
// One health check's state: the rise/fall counting of probe results, and the recent history.
// Pure (time is an input); owned by the BGP thread (HealthMonitor posts results to it).
//
//   Init --first result--> Up or Down (the first probe decides, so a tracked announcement
//                                      waits one probe at start, not rise x interval)
//   Up   --fall consecutive failures--> Down
//   Down --rise consecutive successes--> Up
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "nvabgpd/base/clock.hpp"

namespace nvabgpd::daemon {

enum class HealthStatus : std::uint8_t { Init, Up, Down };
std::string_view to_string(HealthStatus s);

struct HealthTransition {
  base::SteadyTime at;
  std::chrono::system_clock::time_point wall;  // for display only
  HealthStatus from = HealthStatus::Init;
  HealthStatus to = HealthStatus::Init;
  std::string detail;  // the result that tipped it ("exit status 1", "connection refused")
};

class HealthState {
 public:
  static constexpr std::size_t kHistory = 16;  // transitions kept

  HealthState(std::uint32_t rise, std::uint32_t fall) : rise_(rise), fall_(fall) {}

  // One probe result. True when the status changed (a transition was appended).
  bool record(bool ok, std::string detail, base::SteadyTime now,
              std::chrono::system_clock::time_point wall = std::chrono::system_clock::now());
  // New thresholds (reload); the status and counts stay.
  void set_thresholds(std::uint32_t rise, std::uint32_t fall);

  HealthStatus status() const { return status_; }
  bool up() const { return status_ == HealthStatus::Up; }
  std::uint32_t consecutive_ok() const { return ok_run_; }
  std::uint32_t consecutive_failed() const { return fail_run_; }
  std::uint64_t probes() const { return probes_; }
  std::uint64_t failures() const { return failures_; }
  std::uint64_t transitions() const { return transitions_; }
  bool last_ok() const { return last_ok_; }
  const std::string& last_detail() const { return last_detail_; }
  std::optional<base::SteadyTime> last_probe() const { return last_probe_; }
  std::optional<base::SteadyTime> since() const { return since_; }
  const std::deque<HealthTransition>& history() const { return history_; }

 private:
  std::uint32_t rise_;
  std::uint32_t fall_;
  HealthStatus status_ = HealthStatus::Init;
  std::uint32_t ok_run_ = 0;
  std::uint32_t fail_run_ = 0;
  std::uint64_t probes_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t transitions_ = 0;
  bool last_ok_ = false;
  std::string last_detail_;
  std::optional<base::SteadyTime> last_probe_;
  std::optional<base::SteadyTime> since_;
  std::deque<HealthTransition> history_;
};

}  // namespace nvabgpd::daemon
