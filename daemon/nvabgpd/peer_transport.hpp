#pragma once
// What the daemon needs from the BGP transport: its peers' sessions started and stopped, the
// UPDATEs it encoded sent, and the sessions' counters. Events come back through
// session::SessionCallbacks given to the factory.
//
// main() wires session::SessionManager (sockets, FSMs, timers) through socket_transport(); a
// test wires an in-memory transport (tests/replay) that plays recorded sessions into the
// callbacks and records what the daemon sends.
// Thread: the io_context thread, like SessionManager.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/session/session_manager.hpp"

namespace boost::asio {
class io_context;
}

namespace nvabgpd::daemon {

class PeerTransport {
 public:
  virtual ~PeerTransport() = default;

  // The calls below are SessionManager's (see session_manager.hpp for their meaning).
  virtual std::optional<std::string> listen() = 0;
  virtual session::PeerId add_peer(session::PeerConfig config) = 0;
  virtual void remove_peer(session::PeerId id, const std::string& shutdown_message) = 0;
  virtual void reconfigure_peer(session::PeerId id, session::PeerConfig config,
                                const std::string& shutdown_message) = 0;
  virtual void start_peer(session::PeerId id) = 0;
  virtual void stop_peer(session::PeerId id, const std::string& shutdown_message) = 0;
  virtual void stop_for_prefix_limit(session::PeerId id, std::chrono::seconds restart_after,
                                     wire::AfiSafi af, std::uint32_t limit) = 0;
  virtual bool drop_peer(session::PeerId id, std::uint8_t cease_subcode,
                         const std::string& reason) = 0;
  virtual void shutdown(const std::string& shutdown_message, std::function<void()> done,
                        const std::function<bool(session::PeerId)>& keep) = 0;
  virtual void set_graceful_restart(session::PeerId id,
                                    std::optional<wire::GracefulRestartCap> gr) = 0;
  // Pre-encoded messages for an Established peer (shared by every member of an update group).
  virtual bool send(session::PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> msg) = 0;
  // A ROUTE-REFRESH (RFC 2918) for `af`, when the peer is Established and negotiated it.
  virtual bool request_refresh(session::PeerId id, wire::AfiSafi af) = 0;
  // BoRR (`begin`) / EoRR (RFC 7313), when Enhanced Route Refresh was negotiated.
  virtual bool send_refresh_marker(session::PeerId id, wire::AfiSafi af, bool begin) = 0;
  virtual bool congested(session::PeerId id) const = 0;
  virtual session::PeerStats stats(session::PeerId id) const = 0;
  virtual std::vector<session::PeerId> peers() const = 0;
};

using TransportFactory = std::function<std::unique_ptr<PeerTransport>(
    boost::asio::io_context& io, session::SpeakerConfig speaker,
    session::SessionCallbacks callbacks, const base::Clock& clock)>;

// The real one: session::SessionManager over TCP sockets.
std::unique_ptr<PeerTransport> socket_transport(boost::asio::io_context& io,
                                                session::SpeakerConfig speaker,
                                                session::SessionCallbacks callbacks,
                                                const base::Clock& clock);

}  // namespace nvabgpd::daemon
