#include "monitoring.hpp"

#include "daemon.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::daemon {

Monitoring::Monitoring(boost::asio::io_context& io, Daemon& d) : bmp_(io, d), mrt_(io, d) {}

void Monitoring::start() {
  bmp_.start();
  mrt_.start();
}

bool Monitoring::wants_updates() const { return bmp_.any_connected() || mrt_.writes_messages(); }

void Monitoring::peer_up(const PeerRuntime& p, const session::PeerUp& up) { bmp_.peer_up(p, up); }

void Monitoring::peer_down(const PeerRuntime& p, const session::PeerDown& down) {
  bmp_.peer_down(p, down);
}

void Monitoring::state_change(const PeerRuntime& p, session::State from, session::State to) {
  mrt_.state_change(p, from, to);
}

void Monitoring::update_received(const PeerRuntime& p, const wire::Update& u) {
  if (!wants_updates()) return;
  const auto bytes = wire::encode(u, wire::SessionParams{true, true});
  bmp_.update_received(p, bytes);
  mrt_.update_received(p, bytes);
}

void Monitoring::update_applied(const PeerRuntime& p, const wire::Update& u) {
  bmp_.update_applied(p, u);
}

void Monitoring::shutdown(std::function<void()> done) {
  mrt_.shutdown();
  bmp_.shutdown(std::move(done));
}

}  // namespace nvabgpd::daemon
