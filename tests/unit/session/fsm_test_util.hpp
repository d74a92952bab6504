#pragma once
// Helpers that drive an Fsm into each state through real events.
#include <chrono>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/session/fsm.hpp"

namespace nvabgpd::session::test {

using namespace std::chrono_literals;

inline EventInput at(const base::ManualClock& clock, double jitter = 1.0) {
  EventInput in;
  in.now = clock.now();
  in.jitter = jitter;
  return in;
}

inline EventInput open_with_hold(const base::ManualClock& clock, std::chrono::seconds hold) {
  EventInput in = at(clock);
  in.negotiated_hold = hold;
  return in;
}

// Drives a fresh Fsm to `target` (through Connect for the OPEN states).
inline Fsm fsm_in(State target, const base::ManualClock& clock, FsmConfig cfg = {},
                  std::chrono::seconds hold = 9s) {
  Fsm f(cfg);
  if (target == State::Idle) return f;
  if (target == State::Active) {
    f.handle(Event::ManualStartPassive, at(clock));
    return f;
  }
  f.handle(Event::ManualStart, at(clock));
  if (target == State::Connect) return f;
  f.handle(Event::TcpCrAcked, at(clock));
  if (target == State::OpenSent) return f;
  f.handle(Event::BgpOpen, open_with_hold(clock, hold));
  if (target == State::OpenConfirm) return f;
  f.handle(Event::KeepAliveMsg, at(clock));
  return f;
}

inline constexpr Event kAllEvents[] = {Event::ManualStart,
                                       Event::ManualStop,
                                       Event::AutomaticStart,
                                       Event::ManualStartPassive,
                                       Event::AutomaticStartPassive,
                                       Event::AutomaticStop,
                                       Event::ConnectRetryTimerExpires,
                                       Event::HoldTimerExpires,
                                       Event::KeepaliveTimerExpires,
                                       Event::DelayOpenTimerExpires,
                                       Event::IdleHoldTimerExpires,
                                       Event::TcpConnectionValid,
                                       Event::TcpCrInvalid,
                                       Event::TcpCrAcked,
                                       Event::TcpConnectionConfirmed,
                                       Event::TcpConnectionFails,
                                       Event::BgpOpen,
                                       Event::BgpOpenWithDelayOpenTimerRunning,
                                       Event::BgpHeaderErr,
                                       Event::BgpOpenMsgErr,
                                       Event::OpenCollisionDump,
                                       Event::NotifMsgVerErr,
                                       Event::NotifMsg,
                                       Event::KeepAliveMsg,
                                       Event::UpdateMsg,
                                       Event::UpdateMsgErr,
                                       Event::SendHoldTimerExpires};

}  // namespace nvabgpd::session::test
