// The BFD session state machine (RFC 5880 6.2, 6.5, 6.8) driven by hand with a manual clock.
#include <catch2/catch.hpp>

#include "nvabgpd/bfd/session.hpp"

using namespace nvabgpd;
using namespace nvabgpd::bfd;
using namespace std::chrono_literals;

namespace {

SessionConfig fast() { return SessionConfig{Micros{100'000}, Micros{100'000}, 3}; }

// Two sessions connected back to back; packets are delivered only when the test says so.
struct Pair {
  base::ManualClock clock;
  Session a{0x1111, fast(), clock.now()};
  Session b{0x2222, fast(), clock.now()};

  base::SteadyTime now() const { return clock.now(); }
  Actions a_to_b() { return b.on_packet(a.make_packet(now(), 0.0), now()); }
  Actions b_to_a() { return a.on_packet(b.make_packet(now(), 0.0), now()); }

  // The three-way handshake: Down/Down -> Init -> Up on both.
  void bring_up() {
    a_to_b();  // b: Down -> Init
    b_to_a();  // a: Down -> Up (b said Init)
    a_to_b();  // b: Init -> Up
    REQUIRE(a.state() == State::Up);
    REQUIRE(b.state() == State::Up);
  }
  // Runs the Poll Sequences started by coming Up until neither side polls.
  void settle() {
    for (int i = 0; i < 4 && (a.poll_active() || b.poll_active()); ++i) {
      a_to_b();
      b_to_a();
      a_to_b();
      b_to_a();
    }
  }
};

}  // namespace

TEST_CASE("bfd session: Down -> Init -> Up handshake", "[bfd][session]") {
  Pair s;
  CHECK(s.a.state() == State::Down);
  const Actions b1 = s.a_to_b();
  REQUIRE(b1.change);
  CHECK(b1.change->from == State::Down);
  CHECK(b1.change->to == State::Init);
  CHECK(b1.send_now);  // a state change goes out at once
  CHECK(s.b.remote_discr() == 0x1111);

  const Actions a1 = s.b_to_a();
  REQUIRE(a1.change);
  CHECK(a1.change->to == State::Up);  // Down + remote Init -> Up
  CHECK(s.a.remote_discr() == 0x2222);

  const Actions b2 = s.a_to_b();
  REQUIRE(b2.change);
  CHECK(b2.change->from == State::Init);
  CHECK(b2.change->to == State::Up);
  CHECK(s.a.local_diag() == Diag::None);
}

