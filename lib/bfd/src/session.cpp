#include "nvabgpd/bfd/session.hpp"

#include <algorithm>

namespace nvabgpd::bfd {

namespace {
constexpr base::SteadyTime kNever = base::SteadyTime::max();
}

Session::Session(std::uint32_t local_discr, SessionConfig cfg, base::SteadyTime now)
    : cfg_(cfg),
      local_discr_(local_discr),
      required_rx_(cfg.required_min_rx),
      rx_in_force_(cfg.required_min_rx),
      next_tx_(now),
      detect_at_(kNever) {
  advertise_for_state(now);
}

Micros Session::tx_interval() const {
  if (remote_min_rx_.count() == 0) return Micros{0};  // 6.8.7: peer wants no packets
  return std::max(tx_in_force_, remote_min_rx_);
}

Micros Session::detection_time() const {
  if (!received_ || remote_mult_ == 0) return Micros{0};
  return remote_mult_ * std::max(rx_in_force_, remote_desired_tx_);
}

base::SteadyTime Session::next_deadline() const {
  const base::SteadyTime tx = tx_interval().count() == 0 ? kNever : next_tx_;
  return std::min(tx, detect_at_);
}

void Session::rearm_detection(base::SteadyTime now) {
  const Micros d = detection_time();
  detect_at_ = (d.count() == 0 || state_ == State::Down || state_ == State::AdminDown)
                   ? kNever
                   : now + std::chrono::duration_cast<base::Duration>(d);
}

void Session::start_poll() { poll_active_ = true; }

// 6.8.3: the advertised DesiredMinTx is at least one second unless Up. A change of either
// advertised value starts a Poll Sequence while Up; the old transmit interval stays in force
// after an increase, and the old detection time after a RequiredMinRx decrease.
void Session::advertise_for_state(base::SteadyTime now) {
  (void)now;
  const Micros want_tx =
      state_ == State::Up ? cfg_.desired_min_tx : std::max(cfg_.desired_min_tx, kSlowTx);
  const Micros want_rx = cfg_.required_min_rx;
  const bool changed = want_tx != desired_tx_ || want_rx != required_rx_;
  if (state_ == State::Up && changed) {
    start_poll();
    if (want_tx < tx_in_force_) tx_in_force_ = want_tx;
    if (want_rx > rx_in_force_) rx_in_force_ = want_rx;
  } else if (!poll_active_) {
    tx_in_force_ = want_tx;
    rx_in_force_ = want_rx;
  }
  desired_tx_ = want_tx;
  required_rx_ = want_rx;
}

void Session::change_state(State to, Diag diag, Actions& a) {
  if (to == state_) return;
  const State from = state_;
  state_ = to;
  diag_ = diag;
  a.change = StateChange{from, to, diag};
  a.send_now = true;
  if (to != State::Up) {
    // Leaving Up (or never there): back to the slow rate at once, no Poll Sequence needed
    // since the peer sees the state change.
    poll_active_ = false;
    desired_tx_ = std::max(cfg_.desired_min_tx, kSlowTx);
    tx_in_force_ = desired_tx_;
    rx_in_force_ = required_rx_;
  }
}

Actions Session::on_packet(const Packet& p, base::SteadyTime now) {
  Actions a;
  remote_discr_ = p.my_discr;
  remote_state_ = p.state;
  remote_diag_ = p.diag;
  remote_min_rx_ = Micros{p.required_min_rx_us};
  remote_desired_tx_ = Micros{p.desired_min_tx_us};
  remote_mult_ = p.detect_mult;
  received_ = true;
  if (p.final && poll_active_) {
    // 6.5: the Poll Sequence is over; the new values apply now.
    poll_active_ = false;
    tx_in_force_ = desired_tx_;
    rx_in_force_ = required_rx_;
  }
  if (p.poll) {
    final_pending_ = true;
    a.send_now = true;
  }
  if (state_ == State::AdminDown) return a;  // 6.8.6: discard
  if (p.state == State::AdminDown) {
    if (state_ != State::Down) change_state(State::Down, Diag::NeighborSignaledDown, a);
  } else if (state_ == State::Down) {
    if (p.state == State::Down)
      change_state(State::Init, Diag::None, a);
    else if (p.state == State::Init)
      change_state(State::Up, Diag::None, a);
  } else if (state_ == State::Init) {
    if (p.state == State::Init || p.state == State::Up) change_state(State::Up, Diag::None, a);
  } else if (p.state == State::Down) {  // Up
    change_state(State::Down, Diag::NeighborSignaledDown, a);
  }
  if (a.change && a.change->to == State::Up) advertise_for_state(now);
  rearm_detection(now);
  return a;
}

Actions Session::on_timer(base::SteadyTime now) {
  Actions a;
  if (now >= detect_at_) {
    // 6.8.4 / 6.8.1: Detection Time passed without a packet.
    detect_at_ = kNever;
    received_ = false;
    remote_discr_ = 0;
    remote_state_ = State::Down;
    remote_min_rx_ = Micros{1};
    if (state_ == State::Init || state_ == State::Up)
      change_state(State::Down, Diag::ControlDetectionExpired, a);
  }
  if (tx_interval().count() != 0 && now >= next_tx_) a.send_now = true;
  return a;
}

Packet Session::make_packet(base::SteadyTime now, double jitter01) {
  Packet p;
  p.diag = diag_;
  p.state = state_;
  p.detect_mult = cfg_.detect_mult;
  p.my_discr = local_discr_;
  p.your_discr = remote_discr_;
  p.desired_min_tx_us = static_cast<std::uint32_t>(desired_tx_.count());
  p.required_min_rx_us = static_cast<std::uint32_t>(required_rx_.count());
  p.required_min_echo_rx_us = 0;  // no Echo function
  if (final_pending_) {
    p.final = true;  // 6.5: never P and F together; the Poll goes in the next packet
    final_pending_ = false;
  } else {
    p.poll = poll_active_;
  }
  // 6.8.7: each interval is reduced by 0-25 % (10-25 % with Detect Mult 1).
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  const double lo = cfg_.detect_mult == 1 ? 0.10 : 0.0;
  const double cut = lo + (0.25 - lo) * jitter01;
  const auto iv = tx_interval();
  const auto next =
      Micros{static_cast<std::int64_t>(static_cast<double>(iv.count()) * (1.0 - cut))};
  next_tx_ = now + std::chrono::duration_cast<base::Duration>(next);
  return p;
}

void Session::set_config(SessionConfig cfg, base::SteadyTime now) {
  cfg_ = cfg;
  advertise_for_state(now);
}

Actions Session::set_admin_down(bool down, base::SteadyTime now) {
  Actions a;
  if (down) {
    change_state(State::AdminDown, Diag::AdminDown, a);
    detect_at_ = kNever;
  } else if (state_ == State::AdminDown) {
    change_state(State::Down, Diag::None, a);
  }
  (void)now;
  return a;
}

}  // namespace nvabgpd::bfd
