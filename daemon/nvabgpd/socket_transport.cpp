// PeerTransport over session::SessionManager: the daemon's real transport (TCP sockets).
#include <boost/asio/io_context.hpp>

#include "peer_transport.hpp"

namespace nvabgpd::daemon {

namespace {

class SocketTransport final : public PeerTransport {
 public:
  SocketTransport(boost::asio::io_context& io, session::SpeakerConfig speaker,
                  session::SessionCallbacks callbacks, const base::Clock& clock)
      : sm_(io, std::move(speaker), std::move(callbacks), clock) {}

  std::optional<std::string> listen() override { return sm_.listen(); }
  session::PeerId add_peer(session::PeerConfig config) override {
    return sm_.add_peer(std::move(config));
  }
  void remove_peer(session::PeerId id, const std::string& message) override {
    sm_.remove_peer(id, message);
  }
  void reconfigure_peer(session::PeerId id, session::PeerConfig config,
                        const std::string& message) override {
    sm_.reconfigure_peer(id, std::move(config), message);
  }
  void start_peer(session::PeerId id) override { sm_.start_peer(id); }
  void stop_for_prefix_limit(session::PeerId id, std::chrono::seconds restart_after,
                             wire::AfiSafi af, std::uint32_t limit) override {
    sm_.stop_for_prefix_limit(id, restart_after, af, limit);
  }
  void stop_peer(session::PeerId id, const std::string& message) override {
    sm_.stop_peer(id, message);
  }
  bool drop_peer(session::PeerId id, std::uint8_t cease_subcode,
                 const std::string& reason) override {
    return sm_.drop_peer(id, cease_subcode, reason);
  }
  void shutdown(const std::string& message, std::function<void()> done,
                const std::function<bool(session::PeerId)>& keep) override {
    sm_.shutdown(message, std::move(done), keep);
  }
  void set_graceful_restart(session::PeerId id,
                            std::optional<wire::GracefulRestartCap> gr) override {
    sm_.set_graceful_restart(id, std::move(gr));
  }
  bool send(session::PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> msg) override {
    return sm_.send(id, std::move(msg));
  }
  bool request_refresh(session::PeerId id, wire::AfiSafi af) override {
    return sm_.request_refresh(id, af);
  }
  bool send_refresh_marker(session::PeerId id, wire::AfiSafi af, bool begin) override {
    return sm_.send_refresh_marker(id, af, begin);
  }
  bool congested(session::PeerId id) const override { return sm_.congested(id); }
  session::PeerStats stats(session::PeerId id) const override { return sm_.stats(id); }
  std::vector<session::PeerId> peers() const override { return sm_.peers(); }

 private:
  session::SessionManager sm_;
};

}  // namespace

std::unique_ptr<PeerTransport> socket_transport(boost::asio::io_context& io,
                                                session::SpeakerConfig speaker,
                                                session::SessionCallbacks callbacks,
                                                const base::Clock& clock) {
  return std::make_unique<SocketTransport>(io, std::move(speaker), std::move(callbacks), clock);
}

}  // namespace nvabgpd::daemon
