#pragma once
// The RFC 4271 section 8 finite state machine for one BGP connection, as a pure value.
//
// It owns no socket and no timer: the caller feeds it events (section 8.1 numbering) with the
// current time and a jitter factor, and performs the returned actions. Timers are deadlines
// held as data; `due(now)` reports which timer events have fired, so a test drives the whole
// machine with a ManualClock and a real transport arms one steady_timer at `next_deadline()`.
//
// Optional attributes (RFC 4271 8.1.1): DelayOpen, SendNOTIFICATIONwithoutOPEN and
// CollisionDetectEstablishedState are FALSE; DampPeerOscillations is TRUE and takes the form
// of an IdleHold timer with exponential backoff (IdleHoldTimer_Expires restarts the session
// when automatic start is enabled). Thread: owned by the io_context thread of its peer.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "nvabgpd/base/clock.hpp"

namespace nvabgpd::session {

enum class State : std::uint8_t { Idle, Connect, Active, OpenSent, OpenConfirm, Established };

// RFC 4271 section 8.1, with the RFC's event numbers.
enum class Event : std::uint8_t {
  ManualStart = 1,
  ManualStop = 2,
  AutomaticStart = 3,
  ManualStartPassive = 4,
  AutomaticStartPassive = 5,
  AutomaticStop = 8,
  ConnectRetryTimerExpires = 9,
  HoldTimerExpires = 10,
  KeepaliveTimerExpires = 11,
  DelayOpenTimerExpires = 12,
  IdleHoldTimerExpires = 13,
  TcpConnectionValid = 14,
  TcpCrInvalid = 15,
  TcpCrAcked = 16,
  TcpConnectionConfirmed = 17,
  TcpConnectionFails = 18,
  BgpOpen = 19,
  BgpOpenWithDelayOpenTimerRunning = 20,
  BgpHeaderErr = 21,
  BgpOpenMsgErr = 22,
  OpenCollisionDump = 23,
  NotifMsgVerErr = 24,
  NotifMsg = 25,
  KeepAliveMsg = 26,
  UpdateMsg = 27,
  UpdateMsgErr = 28,
  SendHoldTimerExpires = 29,  // RFC 9687: the transport could not send for SendHoldTime
};

std::string_view to_string(State s);
std::string_view to_string(Event e);

enum class ActionKind : std::uint8_t {
  InitiateConnection,  // open the outgoing TCP connection
  DropConnection,      // close this connection's TCP socket
  SendOpen,
  SendKeepalive,
  SendNotification,  // code/subcode in the action; the caller adds data if it has any
  ProcessUpdate,     // hand the UPDATE that caused UpdateMsg to the RIB side
  SessionUp,         // entered Established: report PeerUp
  SessionDown,       // left Established: report PeerDown (routes of the peer go)
  ReleaseResources,  // entered Idle from a non-Idle state
};

struct Action {
  ActionKind kind;
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  bool operator==(const Action&) const = default;
};

struct FsmConfig {
  std::chrono::seconds connect_retry{30};   // ConnectRetryTime (before jitter)
  std::chrono::seconds hold_time{90};       // proposed HoldTime
  std::chrono::seconds large_hold{240};     // HoldTimer while waiting for OPEN (8.2.2: 4 min)
  std::chrono::seconds idle_hold{5};        // first IdleHold backoff step
  std::chrono::seconds idle_hold_max{120};  // backoff cap
  // DampPeerOscillations forgets earlier failures only when a session that ends had been
  // Established at least this long (0: as soon as a session is Established).
  std::chrono::seconds damp_reset_after{120};
  bool passive = false;      // automatic restarts are passive ones
  bool auto_restart = true;  // IdleHoldTimer_Expires -> automatic start
};

// Input accompanying an event: the time, the jitter factor for any timer started (RFC 4271
// 10: 0.75..1.0; 1.0 means none), and event-specific facts.
struct EventInput {
  base::SteadyTime now{};
  double jitter = 1.0;
  // BgpOpen: the negotiated hold time (already validated, never 1 or 2) and keepalive interval
  // (0: a third of the hold time).
  std::chrono::seconds negotiated_hold{0};
  std::chrono::seconds negotiated_keepalive{0};
  // BgpHeaderErr / BgpOpenMsgErr / UpdateMsgErr: the NOTIFICATION to send.
  std::uint8_t err_code = 0;
  std::uint8_t err_subcode = 0;
  // AutomaticStop: the Cease subcode to send (0: Administrative Shutdown).
  std::uint8_t cease_subcode = 0;
};

struct Transition {
  State from;
  State to;
  std::vector<Action> actions;
  bool has(ActionKind k) const;
  const Action* find(ActionKind k) const;
};

class Fsm {
 public:
  explicit Fsm(FsmConfig config = {}) : config_(config) {}

  Transition handle(Event event, const EventInput& in);
  Transition handle(Event event, base::SteadyTime now) { return handle(event, EventInput{now}); }

  // Timer events due at `now`, in the order they must be handled (earliest first).
  std::vector<Event> due(base::SteadyTime now) const;
  std::optional<base::SteadyTime> next_deadline() const;

  State state() const { return state_; }
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  std::chrono::seconds negotiated_hold() const { return hold_; }
  std::chrono::seconds keepalive_interval() const { return keepalive_; }
  const FsmConfig& config() const { return config_; }
  void set_passive(bool p) { config_.passive = p; }
  void set_auto_restart(bool a) { config_.auto_restart = a; }
  // Consecutive failures since the last Established; drives the IdleHold backoff.
  std::uint32_t failures() const { return failures_; }
  void set_failures(std::uint32_t f) { failures_ = f; }
  // The IdleHold delay (before jitter) the next failure will use.
  std::chrono::seconds idle_hold_delay() const;

  std::optional<base::SteadyTime> connect_retry_deadline() const { return connect_retry_at_; }
  std::optional<base::SteadyTime> hold_deadline() const { return hold_at_; }
  std::optional<base::SteadyTime> keepalive_deadline() const { return keepalive_at_; }
  std::optional<base::SteadyTime> idle_hold_deadline() const { return idle_hold_at_; }

 private:
  struct Ctx;
  void start(Ctx& c, bool passive);
  void to_idle(Ctx& c, bool count_failure, bool damp);
  void fsm_error(Ctx& c);
  void cease(Ctx& c, std::uint8_t subcode, bool manual);
  void open_received(Ctx& c);
  void tcp_up(Ctx& c);
  void restart_hold(Ctx& c);
  bool handle_common_after_open_sent(Ctx& c, Event e);
  void handle_idle(Ctx& c, Event e);
  void handle_connect_or_active(Ctx& c, Event e);
  void handle_open_sent(Ctx& c, Event e);
  void handle_open_confirm(Ctx& c, Event e);
  void handle_established(Ctx& c, Event e);

  FsmConfig config_;
  State state_ = State::Idle;
  std::uint32_t connect_retry_counter_ = 0;
  std::uint32_t failures_ = 0;
  std::chrono::seconds hold_{0};
  std::chrono::seconds keepalive_{0};
  std::optional<base::SteadyTime> connect_retry_at_;
  std::optional<base::SteadyTime> hold_at_;
  std::optional<base::SteadyTime> keepalive_at_;
  std::optional<base::SteadyTime> idle_hold_at_;
  std::optional<base::SteadyTime> established_at_;
};

}  // namespace nvabgpd::session
