#pragma once
// The BGP transport: listeners, one FSM per TCP connection (two while a collision is being
// resolved), framing, write queues, timers, TCP-MD5/TTL/GTSM socket options, the messages the
// session layer sends on its own (ROUTE-REFRESH) and the restart after a prefix limit.
//
// Threading: every method and every callback runs on the io_context's single thread, which
// owns all session state; there are no locks. Boost.Asio stays behind the pimpl: this header
// only forward-declares io_context, so including it costs nothing.
//
// Event flow toward the rest of the daemon (plain values, no RIB types):
//   socket -> Framer -> wire::decode -> Fsm event -> callbacks.on_up / on_down /
//   on_update (UpdateIn) / on_refresh (RefreshRequest); the daemon sends pre-encoded buffers
//   with send().
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/session/fsm.hpp"
#include "nvabgpd/session/negotiation.hpp"
#include "nvabgpd/session/peer_config.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace boost::asio {
class io_context;
}

namespace nvabgpd::session {

// One id per configured peer, used by the RIB and the daemon as well. Ids start at 1 (0 is
// "none", the RIB's locally originated routes) and are never given again.
using PeerId = std::uint32_t;

struct PeerUp {
  PeerId peer = 0;
  Negotiated negotiated;
  base::IpAddress local_address;  // of the surviving TCP connection
  base::IpAddress remote_address;
  // For monitoring (BMP Peer Up): the OPENs as decoded, and the TCP ports.
  wire::Open sent_open;
  wire::Open received_open;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
};

struct PeerDown {
  PeerId peer = 0;
  std::string reason;  // e.g. "hold timer expired", "NOTIFICATION received: Cease/..."
  std::optional<wire::Notification> sent;
  std::optional<wire::Notification> received;
};

struct UpdateIn {
  PeerId peer = 0;
  wire::Update update;
  wire::ErrorAction action = wire::ErrorAction::None;  // RFC 7606 outcome (never Reset)
  std::vector<wire::AttributeError> errors;
};

struct RefreshRequest {
  PeerId peer = 0;
  wire::RouteRefresh refresh;
};

struct StateChange {
  PeerId peer = 0;
  std::uint64_t connection = 0;  // connection generation, unique per TCP connection
  bool outgoing = false;         // we initiated this connection
  State from = State::Idle;
  State to = State::Idle;
  Event event = Event::ManualStart;
};

struct NotificationEvent {
  PeerId peer = 0;
  bool sent = false;  // false: received
  wire::Notification notification;
};

struct RejectedConnection {
  base::IpAddress remote;
  std::uint16_t remote_port = 0;
  std::string reason;
};

struct PeerStats {
  State state = State::Idle;  // the most advanced state over the peer's connections
  std::uint64_t opens_in = 0, opens_out = 0;
  std::uint64_t keepalives_in = 0, keepalives_out = 0;
  std::uint64_t updates_in = 0, updates_out = 0;
  std::uint64_t notifications_in = 0, notifications_out = 0;
  std::uint64_t refreshes_in = 0;
  std::uint64_t established_count = 0;  // how many times the session came up
  std::size_t queued_bytes = 0;
};

struct SessionCallbacks {
  std::function<void(const PeerUp&)> on_up;
  std::function<void(const PeerDown&)> on_down;
  std::function<void(UpdateIn&&)> on_update;
  std::function<void(const RefreshRequest&)> on_refresh;
  std::function<void(const StateChange&)> on_state;  // state changes only
  // Every event an FSM handled, with from == to when the state stayed (e.g. a ConnectRetry
  // expiry in Connect, which starts a new connection attempt). For tests and debugging.
  std::function<void(const StateChange&)> on_fsm_event;
  std::function<void(const NotificationEvent&)> on_notification;
  std::function<void(const RejectedConnection&)> on_rejected;
  std::function<void(PeerId, wire::MessageType)> on_message_in;  // every message received
  std::function<void(PeerId)> on_drained;  // write queue fell below the low watermark
};

class SessionManager {
 public:
  static constexpr std::size_t kHighWatermark = 4u << 20;  // bytes queued: congested above
  static constexpr std::size_t kLowWatermark = 1u << 20;   // on_drained below, after congested

