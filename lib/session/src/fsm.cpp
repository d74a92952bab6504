// RFC 4271 section 8.2.2, state by state. Comments cite the event numbers of section 8.1.
#include "nvabgpd/session/fsm.hpp"

#include <algorithm>

#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::session {

namespace {

base::Duration scaled(std::chrono::seconds s, double jitter) {
  const double j = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::duration_cast<base::Duration>(
      std::chrono::duration<double>(static_cast<double>(s.count()) * j));
}

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::Idle:
      return "Idle";
    case State::Connect:
      return "Connect";
    case State::Active:
      return "Active";
    case State::OpenSent:
      return "OpenSent";
    case State::OpenConfirm:
      return "OpenConfirm";
    case State::Established:
      return "Established";
  }
  return "?";
}

std::string_view to_string(Event e) {
  switch (e) {
    case Event::ManualStart:
      return "ManualStart";
    case Event::ManualStop:
      return "ManualStop";
    case Event::AutomaticStart:
      return "AutomaticStart";
    case Event::ManualStartPassive:
      return "ManualStart_with_PassiveTcpEstablishment";
    case Event::AutomaticStartPassive:
      return "AutomaticStart_with_PassiveTcpEstablishment";
    case Event::AutomaticStop:
      return "AutomaticStop";
    case Event::ConnectRetryTimerExpires:
      return "ConnectRetryTimer_Expires";
    case Event::HoldTimerExpires:
      return "HoldTimer_Expires";
    case Event::KeepaliveTimerExpires:
      return "KeepaliveTimer_Expires";
    case Event::DelayOpenTimerExpires:
      return "DelayOpenTimer_Expires";
    case Event::IdleHoldTimerExpires:
      return "IdleHoldTimer_Expires";
    case Event::TcpConnectionValid:
      return "TcpConnection_Valid";
    case Event::TcpCrInvalid:
      return "Tcp_CR_Invalid";
    case Event::TcpCrAcked:
      return "Tcp_CR_Acked";
    case Event::TcpConnectionConfirmed:
      return "TcpConnectionConfirmed";
    case Event::TcpConnectionFails:
      return "TcpConnectionFails";
    case Event::BgpOpen:
      return "BGPOpen";
    case Event::BgpOpenWithDelayOpenTimerRunning:
      return "BGPOpen_with_DelayOpenTimer_running";
    case Event::BgpHeaderErr:
      return "BGPHeaderErr";
    case Event::BgpOpenMsgErr:
      return "BGPOpenMsgErr";
    case Event::OpenCollisionDump:
      return "OpenCollisionDump";
    case Event::NotifMsgVerErr:
      return "NotifMsgVerErr";
    case Event::NotifMsg:
      return "NotifMsg";
    case Event::KeepAliveMsg:
      return "KeepAliveMsg";
    case Event::UpdateMsg:
      return "UpdateMsg";
    case Event::UpdateMsgErr:
      return "UpdateMsgErr";
    case Event::SendHoldTimerExpires:
      return "SendHoldTimer_Expires";
  }
  return "?";
}

bool Transition::has(ActionKind k) const { return find(k) != nullptr; }

const Action* Transition::find(ActionKind k) const {
  for (const auto& a : actions) {
    if (a.kind == k) return &a;
  }
  return nullptr;
}

struct Fsm::Ctx {
  const EventInput& in;
  Transition& t;
  void act(ActionKind k, std::uint8_t code = 0, std::uint8_t subcode = 0) {
    t.actions.push_back(Action{k, code, subcode});
  }
};

std::chrono::seconds Fsm::idle_hold_delay() const {
  const std::uint32_t steps = std::min<std::uint32_t>(failures_, 16);
  auto d = config_.idle_hold;
  for (std::uint32_t i = 1; i < steps && d < config_.idle_hold_max; ++i) d *= 2;
  return std::min(d, config_.idle_hold_max);
}

