#pragma once
// One configured peer: its FSMs (one per TCP connection, two while a collision is being
// resolved), the FSM driver that performs their actions, OPEN negotiation and collision
// resolution (RFC 4271 6.8), its counters and flow-control state, what it sends on its own
// (ROUTE-REFRESH) and the restart after a prefix limit. Everything runs on the io_context
// thread; a peer outlives nothing it hands to Asio (its connections detach themselves).
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connection.hpp"
#include "context.hpp"

namespace nvabgpd::session {

class Peer {
 public:
  Peer(Context& ctx, PeerId id, PeerConfig cfg);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  PeerId id() const { return id_; }
  const PeerConfig& config() const { return cfg_; }
  const PeerStats& stats() const { return stats_; }
  bool congested() const { return congested_; }
  std::optional<Negotiated> negotiated() const;
  std::size_t read_buffer_bytes() const;

  // SessionManager's operations on one peer (see session_manager.hpp).
  void start();
  void stop(const std::string& shutdown_message);
  bool drop(std::uint8_t cease_subcode, const std::string& reason);
  void set_graceful_restart(std::optional<wire::GracefulRestartCap> gr);
  bool send(Buffer message);
  bool send_route_refresh(wire::AfiSafi af, std::uint8_t subtype);
  void stop_for_prefix_limit(std::chrono::seconds restart_after, wire::AfiSafi af,
                             std::uint32_t limit);
  // New settings for a stopped peer (a restart by reload): its one Idle FSM is replaced by one
  // with the new timers; the id and the totals in stats() carry on.
  void reconfigure(PeerConfig cfg);

  // An accepted connection from this peer's address: attached to an FSM, or refused (the
  // caller logs and closes it; `log` false when the refusal was already logged).
  struct Refusal {
    std::string reason;
    bool log = true;
  };
  std::optional<Refusal> incoming(const ConnectionPtr& ch, const base::IpAddress& remote,
                                  std::uint16_t port);

 private:
  struct Conn;

  Conn* established();
  Conn& new_conn();
  Conn* find(const Conn* c);
  void stop_connections(const std::string& shutdown_message);
  std::optional<base::SteadyTime> damped_until() const;

  // The FSM driver: feeds one event to a connection's FSM and performs the actions. The Conn
  // may be destroyed by the time this returns: callers look it up again (find()).
  void feed(Conn& c, Event e, EventInput in = {});
  void perform(Conn& c, const Action& a, Event e);
  void log_transition(const Conn& c, const Transition& t, Event e, const std::string& reason);
  void session_up(Conn& c);
  void arm_timer(Conn& c);
  void apply_options(tcp::socket& s);
  void connect(Conn& c);
  void attach(Conn& c, const ConnectionPtr& ch, bool outgoing);
  void attached(Conn& c);
  void drop_connection(Conn& c);
  void enqueue(Conn& c, Buffer b);
  void overflow(Conn& c);
  std::chrono::seconds send_hold_time(const Conn& c) const;

  // Received messages, OPEN negotiation and collision resolution (peer_messages.cpp).
  void on_message(Conn& c, std::span<const std::uint8_t> bytes);
  void handle(Conn& c, wire::Open& open, wire::DecodeResult& r);
  void handle(Conn& c, wire::Keepalive& k, wire::DecodeResult& r);
  void handle(Conn& c, wire::Notification& n, wire::DecodeResult& r);
  void handle(Conn& c, wire::Update& u, wire::DecodeResult& r);
  void handle(Conn& c, wire::RouteRefresh& rr, wire::DecodeResult& r);
  bool resolve_collision(Conn& c, const wire::Open& open);

  Context& ctx_;
  PeerId id_;
  PeerConfig cfg_;
  bool admin_up_ = false;
  bool congested_ = false;
  std::optional<base::SteadyTime> damp_logged_;  // the idle hold whose refusals were logged
  std::vector<std::shared_ptr<Conn>> conns_;
  PeerStats stats_;
  asio::steady_timer restart_timer_;  // restarts the peer after a prefix limit stopped it
};

// Peers by id; ids are never reused, so removing one leaves the others' ids alone.
using PeerTable = std::map<PeerId, std::unique_ptr<Peer>>;

}  // namespace nvabgpd::session
