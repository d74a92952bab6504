#include <catch2/catch.hpp>

#include "convergence.hpp"

using nvabgpd::daemon::Convergence;
using nvabgpd::daemon::ConvergenceTimers;
using namespace std::chrono_literals;
namespace wire = nvabgpd::wire;

namespace {
const auto t0 = nvabgpd::base::SteadyTime{} + 1000s;
const ConvergenceTimers timers{60s, 30s};
}  // namespace

TEST_CASE("convergence waits for End-of-RIB of every negotiated family, not only Established") {
  Convergence c(timers, t0);
  c.track(0, "rs0", t0);
  c.track(1, "rs1", t0);
  CHECK_FALSE(c.try_converge(t0, true));
  c.up(0, {wire::kIpv4Unicast, wire::kIpv6Unicast}, t0 + 1s);
  c.up(1, {wire::kIpv4Unicast}, t0 + 1s);
  // Every peer Established and the RIB idle: the old rule converged here.
  CHECK_FALSE(c.try_converge(t0 + 1s, true));
  c.end_of_rib(1, wire::kIpv4Unicast);
  c.end_of_rib(0, wire::kIpv4Unicast);
  CHECK_FALSE(c.try_converge(t0 + 2s, true));
  auto w = c.waiting(t0 + 2s);
  REQUIRE(w.size() == 1);
  CHECK(w[0].peer == "rs0");
  CHECK(w[0].established);
  CHECK(w[0].end_of_rib == std::vector<wire::AfiSafi>{wire::kIpv6Unicast});
  CHECK(w[0].left == 29s);
  c.end_of_rib(0, wire::kIpv6Unicast);
  CHECK_FALSE(c.try_converge(t0 + 3s, false));  // the RIB is still deciding
  CHECK(c.try_converge(t0 + 3s, true));
  CHECK(c.converged());
  CHECK(*c.took() == 3s);
  CHECK_FALSE(c.try_converge(t0 + 4s, true));  // latched: converges once
}

TEST_CASE("convergence timers: a peer that never comes up, a peer that never sends End-of-RIB") {
  Convergence c(timers, t0);
  c.track(0, "down", t0);
  c.track(1, "silent", t0);
  c.up(1, {wire::kIpv4Unicast}, t0 + 10s);
  CHECK(c.next_deadline(t0 + 10s) == t0 + 40s);  // silent's End-of-RIB wait ends first
  CHECK_FALSE(c.try_converge(t0 + 40s, true));   // down still has 20 s
  CHECK(c.waiting(t0 + 40s).size() == 1);
  CHECK_FALSE(c.waiting(t0 + 40s)[0].established);
  CHECK(c.next_deadline(t0 + 40s) == t0 + 60s);
  CHECK(c.try_converge(t0 + 60s, true));
}

TEST_CASE("a flapping peer cannot hold convergence beyond peer-up-wait + end-of-rib-wait") {
  Convergence c(timers, t0);
  c.track(0, "flappy", t0);
  for (auto t = 0s; t < 90s; t += 10s) {
    c.up(0, {wire::kIpv4Unicast}, t0 + t);
    CHECK_FALSE(c.try_converge(t0 + t, true));
    c.down(0);
  }
  c.up(0, {wire::kIpv4Unicast}, t0 + 89s);
  CHECK(c.next_deadline(t0 + 89s) == t0 + 90s);
  CHECK(c.try_converge(t0 + 90s, true));
}

TEST_CASE("a peer added later (reload) is waited for from when it was added; untracked ones not") {
  Convergence c(timers, t0);
  c.track(0, "a", t0);
  c.up(0, {wire::kIpv4Unicast}, t0);
  c.end_of_rib(0, wire::kIpv4Unicast);
  c.track(1, "added", t0 + 50s);
  CHECK_FALSE(c.try_converge(t0 + 70s, true));
  c.track(2, "removed", t0 + 50s);
  c.untrack(2);
  CHECK(c.try_converge(t0 + 110s, true));
}

TEST_CASE("a peer whose OPEN had the Restart State bit is waited for like any other") {
  // Our own OPEN carries the bit while we wait, so such a peer does not wait for us (RFC 4724
  // 4.1); FRR sets it for its restart time after starting, and sends End-of-RIB a second later.
  Convergence c(timers, t0);
  c.track(0, "rs-recently-started", t0);
  c.track(1, "nva2", t0);
  c.up(0, {wire::kIpv4Unicast}, t0);
  c.up(1, {wire::kIpv4Unicast}, t0);
  c.end_of_rib(1, wire::kIpv4Unicast);
  CHECK_FALSE(c.try_converge(t0, true));
  c.end_of_rib(0, wire::kIpv4Unicast);
  CHECK(c.try_converge(t0 + 1s, true));
}
