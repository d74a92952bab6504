#pragma once
// A daemon::PeerTransport for replays: the script's sessions. It records what the daemon
// sends (decoded to text with the peer's negotiated parameters) and its start/stop/shutdown
// calls; the driver raises the session events through callbacks().
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "message_text.hpp"
#include "peer_transport.hpp"
#include "transcript.hpp"

namespace nvabgpd::replay {

class MemoryTransport final : public daemon::PeerTransport {
 public:
  MemoryTransport(Transcript& t, session::SessionCallbacks cb) : t_(t), cb_(std::move(cb)) {}

  std::optional<std::string> listen() override { return std::nullopt; }
  session::PeerId add_peer(session::PeerConfig config) override {
    const session::PeerId id = next_id_++;  // from 1, never reused (as SessionManager)
    t_.names[id] = config.name;
    peers_.emplace(id, Peer{std::move(config), {}});
    return id;
  }
  void remove_peer(session::PeerId id, const std::string& message) override {
    t_.line(fmt::format("transport remove {} \"{}\"", t_.name(id), message));
    peers_.erase(id);
  }
  void reconfigure_peer(session::PeerId id, session::PeerConfig config,
                        const std::string& message) override {
    t_.line(fmt::format("transport reconfigure {} \"{}\"", t_.name(id), message));
    Peer& p = peers_.at(id);
    p.cfg = std::move(config);
    p.negotiated.reset();
  }
  void stop_for_prefix_limit(session::PeerId id, std::chrono::seconds restart_after,
                             wire::AfiSafi af, std::uint32_t limit) override {
    t_.line(fmt::format("transport stop {} prefix-limit af={}/{} limit={} restart-after={}s",
                        t_.name(id), static_cast<int>(af.afi), static_cast<int>(af.safi), limit,
                        restart_after.count()));
  }
  void start_peer(session::PeerId id) override { t_.line("transport start " + t_.name(id)); }
  void stop_peer(session::PeerId id, const std::string& message) override {
    t_.line(fmt::format("transport stop {} \"{}\"", t_.name(id), message));
  }
  bool drop_peer(session::PeerId id, std::uint8_t subcode, const std::string& reason) override {
    t_.line(fmt::format("transport drop {} cease/{} \"{}\"", t_.name(id), subcode, reason));
    return established(id);
  }
  void shutdown(const std::string& message, std::function<void()> done,
                const std::function<bool(session::PeerId)>& keep) override {
    for (const auto& [id, p] : peers_)
      t_.line(fmt::format("transport shutdown {} {}", t_.name(id),
                          keep && keep(id) ? "kept (no NOTIFICATION)" : "\"" + message + "\""));
    done();
  }
  void set_graceful_restart(session::PeerId id,
                            std::optional<wire::GracefulRestartCap> gr) override {
    t_.line(fmt::format("transport graceful-restart {} restart-state={}", t_.name(id),
                        gr && gr->restart_state));
  }
  bool send(session::PeerId id, std::shared_ptr<const std::vector<std::uint8_t>> msg) override {
    if (!established(id)) return false;
    wire::SessionParams params = peers_.at(id).negotiated->params();
    std::span<const std::uint8_t> rest(*msg);
    while (rest.size() >= wire::kHeaderSize) {
      const std::size_t len = (std::size_t{rest[16]} << 8) | rest[17];
      if (len < wire::kHeaderSize || len > rest.size()) break;
      t_.line("send " + t_.name(id) + " " + message_text(rest.first(len), params));
      rest = rest.subspan(len);
    }
    if (!rest.empty()) t_.line(fmt::format("send {} {} trailing bytes", t_.name(id), rest.size()));
    return true;
  }
  bool request_refresh(session::PeerId id, wire::AfiSafi af) override {
    if (!established(id) || !peers_.at(id).negotiated->route_refresh) return false;
    t_.line("send " + t_.name(id) + " " + message_text(wire::RouteRefresh{af, 0}));
    return true;
  }
  bool send_refresh_marker(session::PeerId id, wire::AfiSafi af, bool begin) override {
    if (!established(id) || !peers_.at(id).negotiated->enhanced_route_refresh) return false;
    t_.line("send " + t_.name(id) + " " +
            message_text(wire::RouteRefresh{af, static_cast<std::uint8_t>(begin ? 1 : 2)}));
    return true;
  }
  std::vector<session::PeerId> peers() const override {
    std::vector<session::PeerId> out;
    for (const auto& [id, p] : peers_) out.push_back(id);
    return out;
  }
  bool congested(session::PeerId) const override { return false; }
  session::PeerStats stats(session::PeerId id) const override {
    session::PeerStats s;
    s.state = established(id) ? session::State::Established : session::State::Idle;
    return s;
  }

  // Script side.
  session::PeerId id_of(const std::string& name) const {
    for (const auto& [id, p] : peers_)
      if (p.cfg.name == name) return id;
    throw std::runtime_error("no peer named " + name);
  }
  const session::PeerConfig& config(session::PeerId id) const { return peers_.at(id).cfg; }
  void set_established(session::PeerId id, std::optional<session::Negotiated> n) {
    peers_.at(id).negotiated = std::move(n);
  }
  bool established(session::PeerId id) const {
    const auto it = peers_.find(id);
    return it != peers_.end() && it->second.negotiated;
  }
  const std::optional<session::Negotiated>& negotiated(session::PeerId id) const {
    return peers_.at(id).negotiated;
  }
  const session::SessionCallbacks& callbacks() const { return cb_; }

 private:
  struct Peer {
    session::PeerConfig cfg;
    std::optional<session::Negotiated> negotiated;
  };
  Transcript& t_;
  session::SessionCallbacks cb_;
  std::map<session::PeerId, Peer> peers_;
  session::PeerId next_id_ = 1;
};

}  // namespace nvabgpd::replay
