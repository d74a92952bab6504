#pragma once
// Peer::Conn: one FSM and the connection it currently uses, with what the FSM driver keeps
// per TCP connection (the OPENs, the negotiated parameters, why it went down). Private to
// peer.cpp and peer_messages.cpp.
#include <spdlog/spdlog.h>

#include "nvabgpd/wire/notification.hpp"
#include "peer.hpp"

namespace nvabgpd::session {

struct Peer::Conn final : Connection::Owner, std::enable_shared_from_this<Conn> {
  Conn(Peer& p, std::uint64_t id_, const FsmConfig& cfg)
      : peer(p), id(id_), fsm(cfg), timer(p.ctx_.io) {}
  ~Conn() {
    if (ch) ch->detach();
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Peer& peer;
  std::uint64_t id;  // unique per TCP connection (StateChange::connection)
  bool outgoing = false;
  Fsm fsm;
  ConnectionPtr ch;
  asio::steady_timer timer;
  std::uint64_t timer_gen = 0;
  wire::Open sent_open;
  std::optional<Negotiated> neg;
  std::optional<wire::Notification> pending_notification;  // full text for the next send
  std::optional<wire::Notification> last_sent;
  std::optional<wire::Notification> last_received;
  std::string down_reason;
  std::string logged_reason;  // down_reason when a line of its own already logged it
  std::optional<UpdateIn> pending_update;
  base::IpAddress local, remote;
  std::uint16_t local_port = 0, remote_port = 0;
  wire::Open received_open;  // for monitoring (BMP Peer Up)

  // Connection::Owner: what the socket reports becomes an FSM event.
  void connected() override {
    peer.attached(*this);
    peer.feed(*this, Event::TcpCrAcked);
  }
  void connect_failed(std::string why) override {
    down_reason = std::move(why);  // logged with the state change
    peer.feed(*this, Event::TcpConnectionFails);
  }
  void read_failed(std::string why) override {
    down_reason = std::move(why);  // logged with the state change
    peer.feed(*this, Event::TcpConnectionFails);
  }
  void header_error(const wire::Notification& bad) override {
    pending_notification = bad;
    down_reason = "bad message header: " + wire::describe(bad);
    EventInput in;
    in.err_code = bad.code;
    in.err_subcode = bad.subcode;
    peer.feed(*this, Event::BgpHeaderErr, in);
  }
  void message(std::span<const std::uint8_t> bytes) override { peer.on_message(*this, bytes); }
  void written(std::size_t queued) override {
    peer.stats_.queued_bytes = queued;
    if (peer.congested_ && queued < SessionManager::kLowWatermark) {
      peer.congested_ = false;
      if (peer.ctx_.callbacks.on_drained) peer.ctx_.callbacks.on_drained(peer.id_);
    }
  }
  bool opened() const override { return neg.has_value(); }
  std::chrono::seconds send_hold_time() const override { return peer.send_hold_time(*this); }
  void send_hold_expired(std::chrono::seconds limit) override {
    down_reason = fmt::format("send hold timer expired: {} bytes queued, none sent for {}s",
                              ch->queued(), limit.count());
    spdlog::warn("peer {} ({}): {}", peer.cfg_.name, peer.cfg_.address, down_reason);
    logged_reason = down_reason;
    ch->discard_backlog();  // the NOTIFICATION goes right after the write in progress
    peer.feed(*this, Event::SendHoldTimerExpires);
  }
};

}  // namespace nvabgpd::session