Transition Fsm::handle(Event event, const EventInput& in) {
  Transition t{state_, state_, {}};
  Ctx c{in, t};
  // A timer event consumes its timer; the handlers below restart it when the RFC says so.
  switch (event) {
    case Event::ConnectRetryTimerExpires:
      connect_retry_at_.reset();
      break;
    case Event::HoldTimerExpires:
      hold_at_.reset();
      break;
    case Event::KeepaliveTimerExpires:
      keepalive_at_.reset();
      break;
    case Event::IdleHoldTimerExpires:
      idle_hold_at_.reset();
      break;
    default:
      break;
  }
  switch (state_) {
    case State::Idle:
      handle_idle(c, event);
      break;
    case State::Connect:
    case State::Active:
      handle_connect_or_active(c, event);
      break;
    case State::OpenSent:
      handle_open_sent(c, event);
      break;
    case State::OpenConfirm:
      handle_open_confirm(c, event);
      break;
    case State::Established:
      handle_established(c, event);
      break;
  }
  t.to = state_;
  return t;
}

// Idle: start events begin a session (Events 1, 3: active; 4, 5: passive). The IdleHold
// timer (DampPeerOscillations) is an automatic start. Everything else is ignored.
void Fsm::handle_idle(Ctx& c, Event e) {
  switch (e) {
    case Event::ManualStart:
      failures_ = 0;
      start(c, false);
      break;
    case Event::AutomaticStart:
      start(c, false);
      break;
    case Event::ManualStartPassive:
      failures_ = 0;
      start(c, true);
      break;
    case Event::AutomaticStartPassive:
      start(c, true);
      break;
    case Event::IdleHoldTimerExpires:
      if (config_.auto_restart) start(c, config_.passive);
      break;
    default:
      break;
  }
}

void Fsm::start(Ctx& c, bool passive) {
  idle_hold_at_.reset();
  connect_retry_counter_ = 0;
  connect_retry_at_ = c.in.now + scaled(config_.connect_retry, c.in.jitter);
  if (passive) {
    state_ = State::Active;
  } else {
    c.act(ActionKind::InitiateConnection);
    state_ = State::Connect;
  }
}

// Common exit to Idle. count_failure increments ConnectRetryCounter; damp arms the IdleHold
// timer with exponential backoff when automatic restart is enabled.
void Fsm::to_idle(Ctx& c, bool count_failure, bool damp) {
  if (state_ == State::Established) {
    c.act(ActionKind::SessionDown);
    // A session that stayed up long enough clears the damping history; one that fails soon
    // after coming up keeps it, so a peer that resets every session is held off longer each
    // time (RFC 4271 8.1.1 DampPeerOscillations).
    if (established_at_ && c.in.now - *established_at_ >= config_.damp_reset_after) failures_ = 0;
  }
  established_at_.reset();
  connect_retry_at_.reset();
  hold_at_.reset();
  keepalive_at_.reset();
  c.act(ActionKind::DropConnection);
  c.act(ActionKind::ReleaseResources);
  if (count_failure) ++connect_retry_counter_;
  if (damp) {
    ++failures_;
    if (config_.auto_restart) idle_hold_at_ = c.in.now + scaled(idle_hold_delay(), c.in.jitter);
  }
  state_ = State::Idle;
}

void Fsm::cease(Ctx& c, std::uint8_t subcode, bool manual) {
  c.act(ActionKind::SendNotification, wire::err::kCease, subcode);
  if (manual) {
    to_idle(c, false, false);
    connect_retry_counter_ = 0;
  } else {
    to_idle(c, true, true);
  }
}

void Fsm::fsm_error(Ctx& c) {
  std::uint8_t sub = wire::err::kFsmUnexpectedInEstablished;
  if (state_ == State::OpenSent) sub = wire::err::kFsmUnexpectedInOpenSent;
  if (state_ == State::OpenConfirm) sub = wire::err::kFsmUnexpectedInOpenConfirm;
  c.act(ActionKind::SendNotification, wire::err::kFsmError, sub);
  to_idle(c, true, true);
}

// Events 16/17 in Connect or Active (DelayOpen FALSE): send OPEN, wait with a large hold.
void Fsm::tcp_up(Ctx& c) {
  connect_retry_at_.reset();
  c.act(ActionKind::SendOpen);
  hold_at_ = c.in.now + config_.large_hold;
  state_ = State::OpenSent;
}

