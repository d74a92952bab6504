// Timers as deadlines driven by a ManualClock: keepalive at hold/3, hold expiry, hold time 0,
// ConnectRetry with jitter, IdleHold exponential backoff, passive restart.
#include <catch2/catch.hpp>

#include "fsm_test_util.hpp"

using namespace nvabgpd;
using namespace nvabgpd::session;
using namespace nvabgpd::session::test;

namespace {

// Feeds every due timer event to the FSM, returning the transitions.
std::vector<Transition> fire(Fsm& f, const base::ManualClock& clock) {
  std::vector<Transition> out;
  for (Event e : f.due(clock.now())) out.push_back(f.handle(e, at(clock)));
  return out;
}

}  // namespace

TEST_CASE("keepalives every hold/3 keep an Established session up") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock, {}, 9s);
  REQUIRE(f.negotiated_hold() == 9s);
  REQUIRE(f.keepalive_interval() == 3s);
  int sent = 0;
  for (int i = 0; i < 10; ++i) {
    clock.advance(1s);
    for (const auto& t : fire(f, clock)) sent += t.has(ActionKind::SendKeepalive) ? 1 : 0;
    // The peer's keepalives arrive every 3 s too.
    if (i % 3 == 2) f.handle(Event::KeepAliveMsg, at(clock));
    REQUIRE(f.state() == State::Established);
  }
  CHECK(sent == 3);  // at 3, 6 and 9 s
}

TEST_CASE("a negotiated keepalive interval other than hold/3 drives the keepalive timer") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::OpenSent, clock, {}, 90s);
  EventInput in = open_with_hold(clock, 90s);
  in.negotiated_keepalive = 10s;
  f.handle(Event::BgpOpen, in);
  f.handle(Event::KeepAliveMsg, at(clock));
  REQUIRE(f.state() == State::Established);
  CHECK(f.keepalive_interval() == 10s);
  int sent = 0;
  for (int i = 0; i < 60; ++i) {
    clock.advance(1s);
    for (const auto& t : fire(f, clock)) sent += t.has(ActionKind::SendKeepalive) ? 1 : 0;
    if (i % 10 == 9) f.handle(Event::KeepAliveMsg, at(clock));
  }
  CHECK(sent == 6);  // at 10, 20 ... 60 s, not every 30 s
}

TEST_CASE("hold timer expiry sends Hold Timer Expired and arms the IdleHold backoff") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock, {}, 9s);
  clock.advance(8s);
  f.handle(Event::KeepAliveMsg, at(clock));  // restarts the hold timer: 17 s
  clock.advance(8s);
  for (const auto& t : fire(f, clock)) CHECK(!t.has(ActionKind::SendNotification));
  REQUIRE(f.state() == State::Established);
  clock.advance(1s);
  const auto ts = fire(f, clock);
  REQUIRE(f.state() == State::Idle);
  const Action* n = nullptr;
  for (const auto& t : ts) n = n ? n : t.find(ActionKind::SendNotification);
  REQUIRE(n != nullptr);
  CHECK(n->code == 4);
  REQUIRE(f.idle_hold_deadline());
  CHECK(*f.idle_hold_deadline() == clock.now() + 5s);
}

TEST_CASE("hold time 0 means no keepalives and no hold timer") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock, {}, 0s);
  CHECK(!f.hold_deadline());
  CHECK(!f.keepalive_deadline());
  clock.advance(std::chrono::hours(10));
  CHECK(f.due(clock.now()).empty());
  f.handle(Event::UpdateMsg, at(clock));
  CHECK(!f.hold_deadline());
  CHECK(f.state() == State::Established);
}

TEST_CASE("OpenSent waits for the OPEN with the large hold timer") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::OpenSent, clock);
  clock.advance(239s);
  CHECK(f.due(clock.now()).empty());
  clock.advance(1s);
  REQUIRE(f.due(clock.now()) == std::vector<Event>{Event::HoldTimerExpires});
  const auto t = f.handle(Event::HoldTimerExpires, at(clock));
  CHECK(t.find(ActionKind::SendNotification)->code == 4);
  CHECK(f.state() == State::Idle);
}

TEST_CASE("ConnectRetry timer uses the jitter input and retries the connection") {
  base::ManualClock clock;
  FsmConfig cfg;
  cfg.connect_retry = 40s;
  Fsm f(cfg);
  f.handle(Event::ManualStart, at(clock, 0.75));
  REQUIRE(f.connect_retry_deadline() == clock.now() + 30s);
  clock.advance(30s);
  const auto ts = fire(f, clock);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].has(ActionKind::InitiateConnection));
  CHECK(f.state() == State::Connect);
  CHECK(f.connect_retry_deadline() == clock.now() + 40s);
}

