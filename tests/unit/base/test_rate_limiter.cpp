#include <catch2/catch.hpp>

#include "nvabgpd/base/rate_limiter.hpp"

using nvabgpd::base::ManualClock;
using nvabgpd::base::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("rate limiter: a burst, then one per refill interval, with the suppressed count") {
  ManualClock clock;
  RateLimiter lim({.burst = 3, .refill = 10s});
  const RateLimiter::Key k{1, 9};
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += lim.admit(k, clock.now()) ? 1 : 0;
  CHECK(admitted == 3);
  // Another key (another peer or kind) has its own bucket.
  CHECK(lim.admit({2, 9}, clock.now()));
  CHECK(lim.admit({1, 8}, clock.now()));
  clock.advance(9s);
  CHECK_FALSE(lim.admit(k, clock.now()));
  clock.advance(1s);
  std::optional<RateLimiter::Suppressed> owed;
  REQUIRE(lim.admit(k, clock.now(), &owed));
  REQUIRE(owed);
  CHECK(owed->count == 998);
  CHECK(owed->since == ManualClock{}.now());  // the first suppressed event, at t = 0
  // Nothing owed any more.
  clock.advance(10s);
  owed.reset();
  CHECK(lim.admit(k, clock.now(), &owed));
  CHECK_FALSE(owed);
}

TEST_CASE("rate limiter: drain reports what a quiet peer still owes") {
  ManualClock clock;
  RateLimiter lim({.burst = 1, .refill = 60s});
  CHECK(lim.admit({1, 1}, clock.now()));
  CHECK_FALSE(lim.admit({1, 1}, clock.now()));
  CHECK_FALSE(lim.admit({1, 1}, clock.now()));
  CHECK(lim.admit({2, 1}, clock.now()));
  CHECK_FALSE(lim.admit({2, 1}, clock.now()));
  const auto owed = lim.drain(1U);
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].key == RateLimiter::Key{1, 1});
  CHECK(owed[0].count == 2);
  CHECK(lim.keys() == 1);  // peer 2's bucket is kept
  CHECK(lim.drain().size() == 1);
  CHECK(lim.keys() == 0);
}