void Fsm::restart_hold(Ctx& c) {
  if (hold_.count() != 0) hold_at_ = c.in.now + hold_;
}

// Connect and Active differ only in ConnectRetryTimer_Expires, TcpConnectionFails and
// ManualStop's bookkeeping (8.2.2).
void Fsm::handle_connect_or_active(Ctx& c, Event e) {
  const bool connect = state_ == State::Connect;
  switch (e) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartPassive:
    case Event::AutomaticStartPassive:
      break;                 // ignored
    case Event::ManualStop:  // 2
      to_idle(c, false, false);
      connect_retry_counter_ = 0;
      break;
    case Event::ConnectRetryTimerExpires:  // 9
      if (connect) c.act(ActionKind::DropConnection);
      connect_retry_at_ = c.in.now + scaled(config_.connect_retry, c.in.jitter);
      c.act(ActionKind::InitiateConnection);
      state_ = State::Connect;
      break;
    case Event::TcpConnectionValid:  // 14: processed
    case Event::TcpCrInvalid:        // 15: rejected
      break;
    case Event::TcpCrAcked:              // 16
    case Event::TcpConnectionConfirmed:  // 17
      tcp_up(c);
      break;
    case Event::TcpConnectionFails:  // 18
      if (connect) {
        to_idle(c, false, true);
      } else {
        to_idle(c, true, true);
      }
      break;
    case Event::BgpHeaderErr:    // 21 (SendNOTIFICATIONwithoutOPEN FALSE: no NOTIFICATION)
    case Event::BgpOpenMsgErr:   // 22
    case Event::NotifMsgVerErr:  // 24
    default:                     // 8, 10-13, 19, 20, 23, 25-28
      to_idle(c, true, true);
      break;
  }
}

void Fsm::open_received(Ctx& c) {
  connect_retry_at_.reset();
  c.act(ActionKind::SendKeepalive);
  hold_ = c.in.negotiated_hold;
  keepalive_ = c.in.negotiated_keepalive.count() != 0 ? c.in.negotiated_keepalive : hold_ / 3;
  if (hold_.count() != 0) {
    hold_at_ = c.in.now + hold_;
    keepalive_at_ = c.in.now + scaled(keepalive_interval(), c.in.jitter);
  } else {
    hold_at_.reset();
    keepalive_at_.reset();
  }
  state_ = State::OpenConfirm;
}

// Events OpenSent, OpenConfirm and Established treat alike: start events are ignored, a
// stop is a Cease, hold expiry a Hold Timer Expired, a second TCP connection (14-17) is the
// caller's to track, and OpenCollisionDump a Cease/Connection Collision Resolution.
bool Fsm::handle_common_after_open_sent(Ctx& c, Event e) {
  switch (e) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartPassive:
    case Event::AutomaticStartPassive:
      break;
    case Event::ManualStop:
      cease(c, wire::err::kCeaseAdminShutdown, true);
      break;
    case Event::AutomaticStop:
      cease(c, c.in.cease_subcode != 0 ? c.in.cease_subcode : wire::err::kCeaseAdminShutdown,
            false);
      break;
    case Event::SendHoldTimerExpires:  // RFC 9687 section 4
      c.act(ActionKind::SendNotification, wire::err::kSendHoldTimerExpired, 0);
      to_idle(c, true, true);
      break;
    case Event::HoldTimerExpires:
      c.act(ActionKind::SendNotification, wire::err::kHoldTimerExpired, 0);
      to_idle(c, true, true);
      break;
    case Event::TcpConnectionValid:
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
    case Event::TcpCrInvalid:
      break;
    case Event::OpenCollisionDump:
      cease(c, wire::err::kCeaseConnectionCollision, false);
      break;
    default:
      return false;
  }
  return true;
}

