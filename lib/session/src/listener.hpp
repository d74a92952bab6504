#pragma once
// The listening sockets: accept with a backoff when accept() keeps failing (no descriptors or
// memory left), refusal of connections from addresses that are no configured peer (the peer
// refuses the rest: Peer::incoming), TCP-MD5 keys per peer address, and GTSM on the listener.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "context.hpp"
#include "peer.hpp"

namespace nvabgpd::session {

class Listeners {
 public:
  Listeners(Context& ctx, const PeerTable& peers) : ctx_(ctx), peers_(peers) {}

  // Opens a listener per SpeakerConfig::listen entry, installs the peers' TCP-MD5 keys and
  // GTSM filters, and starts accepting. Error text on failure.
  std::optional<std::string> open();
  void close();
  // A peer was added: its TCP-MD5 key, and the GTSM settings of every listener.
  void peer_added(const PeerConfig& cfg);
  // A peer was removed (or is about to get new settings): its TCP-MD5 key goes. Call
  // update_ttl() once it is out of the peer table.
  void peer_removed(const PeerConfig& cfg);
  // Recomputes the GTSM filter and minimum TTL of every listener from the peers.
  void update_ttl();

 private:
  // One listening socket; accept errors that persist (no file descriptors or memory left) are
  // retried after a growing delay instead of at once.
  struct Socket {
    explicit Socket(asio::io_context& io) : acc(io), retry(io) {}
    tcp::acceptor acc;
    asio::steady_timer retry;
    std::chrono::milliseconds backoff{0};
    std::uint64_t failures = 0;  // failed accepts in the current episode
    int min_ttl = 0;             // IP_MINTTL / IPV6_MINHOPCOUNT set on the socket (0: none)
    base::Family family = base::Family::V4;
    std::string name;
  };

  void accept(Socket& l);
  void incoming(const ConnectionPtr& ch);
  void reject(const ConnectionPtr& ch, const base::IpAddress& remote, std::uint16_t port,
              const std::string& why, bool log = true);
  // `key`: the peer's password unless given; "" removes the key of the peer's address.
  void install_md5(const PeerConfig& cfg, std::optional<std::string_view> key = std::nullopt);

  Context& ctx_;
  const PeerTable& peers_;
  std::vector<std::unique_ptr<Socket>> sockets_;
};

}  // namespace nvabgpd::session
