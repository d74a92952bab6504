#pragma once
// BMP export (RFC 7854) to every configured station: Initiation, Peer Up / Peer Down, Route
// Monitoring for the pre-policy Adj-RIB-In (each UPDATE as received) and the post-policy
// Adj-RIB-In (L flag: the paths the import filter accepted, as the RIB holds them), periodic
// Statistics Reports and Termination at shutdown.
//
// A station that (re)connects is synced: Initiation, a Peer Up per established peer, then the
// post-policy Adj-RIB-In of every peer from a sliced walk of the Loc-RIB (paced by the station's
// buffer), then End-of-RIB per peer and family; then the pre-policy Adj-RIB-In of the peers
// with soft-reconfiguration (the RIB keeps no pre-policy copy otherwise; for the others the
// station sees pre-policy routes only from the UPDATEs received after it connected), each
// followed by a pre-policy End-of-RIB.
// Thread: the io_context thread.
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bmp_station.hpp"
#include "nvabgpd/bmp/messages.hpp"
#include "nvabgpd/session/session_manager.hpp"
#include "table_walk.hpp"

namespace nvabgpd::daemon {

class Daemon;
struct PeerRuntime;

class BmpExporter {
 public:
  BmpExporter(boost::asio::io_context& io, Daemon& daemon);
  ~BmpExporter();
  void start();
  void peer_up(const PeerRuntime& p, const session::PeerUp& up);
  void peer_down(const PeerRuntime& p, const session::PeerDown& down);
  // `encoded`: the UPDATE as received (4-octet AS_PATH encoding).
  void update_received(const PeerRuntime& p, std::span<const std::uint8_t> encoded);
  // After the RIB took the UPDATE: the post-policy state of its prefixes.
  void update_applied(const PeerRuntime& p, const wire::Update& u);
  void shutdown(std::function<void()> done);
  // Some station is connected (else there is nothing to encode).
  bool any_connected() const;

 private:
  class PrePolicyReplay;
  struct Station {
    std::unique_ptr<BmpStation> conn;
    std::shared_ptr<TableWalk> walk;
    std::shared_ptr<PrePolicyReplay> replay;
  };
  void sync(Station& s);
  void send_all(BmpStation::Message m);
  void send_stats();
  void arm_stats();
  bmp::PeerHeader header(const PeerRuntime& p, bool post_policy) const;
  // Post-policy Route Monitoring for `prefixes` of peer `p` (withdrawn when not held).
  std::vector<BmpStation::Message> post_policy(const PeerRuntime& p,
                                               std::span<const base::Prefix> prefixes) const;
  // Route Monitoring for routes `held` (announced) and `withdrawn`, pre- or post-policy.
  std::vector<BmpStation::Message> encode_routes(
      const PeerRuntime& p, bool post, std::span<const std::pair<base::Prefix, rib::AttrRef>> held,
      std::span<const base::Prefix> withdrawn) const;
  void send_peer_up(BmpStation& s, const PeerRuntime& p);
  void send_end_of_rib(BmpStation& conn, const PeerRuntime& p, bool post);

  boost::asio::io_context& io_;
  Daemon& d_;
  std::vector<std::unique_ptr<Station>> stations_;
  boost::asio::steady_timer stats_timer_;
  std::uint32_t stats_interval_ = 0;
};

}  // namespace nvabgpd::daemon