void Fsm::handle_open_sent(Ctx& c, Event e) {
  if (handle_common_after_open_sent(c, e)) return;
  switch (e) {
    case Event::TcpConnectionFails:  // 18: back to Active, keep listening
      c.act(ActionKind::DropConnection);
      hold_at_.reset();
      connect_retry_at_ = c.in.now + scaled(config_.connect_retry, c.in.jitter);
      state_ = State::Active;
      break;
    case Event::BgpOpen:
      open_received(c);
      break;
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
      c.act(ActionKind::SendNotification, c.in.err_code, c.in.err_subcode);
      to_idle(c, true, true);
      break;
    case Event::NotifMsgVerErr:
      to_idle(c, false, false);
      break;
    default:
      fsm_error(c);
      break;  // 9, 11-13, 20, 25-28
  }
}

void Fsm::handle_open_confirm(Ctx& c, Event e) {
  if (handle_common_after_open_sent(c, e)) return;
  switch (e) {
    case Event::KeepaliveTimerExpires:
      c.act(ActionKind::SendKeepalive);
      keepalive_at_ = c.in.now + scaled(keepalive_interval(), c.in.jitter);
      break;
    case Event::TcpConnectionFails:
    case Event::NotifMsg:
      to_idle(c, true, true);
      break;
    case Event::NotifMsgVerErr:
      to_idle(c, false, false);
      break;
    case Event::BgpOpen:
      // An OPEN on a connection already in OpenConfirm: the caller resolves collisions before
      // feeding events, so a second OPEN here is an FSM error.
      fsm_error(c);
      break;
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
      c.act(ActionKind::SendNotification, c.in.err_code, c.in.err_subcode);
      to_idle(c, true, true);
      break;
    case Event::KeepAliveMsg:
      restart_hold(c);
      established_at_ = c.in.now;
      state_ = State::Established;
      c.act(ActionKind::SessionUp);
      break;
    default:
      fsm_error(c);
      break;  // 9, 12, 13, 20, 27, 28
  }
}

void Fsm::handle_established(Ctx& c, Event e) {
  if (handle_common_after_open_sent(c, e)) return;
  switch (e) {
    case Event::KeepaliveTimerExpires:
      c.act(ActionKind::SendKeepalive);
      if (hold_.count() != 0) {
        keepalive_at_ = c.in.now + scaled(keepalive_interval(), c.in.jitter);
      }
      break;
    case Event::NotifMsgVerErr:
    case Event::NotifMsg:
    case Event::TcpConnectionFails:
      to_idle(c, true, true);
      break;
    case Event::KeepAliveMsg:
      restart_hold(c);
      break;
    case Event::UpdateMsg:
      c.act(ActionKind::ProcessUpdate);
      restart_hold(c);
      break;
    case Event::UpdateMsgErr:
      c.act(ActionKind::SendNotification, c.in.err_code != 0 ? c.in.err_code : 3, c.in.err_subcode);
      to_idle(c, true, true);
      break;
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
      // Section 6.1/6.2 name the error to send; 8.2.2 lumps these with FSM errors. We send
      // the specific error when the caller gives one.
      if (c.in.err_code != 0) {
        c.act(ActionKind::SendNotification, c.in.err_code, c.in.err_subcode);
        to_idle(c, true, true);
      } else {
        fsm_error(c);
      }
      break;
    default:
      fsm_error(c);
      break;  // 9, 12, 13, 19, 20
  }
}

std::vector<Event> Fsm::due(base::SteadyTime now) const {
  std::vector<std::pair<base::SteadyTime, Event>> v;
  auto add = [&](const std::optional<base::SteadyTime>& at, Event e) {
    if (at && *at <= now) v.emplace_back(*at, e);
  };
  add(connect_retry_at_, Event::ConnectRetryTimerExpires);
  add(hold_at_, Event::HoldTimerExpires);
  add(keepalive_at_, Event::KeepaliveTimerExpires);
  add(idle_hold_at_, Event::IdleHoldTimerExpires);
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Event> out;
  out.reserve(v.size());
  for (const auto& [at, e] : v) out.push_back(e);
  return out;
}

std::optional<base::SteadyTime> Fsm::next_deadline() const {
  std::optional<base::SteadyTime> best;
  for (const auto* at : {&connect_retry_at_, &hold_at_, &keepalive_at_, &idle_hold_at_}) {
    if (*at && (!best || **at < *best)) best = *at;
  }
  return best;
}

}  // namespace nvabgpd::session