  // `clock` must outlive the manager; jitter comes from `seed` (0: random).
  SessionManager(boost::asio::io_context& io, SpeakerConfig speaker, SessionCallbacks callbacks,
                 const base::Clock& clock, std::uint64_t seed = 0);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Opens the listeners (and sets TCP-MD5 keys of peers added before). Error text on failure.
  std::optional<std::string> listen();
  // Adds a peer (Idle, not started) and installs its TCP-MD5 key on the listeners.
  PeerId add_peer(PeerConfig config);
  // Stops the peer as stop_peer() does (on_down fires if it was Established), then frees
  // everything it held: connections, counters, its TCP-MD5 key on the listeners.
  // (peer_removal.cpp)
  void remove_peer(PeerId id, const std::string& shutdown_message);
  // New settings for a peer (a restart by reload): stops it as stop_peer() does, then its next
  // connection uses `config`. The id and the totals in stats() (messages, established_count)
  // carry on. The caller starts it again. (peer_removal.cpp)
  void reconfigure_peer(PeerId id, PeerConfig config, const std::string& shutdown_message);
  // ManualStart (passive peers: ManualStart_with_PassiveTcpEstablishment).
  void start_peer(PeerId id);
  // ManualStop: Cease/Administrative Shutdown with the RFC 8203 message, no restart.
  void stop_peer(PeerId id, const std::string& shutdown_message);
  // A prefix limit was exceeded: the Established connection gets Cease/Maximum Number of
  // Prefixes Reached carrying `af` and `limit` (RFC 4486 4; an AutomaticStop, RFC 4271 8.1.2),
  // the others are stopped as by stop_peer(); the peer starts again after `restart_after`
  // unless stop_peer, start_peer or shutdown comes first.
  void stop_for_prefix_limit(PeerId id, std::chrono::seconds restart_after, wire::AfiSafi af,
                             std::uint32_t limit);
  // AutomaticStop of the peer's Established connection (if any) with Cease/`cease_subcode`;
  // the peer restarts after its IdleHold as after any error. For BFD Down (RFC 9384 subcode
  // 10). False when no connection was Established.
  bool drop_peer(PeerId id, std::uint8_t cease_subcode, const std::string& reason);
  // Stops every peer with Cease and calls `done` once every NOTIFICATION has been flushed
  // (or after a 3 s deadline). Peers for which `keep(id)` is true are left alone: no
  // NOTIFICATION, their connections close when the process exits (RFC 4724: a graceful
  // restart helper keeps our routes across a TCP close, not across a NOTIFICATION).
  void shutdown(const std::string& shutdown_message, std::function<void()> done,
                const std::function<bool(PeerId)>& keep = {});
  // The Graceful Restart capability of the OPENs sent from now on (e.g. the Restart State bit
  // cleared once a restarting speaker has converged).
  void set_graceful_restart(PeerId id, std::optional<wire::GracefulRestartCap> gr);

  // Queues pre-encoded messages (one, or several back to back) for an Established peer. False
  // when the peer is not Established. The buffer is shared, so one encoding can go to many
  // peers.
  bool send(PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> message);
  bool congested(PeerId id) const;
  // ROUTE-REFRESH for `af` (RFC 2918), to an Established peer that negotiated Route Refresh.
  // False when not sent.
  bool request_refresh(PeerId id, wire::AfiSafi af);
  // Enhanced Route Refresh (RFC 7313 4): BoRR (`begin`) before a re-send of `af`, EoRR after
  // it, to a peer that negotiated Enhanced Route Refresh. Queued in order with send().
  bool send_refresh_marker(PeerId id, wire::AfiSafi af, bool begin);

  const PeerConfig& config(PeerId id) const;
  PeerStats stats(PeerId id) const;
  std::optional<Negotiated> negotiated(PeerId id) const;
  std::vector<PeerId> peers() const;  // every peer added and not removed
  // Bytes of read buffers held by the peers' connections (a connection gets one only once its
  // socket is up; 4 KiB until the OPENs are exchanged, then 64 KiB).
  std::size_t read_buffer_bytes() const;

 private:
  // The parts of remove_peer / reconfigure_peer that reach into Impl; the peer is stopped.
  void release(PeerId id);
  void replace_config(PeerId id, PeerConfig config);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nvabgpd::session