TEST_CASE("IdleHold backoff doubles per failure up to the cap; a stable session resets it") {
  base::ManualClock clock;
  FsmConfig cfg;
  cfg.idle_hold = 2s;
  cfg.idle_hold_max = 10s;
  cfg.damp_reset_after = 60s;
  Fsm f(cfg);
  f.handle(Event::ManualStart, at(clock));
  std::vector<std::chrono::seconds> delays;
  for (int i = 0; i < 5; ++i) {
    f.handle(Event::TcpConnectionFails, at(clock));  // Connect -> Idle
    REQUIRE(f.state() == State::Idle);
    REQUIRE(f.idle_hold_deadline());
    delays.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(*f.idle_hold_deadline() - clock.now()));
    clock.advance(delays.back());
    const auto ts = fire(f, clock);  // IdleHoldTimer_Expires: automatic start
    REQUIRE(ts.size() == 1);
    REQUIRE(f.state() == State::Connect);
  }
  CHECK(delays == std::vector<std::chrono::seconds>{2s, 4s, 8s, 10s, 10s});
  f.handle(Event::TcpCrAcked, at(clock));
  f.handle(Event::BgpOpen, open_with_hold(clock, 90s));
  f.handle(Event::KeepAliveMsg, at(clock));
  REQUIRE(f.state() == State::Established);
  clock.advance(60s);
  f.handle(Event::KeepAliveMsg, at(clock));
  f.handle(Event::NotifMsg, at(clock));  // after 60 s Established: history forgotten
  CHECK(f.failures() == 1);
  CHECK(*f.idle_hold_deadline() == clock.now() + 2s);
}

TEST_CASE("a peer that resets each session soon after Established is held off longer each time") {
  base::ManualClock clock;
  FsmConfig cfg;
  cfg.idle_hold = 2s;
  cfg.idle_hold_max = 30s;
  cfg.damp_reset_after = 60s;
  Fsm f(cfg);
  f.handle(Event::ManualStart, at(clock));
  std::vector<std::chrono::seconds> delays;
  for (int i = 0; i < 5; ++i) {
    f.handle(Event::TcpCrAcked, at(clock));
    f.handle(Event::BgpOpen, open_with_hold(clock, 90s));
    f.handle(Event::KeepAliveMsg, at(clock));
    REQUIRE(f.state() == State::Established);
    clock.advance(1s);
    // e.g. a malformed UPDATE each time: UPDATE Message Error, back to Idle
    EventInput in = at(clock);
    in.err_code = 3;
    in.err_subcode = 1;
    f.handle(Event::UpdateMsgErr, in);
    REQUIRE(f.state() == State::Idle);
    delays.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(*f.idle_hold_deadline() - clock.now()));
    clock.advance(delays.back());
    fire(f, clock);
    REQUIRE(f.state() == State::Connect);
  }
  CHECK(delays == std::vector<std::chrono::seconds>{2s, 4s, 8s, 16s, 30s});
}

TEST_CASE("SendHoldTimer_Expires (RFC 9687) sends code 8, drops the connection, damps") {
  base::ManualClock clock;
  for (State s : {State::OpenSent, State::OpenConfirm, State::Established}) {
    Fsm f = fsm_in(s, clock);
    const auto t = f.handle(Event::SendHoldTimerExpires, at(clock));
    const Action* n = t.find(ActionKind::SendNotification);
    REQUIRE(n != nullptr);
    CHECK(n->code == 8);
    CHECK(n->subcode == 0);
    CHECK(t.has(ActionKind::DropConnection));
    CHECK(t.has(ActionKind::SessionDown) == (s == State::Established));
    CHECK(f.state() == State::Idle);
    CHECK(f.connect_retry_counter() == 1);
    CHECK(f.idle_hold_deadline());
  }
}

TEST_CASE("AutomaticStop carries the Cease subcode it is given (Out of Resources)") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock);
  EventInput in = at(clock);
  in.cease_subcode = 8;
  const auto t = f.handle(Event::AutomaticStop, in);
  REQUIRE(t.find(ActionKind::SendNotification));
  CHECK(t.find(ActionKind::SendNotification)->code == 6);
  CHECK(t.find(ActionKind::SendNotification)->subcode == 8);
  CHECK(f.state() == State::Idle);
}

TEST_CASE("a passive peer restarts passively; auto_restart off stays Idle") {
  base::ManualClock clock;
  FsmConfig cfg;
  cfg.passive = true;
  Fsm f(cfg);
  f.handle(Event::ManualStartPassive, at(clock));
  f.handle(Event::TcpConnectionConfirmed, at(clock));
  f.handle(Event::NotifMsg, at(clock));  // OpenSent: FSM error
  REQUIRE(f.state() == State::Idle);
  clock.advance(5s);
  const auto ts = fire(f, clock);
  REQUIRE(ts.size() == 1);
  CHECK(f.state() == State::Active);
  CHECK(!ts[0].has(ActionKind::InitiateConnection));

  FsmConfig manual;
  manual.auto_restart = false;
  Fsm g(manual);
  g.handle(Event::ManualStart, at(clock));
  g.handle(Event::TcpConnectionFails, at(clock));
  CHECK(g.state() == State::Idle);
  CHECK(!g.idle_hold_deadline());
  CHECK(!g.next_deadline());
}

TEST_CASE("ManualStop from Established is an administrative Cease without backoff") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock);
  const auto t = f.handle(Event::ManualStop, at(clock));
  CHECK(t.find(ActionKind::SendNotification)->subcode == 2);
  CHECK(t.has(ActionKind::SessionDown));
  CHECK(!f.idle_hold_deadline());
  CHECK(!f.next_deadline());
}

TEST_CASE("due() orders simultaneous timers by deadline") {
  base::ManualClock clock;
  Fsm f = fsm_in(State::Established, clock, {}, 9s);
  clock.advance(20s);
  CHECK(f.due(clock.now()) ==
        std::vector<Event>{Event::KeepaliveTimerExpires, Event::HoldTimerExpires});
  CHECK(*f.next_deadline() == *f.keepalive_deadline());
}