TEST_CASE("bfd session: slow (1 s) packets until Up, then a Poll Sequence to the configured rate",
          "[bfd][session]") {
  Pair s;
  Packet first = s.a.make_packet(s.now(), 0.0);
  CHECK(first.desired_min_tx_us == 1'000'000);  // 6.8.3: at least 1 s while not Up
  CHECK(first.required_min_rx_us == 100'000);
  CHECK_FALSE(first.poll);

  s.bring_up();
  // Coming Up changed DesiredMinTx: a Poll Sequence runs (6.8.3).
  CHECK(s.a.poll_active());
  const Packet poll = s.a.make_packet(s.now(), 0.0);
  CHECK(poll.poll);
  CHECK_FALSE(poll.final);
  CHECK(poll.desired_min_tx_us == 100'000);

  const Actions at_b = s.b.on_packet(poll, s.now());
  CHECK(at_b.send_now);  // the Final goes out as soon as possible
  const Packet reply = s.b.make_packet(s.now(), 0.0);
  CHECK(reply.final);
  CHECK_FALSE(reply.poll);  // never P and F together; b's own Poll waits for the next packet
  s.a.on_packet(reply, s.now());
  CHECK_FALSE(s.a.poll_active());

  s.settle();
  CHECK_FALSE(s.b.poll_active());
  CHECK(s.a.tx_interval() == 100ms);
  CHECK(s.a.detection_time() == 300ms);
  CHECK(s.b.detection_time() == 300ms);
}

TEST_CASE("bfd session: detection timeout with an injected clock", "[bfd][session]") {
  Pair s;
  s.bring_up();
  s.settle();
  REQUIRE(s.a.detection_time() == 300ms);
  // Packets keep it Up.
  for (int i = 0; i < 10; ++i) {
    s.clock.advance(250ms);
    s.b_to_a();
    CHECK(s.a.on_timer(s.now()).change == std::nullopt);
  }
  CHECK(s.a.state() == State::Up);
  // Silence: still Up just before 300 ms, Down at 300 ms.
  s.clock.advance(299ms);
  CHECK_FALSE(s.a.on_timer(s.now()).change);
  CHECK(s.a.next_deadline() <= s.now() + 1ms);
  s.clock.advance(1ms);
  const Actions a = s.a.on_timer(s.now());
  REQUIRE(a.change);
  CHECK(a.change->from == State::Up);
  CHECK(a.change->to == State::Down);
  CHECK(a.change->diag == Diag::ControlDetectionExpired);
  CHECK(s.a.local_diag() == Diag::ControlDetectionExpired);
  CHECK(s.a.remote_discr() == 0);  // 6.8.1: forgotten on expiry
  // Back to the slow rate, and the next packet says why.
  const Packet p = s.a.make_packet(s.now(), 0.0);
  CHECK(p.state == State::Down);
  CHECK(p.diag == Diag::ControlDetectionExpired);
  CHECK(p.desired_min_tx_us == 1'000'000);
  CHECK(p.your_discr == 0);
}

TEST_CASE("bfd session: Init times out too; Down has no detection timer", "[bfd][session]") {
  Pair s;
  s.a_to_b();  // b Init
  REQUIRE(s.b.state() == State::Init);
  // a advertised 1 s while Down, multiplier 3.
  CHECK(s.b.detection_time() == 3s);
  s.clock.advance(3s);
  const Actions b = s.b.on_timer(s.now());
  REQUIRE(b.change);
  CHECK(b.change->to == State::Down);
  // a is Down and never heard from b: nothing expires, however long.
  s.clock.advance(1h);
  CHECK_FALSE(s.a.on_timer(s.now()).change);
}

TEST_CASE("bfd session: periodic transmission and jitter (6.8.7)", "[bfd][session]") {
  Pair s;
  s.bring_up();
  s.settle();
  const base::SteadyTime t0 = s.now();
  (void)s.a.make_packet(t0, 0.0);
  CHECK(s.a.next_deadline() == t0 + 100ms);  // no jitter
  (void)s.a.make_packet(t0, 0.999999);
  CHECK(s.a.next_deadline() > t0 + 75ms - 1us);
  CHECK(s.a.next_deadline() < t0 + 76ms);
  s.clock.set(t0 + 76ms);
  CHECK(s.a.on_timer(s.now()).send_now);

  // Detect Mult 1: 10-25 % off, never a full interval.
  base::ManualClock c;
  Session one{7, SessionConfig{Micros{100'000}, Micros{100'000}, 1}, c.now()};
  (void)one.make_packet(c.now(), 0.0);
  CHECK(one.next_deadline() == c.now() + 1s - 100ms);  // slow rate, 10 % off
}

TEST_CASE("bfd session: a peer asking for no packets gets none (RequiredMinRx 0)",
          "[bfd][session]") {
  Pair s;
  Packet p = s.b.make_packet(s.now(), 0.0);
  p.required_min_rx_us = 0;
  s.a.on_packet(p, s.now());
  CHECK(s.a.tx_interval() == 0us);
  s.clock.advance(2s);  // before the Init detection time (3 x 1 s) forgets the peer
  CHECK_FALSE(s.a.on_timer(s.now()).send_now);
}

TEST_CASE("bfd session: interval change while Up uses Poll/Final and 6.8.3's lag",
          "[bfd][session]") {
  Pair s;
  s.bring_up();
  s.settle();
  REQUIRE(s.a.tx_interval() == 100ms);

  SECTION("slower transmit: the old interval stays until the Final") {
    s.a.set_config(SessionConfig{Micros{500'000}, Micros{100'000}, 3}, s.now());
    CHECK(s.a.poll_active());
    CHECK(s.a.tx_interval() == 100ms);
    const Packet p = s.a.make_packet(s.now(), 0.0);
    CHECK(p.poll);
    CHECK(p.desired_min_tx_us == 500'000);
    s.b.on_packet(p, s.now());
    s.a.on_packet(s.b.make_packet(s.now(), 0.0), s.now());  // Final
    CHECK_FALSE(s.a.poll_active());
    CHECK(s.a.tx_interval() == 500ms);
    // b's detection time follows a's new DesiredMinTx at once (it is what a promised).
    CHECK(s.b.detection_time() == 1500ms);
  }
  SECTION("faster receive: the old detection time stays until the Final") {
    s.b.set_config(SessionConfig{Micros{100'000}, Micros{200'000}, 3}, s.now());
    s.settle();
    REQUIRE(s.a.tx_interval() == 200ms);
    REQUIRE(s.b.detection_time() == 600ms);
    s.b.set_config(SessionConfig{Micros{100'000}, Micros{50'000}, 3}, s.now());
    CHECK(s.b.detection_time() == 600ms);  // lag: a may still send every 200 ms
    s.b_to_a();                            // Poll
    s.a_to_b();                            // Final
    CHECK_FALSE(s.b.poll_active());
    CHECK(s.b.detection_time() == 300ms);  // max(50 ms, a's 100 ms) x 3
  }
  SECTION("no Final, no change; the Poll repeats in every packet") {
    s.a.set_config(SessionConfig{Micros{500'000}, Micros{100'000}, 3}, s.now());
    for (int i = 0; i < 3; ++i) CHECK(s.a.make_packet(s.now(), 0.0).poll);
    CHECK(s.a.tx_interval() == 100ms);
  }
}

TEST_CASE("bfd session: remote AdminDown and remote Down", "[bfd][session]") {
  Pair s;
  s.bring_up();
  s.settle();
  SECTION("remote AdminDown takes us Down with Diag 3") {
    const Actions b = s.b.set_admin_down(true, s.now());
    CHECK(b.send_now);
    const Packet p = s.b.make_packet(s.now(), 0.0);
    CHECK(p.state == State::AdminDown);
    CHECK(p.diag == Diag::AdminDown);
    const Actions a = s.a.on_packet(p, s.now());
    REQUIRE(a.change);
    CHECK(a.change->from == State::Up);
    CHECK(a.change->to == State::Down);
    CHECK(a.change->diag == Diag::NeighborSignaledDown);
    CHECK(s.a.remote_state() == State::AdminDown);
    // Stays Down (no Init) while the remote is AdminDown, and nothing is detected.
    s.a.on_packet(s.b.make_packet(s.now(), 0.0), s.now());
    CHECK(s.a.state() == State::Down);
    s.clock.advance(1h);
    CHECK_FALSE(s.a.on_timer(s.now()).change);
    // The remote comes back: handshake again.
    s.b.set_admin_down(false, s.now());
    s.b_to_a();
    CHECK(s.a.state() == State::Init);
    s.a_to_b();
    s.b_to_a();
    CHECK(s.a.state() == State::Up);
    CHECK(s.b.state() == State::Up);
  }
  SECTION("remote Down (it restarted) while we are Up") {
    Session fresh{0x3333, fast(), s.now()};
    const Actions a = s.a.on_packet(fresh.make_packet(s.now(), 0.0), s.now());
    REQUIRE(a.change);
    CHECK(a.change->to == State::Down);
    CHECK(a.change->diag == Diag::NeighborSignaledDown);
  }
  SECTION("a locally AdminDown session ignores packets") {
    s.a.set_admin_down(true, s.now());
    CHECK_FALSE(s.b_to_a().change);
    CHECK(s.a.state() == State::AdminDown);
  }
}
