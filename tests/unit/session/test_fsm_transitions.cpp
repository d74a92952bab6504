// Every (state, event) pair of RFC 4271 section 8.2.2, written down from the RFC text as a
// table and checked against the Fsm. Optional attributes: DelayOpen, SendNOTIFICATIONwithout-
// OPEN and CollisionDetectEstablishedState FALSE (see fsm.hpp).
#include <catch2/catch.hpp>
#include <initializer_list>
#include <optional>
#include <utility>

#include "fsm_test_util.hpp"

using namespace nvabgpd;
using namespace nvabgpd::session;
using namespace nvabgpd::session::test;
using E = Event;
using S = State;

namespace {

struct Row {
  S from;
  std::initializer_list<E> events;
  S to;
  std::optional<std::pair<int, int>> notification;  // code, subcode sent
  int counter_after;                                // ConnectRetryCounter afterwards
  std::initializer_list<ActionKind> must;           // other actions that must appear
};

constexpr auto kNone = std::nullopt;
const std::pair<int, int> kCeaseAdmin{6, 2};
const std::pair<int, int> kHoldExpired{4, 0};
const std::pair<int, int> kSendHoldExpired{8, 0};  // RFC 9687
const std::pair<int, int> kCollision{6, 7};
const std::pair<int, int> kGiven{3, 1};  // the err_code/err_subcode the test passes in

const Row kTable[] = {
    // Idle
    {S::Idle,
     {E::ManualStart, E::AutomaticStart},
     S::Connect,
     kNone,
     0,
     {ActionKind::InitiateConnection}},
    {S::Idle, {E::ManualStartPassive, E::AutomaticStartPassive}, S::Active, kNone, 0, {}},
    {S::Idle, {E::IdleHoldTimerExpires}, S::Connect, kNone, 0, {ActionKind::InitiateConnection}},
    {S::Idle,
     {E::ManualStop,
      E::AutomaticStop,
      E::ConnectRetryTimerExpires,
      E::HoldTimerExpires,
      E::SendHoldTimerExpires,
      E::KeepaliveTimerExpires,
      E::DelayOpenTimerExpires,
      E::TcpConnectionValid,
      E::TcpCrInvalid,
      E::TcpCrAcked,
      E::TcpConnectionConfirmed,
      E::TcpConnectionFails,
      E::BgpOpen,
      E::BgpOpenWithDelayOpenTimerRunning,
      E::BgpHeaderErr,
      E::BgpOpenMsgErr,
      E::OpenCollisionDump,
      E::NotifMsgVerErr,
      E::NotifMsg,
      E::KeepAliveMsg,
      E::UpdateMsg,
      E::UpdateMsgErr},
     S::Idle,
     kNone,
     0,
     {}},
    // Connect
    {S::Connect,
     {E::ManualStart, E::AutomaticStart, E::ManualStartPassive, E::AutomaticStartPassive,
      E::TcpConnectionValid, E::TcpCrInvalid},
     S::Connect,
     kNone,
     0,
     {}},
    {S::Connect, {E::ManualStop}, S::Idle, kNone, 0, {ActionKind::DropConnection}},
    {S::Connect,
     {E::ConnectRetryTimerExpires},
     S::Connect,
     kNone,
     0,
     {ActionKind::DropConnection, ActionKind::InitiateConnection}},
    {S::Connect,
     {E::TcpCrAcked, E::TcpConnectionConfirmed},
     S::OpenSent,
     kNone,
     0,
     {ActionKind::SendOpen}},
    {S::Connect, {E::TcpConnectionFails}, S::Idle, kNone, 0, {ActionKind::DropConnection}},
    {S::Connect,
     {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires, E::DelayOpenTimerExpires,
      E::IdleHoldTimerExpires, E::BgpOpen, E::BgpOpenWithDelayOpenTimerRunning, E::BgpHeaderErr,
      E::BgpOpenMsgErr, E::OpenCollisionDump, E::NotifMsgVerErr, E::NotifMsg, E::KeepAliveMsg,
      E::UpdateMsg, E::UpdateMsgErr, E::SendHoldTimerExpires},
     S::Idle,
     kNone,
     1,
     {ActionKind::DropConnection}},
    // Active
    {S::Active,
     {E::ManualStart, E::AutomaticStart, E::ManualStartPassive, E::AutomaticStartPassive,
      E::TcpConnectionValid, E::TcpCrInvalid},
     S::Active,
     kNone,
     0,
     {}},
    {S::Active, {E::ManualStop}, S::Idle, kNone, 0, {ActionKind::DropConnection}},
    {S::Active,
     {E::ConnectRetryTimerExpires},
     S::Connect,
     kNone,
     0,
     {ActionKind::InitiateConnection}},
    {S::Active,
     {E::TcpCrAcked, E::TcpConnectionConfirmed},
     S::OpenSent,
     kNone,
     0,
     {ActionKind::SendOpen}},
    {S::Active, {E::TcpConnectionFails}, S::Idle, kNone, 1, {ActionKind::ReleaseResources}},
    {S::Active,
     {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires, E::DelayOpenTimerExpires,
      E::IdleHoldTimerExpires, E::BgpOpen, E::BgpOpenWithDelayOpenTimerRunning, E::BgpHeaderErr,
      E::BgpOpenMsgErr, E::OpenCollisionDump, E::NotifMsgVerErr, E::NotifMsg, E::KeepAliveMsg,
      E::UpdateMsg, E::UpdateMsgErr, E::SendHoldTimerExpires},
     S::Idle,
     kNone,
     1,
     {ActionKind::DropConnection}},
    // OpenSent
    {S::OpenSent,
     {E::ManualStart, E::AutomaticStart, E::ManualStartPassive, E::AutomaticStartPassive,
      E::TcpConnectionValid, E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed},
     S::OpenSent,
     kNone,
     0,
     {}},
    {S::OpenSent, {E::ManualStop}, S::Idle, kCeaseAdmin, 0, {ActionKind::DropConnection}},
    {S::OpenSent, {E::AutomaticStop}, S::Idle, kCeaseAdmin, 1, {ActionKind::DropConnection}},
    {S::OpenSent, {E::HoldTimerExpires}, S::Idle, kHoldExpired, 1, {ActionKind::DropConnection}},
    {S::OpenSent,
     {E::SendHoldTimerExpires},
     S::Idle,
     kSendHoldExpired,
     1,
     {ActionKind::DropConnection}},
    {S::OpenSent, {E::TcpConnectionFails}, S::Active, kNone, 0, {ActionKind::DropConnection}},
    {S::OpenSent, {E::BgpOpen}, S::OpenConfirm, kNone, 0, {ActionKind::SendKeepalive}},
    {S::OpenSent,
     {E::BgpHeaderErr, E::BgpOpenMsgErr},
     S::Idle,
     kGiven,
     1,
     {ActionKind::DropConnection}},
    {S::OpenSent, {E::OpenCollisionDump}, S::Idle, kCollision, 1, {ActionKind::DropConnection}},
    {S::OpenSent, {E::NotifMsgVerErr}, S::Idle, kNone, 0, {ActionKind::DropConnection}},
    {S::OpenSent,
     {E::ConnectRetryTimerExpires, E::KeepaliveTimerExpires, E::DelayOpenTimerExpires,
      E::IdleHoldTimerExpires, E::BgpOpenWithDelayOpenTimerRunning, E::NotifMsg, E::KeepAliveMsg,
      E::UpdateMsg, E::UpdateMsgErr},
     S::Idle,
     std::pair{5, 1},
     1,
     {ActionKind::DropConnection}},
    // OpenConfirm
    {S::OpenConfirm,
     {E::ManualStart, E::AutomaticStart, E::ManualStartPassive, E::AutomaticStartPassive,
      E::TcpConnectionValid, E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed},
     S::OpenConfirm,
     kNone,
     0,
     {}},
    {S::OpenConfirm, {E::ManualStop}, S::Idle, kCeaseAdmin, 0, {ActionKind::DropConnection}},
    {S::OpenConfirm, {E::AutomaticStop}, S::Idle, kCeaseAdmin, 1, {ActionKind::DropConnection}},
    {S::OpenConfirm, {E::HoldTimerExpires}, S::Idle, kHoldExpired, 1, {ActionKind::DropConnection}},
    {S::OpenConfirm,
     {E::SendHoldTimerExpires},
     S::Idle,
     kSendHoldExpired,
     1,
     {ActionKind::DropConnection}},
    {S::OpenConfirm,
     {E::KeepaliveTimerExpires},
     S::OpenConfirm,
     kNone,
     0,
     {ActionKind::SendKeepalive}},
    {S::OpenConfirm,
     {E::TcpConnectionFails, E::NotifMsg},
     S::Idle,
     kNone,
     1,
     {ActionKind::DropConnection}},
    {S::OpenConfirm, {E::NotifMsgVerErr}, S::Idle, kNone, 0, {ActionKind::DropConnection}},
    {S::OpenConfirm,
     {E::BgpHeaderErr, E::BgpOpenMsgErr},
     S::Idle,
     kGiven,
     1,
     {ActionKind::DropConnection}},
    {S::OpenConfirm, {E::OpenCollisionDump}, S::Idle, kCollision, 1, {ActionKind::DropConnection}},
    {S::OpenConfirm, {E::KeepAliveMsg}, S::Established, kNone, 0, {ActionKind::SessionUp}},
    {S::OpenConfirm,
     {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires, E::BgpOpen,
      E::BgpOpenWithDelayOpenTimerRunning, E::UpdateMsg, E::UpdateMsgErr},
     S::Idle,
     std::pair{5, 2},
     1,
     {ActionKind::DropConnection}},
    // Established
    {S::Established,
     {E::ManualStart, E::AutomaticStart, E::ManualStartPassive, E::AutomaticStartPassive,
      E::TcpConnectionValid, E::TcpCrInvalid, E::TcpCrAcked, E::TcpConnectionConfirmed,
      E::KeepAliveMsg},
     S::Established,
     kNone,
     0,
     {}},
    {S::Established,
     {E::ManualStop},
     S::Idle,
     kCeaseAdmin,
     0,
     {ActionKind::SessionDown, ActionKind::DropConnection}},
    {S::Established, {E::AutomaticStop}, S::Idle, kCeaseAdmin, 1, {ActionKind::SessionDown}},
    {S::Established, {E::HoldTimerExpires}, S::Idle, kHoldExpired, 1, {ActionKind::SessionDown}},
    {S::Established,
     {E::SendHoldTimerExpires},
     S::Idle,
     kSendHoldExpired,
     1,
     {ActionKind::SessionDown}},
    {S::Established,
     {E::KeepaliveTimerExpires},
     S::Established,
     kNone,
     0,
     {ActionKind::SendKeepalive}},
    {S::Established, {E::OpenCollisionDump}, S::Idle, kCollision, 1, {ActionKind::SessionDown}},
    {S::Established,
     {E::TcpConnectionFails, E::NotifMsgVerErr, E::NotifMsg},
     S::Idle,
     kNone,
     1,
     {ActionKind::SessionDown, ActionKind::DropConnection}},
    {S::Established, {E::UpdateMsg}, S::Established, kNone, 0, {ActionKind::ProcessUpdate}},
    {S::Established,
     {E::UpdateMsgErr, E::BgpHeaderErr, E::BgpOpenMsgErr},
     S::Idle,
     kGiven,
     1,
     {ActionKind::SessionDown}},
    {S::Established,
     {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires, E::BgpOpen,
      E::BgpOpenWithDelayOpenTimerRunning},
     S::Idle,
     std::pair{5, 3},
     1,
     {ActionKind::SessionDown}},
};

}  // namespace

