// PeerTransport over session::SessionManager: the daemon's real transport (TCP sockets).
#include <boost/asio/io_context.hpp>

#include "nvabgpd/wire/codec.hpp"
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
  void start_peer(session::PeerId id) override { sm_.start_peer(id); }
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
  bool send_route_refresh(session::PeerId id, wire::AfiSafi af) override {
    const auto n = sm_.negotiated(id);
    if (!n || !n->route_refresh) return false;
    return sm_.send(id, std::make_shared<const std::vector<std::uint8_t>>(
                            wire::encode(wire::RouteRefresh{af, 0}, n->params())));
  }
  bool congested(session::PeerId id) const override { return sm_.congested(id); }
  session::PeerStats stats(session::PeerId id) const override { return sm_.stats(id); }

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
