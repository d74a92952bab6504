#pragma once
// BFD over UDP (RFC 5881 single-hop, RFC 5883 multihop) on Boost.Asio: one bfd::Session per
// configured neighbour, the listeners, and a timer per session. Only src/manager.cpp includes
// Asio.
//
//   UDP 3784/4784 --recvmsg (TTL)--> decode() --6.8.6 checks--> Session::on_packet
//   timer (next_deadline) --> Session::on_timer --send_now--> make_packet --> per-session socket
//   StateChange --> callbacks.on_state (the daemon ties it to the BGP session)
//
// Sending: each session has its own socket bound to a source port in 49152-65535 (RFC 5881 4),
// TTL/hop limit 255. Receiving: single-hop packets must arrive with TTL/hop limit 255 (RFC 5881
// 5, GTSM); multihop packets are accepted with any TTL and matched by source address.
// Thread: everything runs on the io_context thread given to the constructor.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/base/result.hpp"
#include "nvabgpd/bfd/session.hpp"

namespace boost::asio {
class io_context;
}

namespace nvabgpd::bfd {

using SessionId = std::uint32_t;  // our discriminator

struct PeerSpec {
  std::string name;  // for logs and `show bfd`
  base::IpAddress remote;
  std::optional<base::IpAddress> local;  // source address; unset: the kernel chooses
  bool multihop = false;                 // RFC 5883, port 4784, no TTL check
  SessionConfig timers;
};

struct SessionInfo {
  SessionId id = 0;
  PeerSpec spec;
  State state = State::Down;
  State remote_state = State::Down;
  Diag local_diag = Diag::None;
  Diag remote_diag = Diag::None;
  std::uint32_t local_discr = 0;
  std::uint32_t remote_discr = 0;
  Micros tx_interval{0};     // in force, before jitter
  Micros detection_time{0};  // in force
  Micros remote_min_rx{0};
  Micros remote_min_tx{0};
  std::uint8_t remote_detect_mult = 0;
  std::uint16_t source_port = 0;
  std::chrono::system_clock::time_point since;  // last state change
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t up_count = 0;  // transitions to Up
};

struct ManagerCallbacks {
  std::function<void(SessionId, const PeerSpec&, const StateChange&)> on_state;
};

struct ManagerStats {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;  // failed decode, TTL check, or no session
  std::string last_drop;      // why the last one was dropped
};

class Manager {
 public:
  // `clock` must outlive the manager; jitter comes from `seed` (0: random).
  Manager(boost::asio::io_context& io, const base::Clock& clock, ManagerCallbacks callbacks,
          std::uint64_t seed = 0);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Opens the listener of the session's kind (once) and its sending socket; starts sending
  // Down packets at once. Error text when a socket cannot be opened.
  base::Result<SessionId, std::string> add(PeerSpec spec);
  // New intervals for a session (a Poll Sequence when Up).
  void update(SessionId id, SessionConfig timers);
  // Sends one AdminDown packet (RFC 5880 6.8.16) and forgets the session.
  void remove(SessionId id);
  // Diagnostics for `show bfd`, in the order sessions were added.
  std::vector<SessionInfo> sessions() const;
  std::optional<SessionInfo> session(SessionId id) const;
  ManagerStats stats() const;
  // The port listeners use: the RFC ports unless a test overrides them (0: RFC port).
  void set_ports_for_testing(std::uint16_t single_hop, std::uint16_t multihop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nvabgpd::bfd
