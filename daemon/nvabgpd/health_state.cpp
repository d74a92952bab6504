#include "health_state.hpp"

#include <algorithm>

namespace nvabgpd::daemon {

std::string_view to_string(HealthStatus s) {
  switch (s) {
    case HealthStatus::Init:
      return "init";
    case HealthStatus::Up:
      return "up";
    case HealthStatus::Down:
      return "down";
  }
  return "?";
}

void HealthState::set_thresholds(std::uint32_t rise, std::uint32_t fall) {
  rise_ = std::max<std::uint32_t>(rise, 1);
  fall_ = std::max<std::uint32_t>(fall, 1);
}

bool HealthState::record(bool ok, std::string detail, base::SteadyTime now,
                         std::chrono::system_clock::time_point wall) {
  ++probes_;
  if (!ok) ++failures_;
  last_ok_ = ok;
  last_detail_ = std::move(detail);
  last_probe_ = now;
  if (ok) {
    ++ok_run_;
    fail_run_ = 0;
  } else {
    ++fail_run_;
    ok_run_ = 0;
  }
  HealthStatus next = status_;
  if (status_ == HealthStatus::Init)
    next = ok ? HealthStatus::Up : HealthStatus::Down;
  else if (status_ == HealthStatus::Up && fail_run_ >= fall_)
    next = HealthStatus::Down;
  else if (status_ == HealthStatus::Down && ok_run_ >= rise_)
    next = HealthStatus::Up;
  if (next == status_) return false;
  history_.push_back({now, wall, status_, next, last_detail_});
  if (history_.size() > kHistory) history_.pop_front();
  status_ = next;
  since_ = now;
  ++transitions_;
  return true;
}

}  // namespace nvabgpd::daemon