TEST_CASE("the transition table covers every state and event exactly once") {
  for (S s : {S::Idle, S::Connect, S::Active, S::OpenSent, S::OpenConfirm, S::Established}) {
    for (E e : kAllEvents) {
      int n = 0;
      for (const auto& row : kTable) {
        if (row.from != s) continue;
        for (E re : row.events) n += re == e ? 1 : 0;
      }
      INFO(to_string(s) << " / " << to_string(e));
      CHECK(n == 1);
    }
  }
}

TEST_CASE("RFC 4271 8.2.2: every state x event transition") {
  base::ManualClock clock;
  clock.advance(std::chrono::hours(1));
  for (const auto& row : kTable) {
    for (E e : row.events) {
      Fsm f = fsm_in(row.from, clock);
      REQUIRE(f.state() == row.from);
      EventInput in = at(clock);
      in.negotiated_hold = 9s;
      in.err_code = 3;
      in.err_subcode = 1;
      const Transition t = f.handle(e, in);
      INFO(to_string(row.from) << " --" << to_string(e) << "--> expected " << to_string(row.to)
                               << ", got " << to_string(t.to));
      CHECK(t.from == row.from);
      CHECK(t.to == row.to);
      CHECK(f.state() == row.to);
      const Action* n = t.find(ActionKind::SendNotification);
      if (row.notification) {
        REQUIRE(n != nullptr);
        CHECK(n->code == row.notification->first);
        CHECK(n->subcode == row.notification->second);
      } else {
        CHECK(n == nullptr);
      }
      CHECK(f.connect_retry_counter() == static_cast<std::uint32_t>(row.counter_after));
      for (ActionKind k : row.must) CHECK(t.has(k));
      if (row.to == S::Idle && row.from != S::Idle) {
        CHECK(t.has(ActionKind::DropConnection));
        CHECK(t.has(ActionKind::ReleaseResources));
        CHECK(!f.hold_deadline());
        CHECK(!f.keepalive_deadline());
        CHECK(!f.connect_retry_deadline());
      }
      if (row.from == S::Established && row.to == S::Idle) {
        CHECK(t.has(ActionKind::SessionDown));
      } else {
        CHECK(!t.has(ActionKind::SessionDown));
      }
      if (row.from == row.to && row.from != S::Connect) {
        CHECK(!t.has(ActionKind::DropConnection));
      }
    }
  }
}
