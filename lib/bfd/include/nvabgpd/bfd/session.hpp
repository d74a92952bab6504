#pragma once
// One BFD session (RFC 5880 asynchronous mode, no Echo, no Demand, no authentication): the
// state machine of 6.2/6.8.6, the timer rules of 6.8.2-6.8.4 and 6.8.7, and Poll/Final of
// 6.5. Pure: it owns no socket and no timer. Time and jitter are inputs; the transport calls
// on_packet() for each valid received packet, on_timer() at next_deadline(), and sends
// make_packet() whenever an Actions says send_now.
// Thread: whoever owns it (the BFD transport's io_context thread in the daemon).
#include <chrono>
#include <cstdint>
#include <optional>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/bfd/packet.hpp"

namespace nvabgpd::bfd {

using Micros = std::chrono::microseconds;

// While a session is not Up, DesiredMinTxInterval is at least one second (RFC 5880 6.8.3).
inline constexpr Micros kSlowTx{1'000'000};

struct SessionConfig {
  Micros desired_min_tx{300'000};
  Micros required_min_rx{300'000};
  std::uint8_t detect_mult = 3;
  bool operator==(const SessionConfig&) const = default;
};

struct StateChange {
  State from = State::Down;
  State to = State::Down;
  Diag diag = Diag::None;  // local diagnostic after the change
};

struct Actions {
  std::optional<StateChange> change;
  bool send_now = false;  // send make_packet() at once (state change, Final, periodic due)
};

class Session {
 public:
  Session(std::uint32_t local_discr, SessionConfig cfg, base::SteadyTime now);

  // A packet that passed decode() and was matched to this session (RFC 5880 6.8.6).
  Actions on_packet(const Packet& p, base::SteadyTime now);
  // Detection timeout (6.8.4) and the periodic transmission (6.8.7); call at next_deadline().
  Actions on_timer(base::SteadyTime now);
  // The packet to send now; schedules the next periodic one. jitter01 in [0, 1) picks the
  // RFC 5880 6.8.7 reduction (0-25 %, 10-25 % with Detect Mult 1).
  Packet make_packet(base::SteadyTime now, double jitter01);
  base::SteadyTime next_deadline() const;

  // New intervals: a Poll Sequence starts; 6.8.3's rules keep the old transmit interval (on
  // an increase) and detection time (on a decrease) until the Final arrives.
  void set_config(SessionConfig cfg, base::SteadyTime now);
  // Local AdminDown (6.8.16): state AdminDown, Diag 7; false returns to Down.
  Actions set_admin_down(bool down, base::SteadyTime now);

  State state() const { return state_; }
  State remote_state() const { return remote_state_; }
  Diag local_diag() const { return diag_; }
  Diag remote_diag() const { return remote_diag_; }
  std::uint32_t local_discr() const { return local_discr_; }
  std::uint32_t remote_discr() const { return remote_discr_; }
  const SessionConfig& config() const { return cfg_; }
  bool poll_active() const { return poll_active_; }
  // The interval between our periodic packets (before jitter), 6.8.7; zero: none.
  Micros tx_interval() const;
  // How long without a packet before the session goes Down (6.8.4); zero until one arrives.
  Micros detection_time() const;
  // What the neighbour last advertised; zero before it is heard (or after it is forgotten).
  Micros remote_min_rx() const { return received_ ? remote_min_rx_ : Micros{0}; }
  Micros remote_min_tx() const { return remote_desired_tx_; }
  std::uint8_t remote_detect_mult() const { return remote_mult_; }

 private:
  void change_state(State to, Diag diag, Actions& a);
  void advertise_for_state(base::SteadyTime now);
  void start_poll();
  void rearm_detection(base::SteadyTime now);

  SessionConfig cfg_;
  std::uint32_t local_discr_;
  std::uint32_t remote_discr_ = 0;
  State state_ = State::Down;
  State remote_state_ = State::Down;
  Diag diag_ = Diag::None;
  Diag remote_diag_ = Diag::None;
  // Advertised bfd.DesiredMinTxInterval / bfd.RequiredMinRxInterval.
  Micros desired_tx_{kSlowTx};
  Micros required_rx_;
  // The values in force for our transmit rate and detection time (lag during a poll).
  Micros tx_in_force_{kSlowTx};
  Micros rx_in_force_;
  Micros remote_min_rx_{1};  // bfd.RemoteMinRxInterval: 1 us until the peer says otherwise
  Micros remote_desired_tx_{0};
  std::uint8_t remote_mult_ = 0;
  bool poll_active_ = false;
  bool final_pending_ = false;
  bool received_ = false;  // a packet since the last detection expiry
  base::SteadyTime next_tx_;
  base::SteadyTime detect_at_;
};

}  // namespace nvabgpd::bfd
