#pragma once
// BFD for BGP peers: one bfd::Session per peer with `bfd.enabled`, and what BFD Down does to
// the BGP session.
//
//   config peers --sync()--> bfd::Manager (UDP 3784/4784) --state change--> on_state():
//     Up -> Down (detection time expired, neighbour signalled Down, ...)
//        --> drop(peer): Cease/BFD Down (RFC 9384 subcode 10), as FRR's bgpd does; the
//            session restarts after its IdleHold like after any error.
//     Up -> Down because the neighbour went AdminDown: nothing (RFC 5882 3.2).
//     never Up (the neighbour has no BFD): nothing; BGP is never held back by BFD.
//
// Thread: the daemon's io_context thread.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/bfd/manager.hpp"
#include "nvabgpd/config/model.hpp"
#include "nvabgpd/session/session_manager.hpp"

namespace nvabgpd::daemon {

class BfdLink {
 public:
  // `drop(peer, reason)`: take the BGP session down at once.
  using Drop = std::function<void(session::PeerId, const std::string&)>;

  BfdLink(boost::asio::io_context& io, const base::Clock& clock, Drop drop);
  ~BfdLink();

  // Brings the BFD sessions in line with the peers (index = session id): adds sessions for
  // enabled peers with bfd, updates timers in place (Poll Sequence), removes the rest
  // (AdminDown). A session that cannot be opened is logged and shown; BGP is unaffected.
  void sync(const std::vector<std::pair<session::PeerId, const config::PeerConfig*>>& peers);
  // AdminDown to every neighbour (daemon shutdown).
  void shutdown();

  // `show bfd`: one object per session (docs/control-protocol.md).
  nlohmann::json show() const;

 private:
  struct Link {
    session::PeerId peer = 0;
    std::optional<bfd::SessionId> id;
    bfd::PeerSpec spec;
    std::string error;  // why there is no session
    bool dropped_bgp = false;
    std::uint64_t bgp_drops = 0;
  };
  void on_state(bfd::SessionId id, const bfd::StateChange& c);
  static bfd::PeerSpec spec_for(const config::PeerConfig& pc);

  std::unique_ptr<bfd::Manager> mgr_;
  Drop drop_;
  std::map<session::PeerId, Link> links_;
};

}  // namespace nvabgpd::daemon
