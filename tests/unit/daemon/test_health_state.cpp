// The health check state machine (rise/fall) with a manual clock (issue 14).
#include <catch2/catch.hpp>

#include "health_state.hpp"
#include "nvabgpd/base/clock.hpp"

using namespace nvabgpd;
using namespace nvabgpd::daemon;
using namespace std::chrono_literals;

TEST_CASE("the first probe decides, then fall failures in a row take it down") {
  base::ManualClock clock;
  HealthState s(2, 3);
  CHECK(s.status() == HealthStatus::Init);
  CHECK_FALSE(s.up());
  CHECK(s.record(true, "exit status 0", clock.now()));
  CHECK(s.status() == HealthStatus::Up);
  // Two failures are not enough with fall 3; a success in between resets the count.
  clock.advance(1s);
  CHECK_FALSE(s.record(false, "exit status 1", clock.now()));
  clock.advance(1s);
  CHECK_FALSE(s.record(false, "exit status 1", clock.now()));
  clock.advance(1s);
  CHECK_FALSE(s.record(true, "exit status 0", clock.now()));
  CHECK(s.up());
  for (int i = 0; i < 2; ++i) {
    clock.advance(1s);
    CHECK_FALSE(s.record(false, "exit status 1", clock.now()));
  }
  clock.advance(1s);
  const auto down_at = clock.now();
  CHECK(s.record(false, "exit status 2", clock.now()));
  CHECK(s.status() == HealthStatus::Down);
  CHECK(s.since() == down_at);
  CHECK(s.consecutive_failed() == 3);
  CHECK(s.probes() == 7);
  CHECK(s.failures() == 5);
  REQUIRE(s.history().size() == 2);
  CHECK(s.history().back().from == HealthStatus::Up);
  CHECK(s.history().back().to == HealthStatus::Down);
  CHECK(s.history().back().detail == "exit status 2");
  CHECK(s.history().back().at == down_at);
}

TEST_CASE("rise successes in a row bring it back; a failure restarts the count") {
  base::ManualClock clock;
  HealthState s(2, 1);
  CHECK(s.record(false, "refused", clock.now()));
  CHECK(s.status() == HealthStatus::Down);
  clock.advance(500ms);
  CHECK_FALSE(s.record(true, "ok", clock.now()));
  clock.advance(500ms);
  CHECK_FALSE(s.record(false, "refused", clock.now()));
  clock.advance(500ms);
  CHECK_FALSE(s.record(true, "ok", clock.now()));
  CHECK(s.status() == HealthStatus::Down);
  clock.advance(500ms);
  CHECK(s.record(true, "ok", clock.now()));
  CHECK(s.up());
  CHECK(s.since() == clock.now());
  // fall 1: one failure is enough.
  clock.advance(500ms);
  CHECK(s.record(false, "refused", clock.now()));
  CHECK(s.transitions() == 3);
}

TEST_CASE("the history keeps the last transitions only") {
  base::ManualClock clock;
  HealthState s(1, 1);
  for (int i = 0; i < 40; ++i) {
    clock.advance(1s);
    CHECK(s.record(i % 2 == 0, "x", clock.now()));
  }
  CHECK(s.history().size() == HealthState::kHistory);
  CHECK(s.transitions() == 40);
  CHECK(s.history().back().at == clock.now());
}
