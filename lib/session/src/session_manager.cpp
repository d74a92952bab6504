// SessionManager: owns the peers (peer.hpp: FSM driver, negotiation, collisions), their
// connections (connection.hpp: socket, framing, write queue) and the listeners
// (listener.hpp), and applies the public operations to them. One io_context thread owns
// everything here.
#include "nvabgpd/session/session_manager.hpp"

#include <stdexcept>

#include "context.hpp"
#include "listener.hpp"
#include "peer.hpp"

namespace nvabgpd::session {

struct SessionManager::Impl {
  Impl(asio::io_context& io, SpeakerConfig sp, SessionCallbacks cb, const base::Clock& c,
       std::uint64_t seed)
      : ctx(io, std::move(sp), std::move(cb), c, seed), listeners(ctx, peers) {}

  Peer* peer(PeerId id) {
    const auto it = peers.find(id);
    return it == peers.end() ? nullptr : it->second.get();
  }
  const Peer& peer_ref(PeerId id) const {
    const auto it = peers.find(id);
    if (it == peers.end()) throw std::out_of_range("unknown PeerId");
    return *it->second;
  }

  Context ctx;
  PeerTable peers;
  PeerId next_id = 1;  // ids start at 1 (0: none) and are never reused
  Listeners listeners;
};

SessionManager::SessionManager(asio::io_context& io, SpeakerConfig speaker,
                               SessionCallbacks callbacks, const base::Clock& clock,
                               std::uint64_t seed)
    : impl_(std::make_unique<Impl>(io, std::move(speaker), std::move(callbacks), clock, seed)) {}

SessionManager::~SessionManager() = default;

std::optional<std::string> SessionManager::listen() { return impl_->listeners.open(); }

PeerId SessionManager::add_peer(PeerConfig config) {
  const PeerId id = impl_->next_id++;
  auto& p = impl_->peers[id] = std::make_unique<Peer>(impl_->ctx, id, std::move(config));
  impl_->listeners.peer_added(p->config());
  return id;
}

void SessionManager::start_peer(PeerId id) {
  if (Peer* p = impl_->peer(id)) p->start();
}

void SessionManager::stop_peer(PeerId id, const std::string& shutdown_message) {
  if (Peer* p = impl_->peer(id)) p->stop(shutdown_message);
}

void SessionManager::stop_for_prefix_limit(PeerId id, std::chrono::seconds restart_after,
                                           wire::AfiSafi af, std::uint32_t limit) {
  if (Peer* p = impl_->peer(id)) p->stop_for_prefix_limit(restart_after, af, limit);
}

bool SessionManager::drop_peer(PeerId id, std::uint8_t cease_subcode, const std::string& reason) {
  Peer* p = impl_->peer(id);
  return p && p->drop(cease_subcode, reason);
}

void SessionManager::shutdown(const std::string& shutdown_message, std::function<void()> done,
                              const std::function<bool(PeerId)>& keep) {
  Context& ctx = impl_->ctx;
  ctx.stopping = true;
  for (const auto& [id, p] : impl_->peers)
    if (!keep || !keep(id)) p->stop(shutdown_message);
  impl_->listeners.close();
  ctx.shutdown_done = std::move(done);
  ctx.shutdown_timer.expires_after(std::chrono::seconds(3));
  ctx.shutdown_timer.async_wait([&ctx](const ErrorCode& err) {
    if (!err && ctx.shutdown_done) asio::post(ctx.io, std::exchange(ctx.shutdown_done, nullptr));
  });
  ctx.maybe_shutdown_done();
}

void SessionManager::set_graceful_restart(PeerId id, std::optional<wire::GracefulRestartCap> gr) {
  if (Peer* p = impl_->peer(id)) p->set_graceful_restart(std::move(gr));
}

bool SessionManager::send(PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> message) {
  Peer* p = impl_->peer(id);
  return p && p->send(std::move(message));
}

bool SessionManager::request_refresh(PeerId id, wire::AfiSafi af) {
  Peer* p = impl_->peer(id);
  return p && p->send_route_refresh(af, 0);
}

bool SessionManager::send_refresh_marker(PeerId id, wire::AfiSafi af, bool begin) {
  Peer* p = impl_->peer(id);
  return p && p->send_route_refresh(af, begin ? 1 : 2);
}

bool SessionManager::congested(PeerId id) const { return impl_->peer_ref(id).congested(); }

const PeerConfig& SessionManager::config(PeerId id) const { return impl_->peer_ref(id).config(); }

PeerStats SessionManager::stats(PeerId id) const { return impl_->peer_ref(id).stats(); }

std::optional<Negotiated> SessionManager::negotiated(PeerId id) const {
  return impl_->peer_ref(id).negotiated();
}

std::size_t SessionManager::read_buffer_bytes() const {
  std::size_t n = 0;
  for (const auto& [id, p] : impl_->peers) n += p->read_buffer_bytes();
  return n;
}

void SessionManager::replace_config(PeerId id, PeerConfig config) {
  Peer* p = impl_->peer(id);
  if (!p) return;
  impl_->listeners.peer_removed(p->config());  // the key of the old address
  p->reconfigure(std::move(config));
  impl_->listeners.peer_added(p->config());
}

void SessionManager::release(PeerId id) {
  const auto it = impl_->peers.find(id);
  if (it == impl_->peers.end()) return;
  impl_->listeners.peer_removed(it->second->config());
  impl_->peers.erase(it);  // a Connection still flushing a NOTIFICATION lingers alone
  impl_->listeners.update_ttl();
}

std::vector<PeerId> SessionManager::peers() const {
  std::vector<PeerId> out;
  for (const auto& [id, p] : impl_->peers) out.push_back(id);
  return out;
}

}  // namespace nvabgpd::session
