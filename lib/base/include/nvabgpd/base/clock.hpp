#pragma once
// Time as an input: the core never reads the wall clock itself, so tests can drive it.
#include <chrono>

namespace nvabgpd::base {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  SteadyTime now() const override { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(SteadyTime t) { now_ = t; }

 private:
  SteadyTime now_{};
};

}  // namespace nvabgpd::base
