#pragma once
// What the session layer needs to know about the local speaker and each peer. Plain values;
// config/ builds them from YAML, the test probe from the command line.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/attributes.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::session {

struct ListenEndpoint {
  base::IpAddress address;  // 0.0.0.0 or :: for any
  std::uint16_t port = 179;
};

struct SpeakerConfig {
  std::uint32_t asn = 0;
  std::uint32_t router_id = 0;  // BGP identifier, host order
  std::vector<ListenEndpoint> listen;
};

struct PeerConfig {
  std::string name;
  std::string description;
  base::IpAddress address;
  std::uint16_t port = 179;  // where we connect to
  std::uint32_t asn = 0;
  std::optional<base::IpAddress> local_address;   // bind the active connection to this
  bool passive = false;                           // never connect, only accept
  std::chrono::seconds hold_time{90};             // proposed
  std::optional<std::chrono::seconds> keepalive;  // nullopt: a third of the negotiated hold
  std::chrono::seconds min_hold_time{3};
  std::chrono::seconds connect_retry{30};
  // DampPeerOscillations (RFC 4271 8.1.1): after a failure the peer is held Idle (our connects
  // AND its incoming connections) for idle_hold, doubling per consecutive failure up to
  // idle_hold_max; the count is forgotten once a session has stayed Established for
  // damp_reset_after.
  std::chrono::seconds idle_hold{5};
  std::chrono::seconds idle_hold_max{120};
  std::chrono::seconds damp_reset_after{120};
  // RFC 9687 SendHoldTime: a connection whose socket accepts none of our queued bytes this long
  // is dropped with NOTIFICATION 8. nullopt: max(8 min, 2 x hold time), the RFC's suggestion.
  std::optional<std::chrono::seconds> send_hold_time;
  // Bytes queued for the socket above which the session is dropped with Cease/Out of Resources
  // (RFC 4486 subcode 8), the unsent backlog freed.
  std::size_t send_queue_limit = std::size_t{64} << 20;
  // Outgoing TTL: eBGP default 1 (directly connected); `multihop N` sets N; iBGP default 64.
  std::optional<std::uint8_t> multihop;
  bool gtsm = false;     // RFC 5082: send TTL 255, accept only 255 - (hops - 1) and above
  std::string password;  // RFC 2385 TCP-MD5 key (at most 80 octets); empty: none
  std::vector<wire::AfiSafi> families{wire::AfiSafi{}};  // default IPv4 unicast
  bool route_refresh = true;
  bool enhanced_route_refresh = true;
  bool extended_message = false;
  std::optional<wire::GracefulRestartCap> graceful_restart;
};

}  // namespace nvabgpd::session
