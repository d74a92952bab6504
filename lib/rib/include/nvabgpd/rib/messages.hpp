#pragma once
// The plain values the RIB exchanges with the session layer and the FIB (wired by daemon/).
// The RIB never includes session or fib headers; they never include rib's.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/base/fib_batch.hpp"
#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/attrs.hpp"
#include "nvabgpd/rib/filter.hpp"
#include "nvabgpd/wire/attributes.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::rib {

using PeerId = std::uint32_t;  // assigned by the daemon; 0 is reserved for "local"
inline constexpr PeerId kLocalPeer = 0;

enum class LimitAction : std::uint8_t {
  Warn,     // report once, keep accepting
  Block,    // report once, refuse routes for new prefixes while at the limit
  Restart,  // report; the daemon tears the session down and retries after restart_after
};

struct PrefixLimit {
  std::uint32_t max = 0;  // 0: no limit
  LimitAction action = LimitAction::Warn;
  std::chrono::seconds restart_after{60};
};

// Everything the RIB needs to know about an established session. Fields that change how
// routes are exported (ebgp, local_asn, next_hop_self, rr_client,
// route_server_client, export filter, export limit, families, mrai) define the update group.
struct PeerUp {
  PeerId id = 0;
  std::string name;
  base::IpAddress address;                          // the neighbour's address
  base::IpAddress local_address;                    // our address on this session (next-hop-self)
  std::optional<base::IpAddress> local_address_v6;  // next-hop-self for IPv6 over an IPv4 session
  std::uint32_t local_asn = 0;
  std::uint32_t remote_asn = 0;
  std::uint32_t remote_router_id = 0;
  std::vector<wire::AfiSafi> families{wire::kIpv4Unicast};
  bool rr_client = false;            // we reflect to / from this iBGP peer as its route reflector
  bool route_server_client = false;  // RFC 7947: no prepend, next hop and MED unchanged
  bool next_hop_self = false;        // iBGP: set next hop to ourselves (eBGP does by default)
  bool next_hop_unchanged = false;   // eBGP: keep the next hop (third party / multihop)
  unsigned allowas_in = 0;           // accept this many occurrences of our ASN in AS_PATH
  // LOCAL_PREF given to a received route that has none, before the import filter (BIRD's
  // `default bgp_local_pref`); nullopt: RibConfig::decision.default_local_pref.
  std::optional<std::uint32_t> default_local_pref;
  bool soft_reconfig_in = false;           // keep the pre-policy Adj-RIB-In copy
  bool resend_on_refresh = true;           // false: answer a route refresh with End-of-RIB only
  bool enhanced_route_refresh = false;     // negotiated RFC 7313: a re-send is framed by BoRR/EoRR
  bool graceful_restart = false;           // the peer negotiated RFC 4724 (we are helper)
  std::chrono::seconds restart_time{120};  // peer's announced restart time
  std::chrono::seconds stale_time{360};    // how long stale routes wait for End-of-RIB
  std::chrono::milliseconds mrai{0};       // minimum advertisement interval, 0 = none
  PrefixLimit import_limit;
  PrefixLimit export_limit;  // action Block/Warn: stop adding routes (never drop the session)
  FilterPtr import_filter;   // null = accept all
  FilterPtr export_filter;   // null = accept all

  bool ebgp() const { return local_asn != remote_asn; }
};

struct PeerDown {
  PeerId id = 0;
  // True when the session dropped in a way that lets RFC 4724 helper mode keep its routes.
  bool graceful = false;
};

struct UpdateIn {
  PeerId peer = 0;
  wire::Update update;
};

struct RefreshRequest {  // the peer asked us to re-send (ROUTE-REFRESH received)
  PeerId peer = 0;
  wire::AfiSafi af = wire::kIpv4Unicast;
};

// Next-hop-self in outbound attributes: the RIB stores the unspecified address (0.0.0.0 or
// ::) and the encoder writes the receiving peer's own local address, so that peers with
// different local addresses share one update group (one export run, one Adj-RIB-Out).
inline bool is_self_next_hop(const base::IpAddress& a) { return a.is_unspecified(); }
// The NEXT_HOP a peer with these own addresses must receive for `nh` (as found in an
// Announce's attributes).
inline base::IpAddress self_next_hop(const base::IpAddress& nh, const base::IpAddress& self_v4,
                                     const std::optional<base::IpAddress>& self_v6) {
  if (!is_self_next_hop(nh)) return nh;
  return nh.is_v6() ? self_v6.value_or(self_v4) : self_v4;
}
inline base::IpAddress self_next_hop(const base::IpAddress& nh, const PeerUp& to) {
  return self_next_hop(nh, to.local_address, to.local_address_v6);
}

// One attribute set and the prefixes that leave with it (one or more UPDATEs after encoding).
struct Announce {
  AttrRef attrs;
  // A member of the group that must not receive these prefixes (it is the route's source);
  // 0 when every member receives them.
  PeerId except = 0;
  std::vector<base::Prefix> prefixes;
};

struct PeerWithdraw {
  PeerId peer = 0;
  std::vector<base::Prefix> prefixes;
};

// Output toward a set of peers sharing one Adj-RIB-Out: encode once, write to each.
struct OutboundBatch {
  std::uint32_t group = 0;
  std::vector<PeerId> peers;  // receivers (one peer for a per-peer dump)
  std::vector<Announce> announce;
  std::vector<base::Prefix> withdraw;
  // Withdrawals for every receiver except `peer`: the member that was the routes' source and
  // so never held them (one list per such member, usually the one upstream peer).
  std::vector<PeerWithdraw> withdraw_except;
  std::vector<PeerWithdraw> peer_withdraw;  // extra withdrawals for single members
  std::vector<wire::AfiSafi> end_of_rib;    // sent after the announcements
  // Enhanced Route Refresh (RFC 7313 4): BoRR for these families before anything else in the
  // batch, EoRR after everything (End-of-RIB included). Set only for a re-send to a peer that
  // negotiated it.
  std::vector<wire::AfiSafi> refresh_begin;
  std::vector<wire::AfiSafi> refresh_end;
  bool empty() const {
    return announce.empty() && withdraw.empty() && withdraw_except.empty() &&
           peer_withdraw.empty() && end_of_rib.empty() && refresh_begin.empty() &&
           refresh_end.empty();
  }
};

// A FIB change set: the one type the FIB consumes (base/fib_batch.hpp).
using FibBatch = base::FibBatch;

// Things the daemon must act on or log (the RIB does not log).
struct RibEvent {
  enum class Kind : std::uint8_t {
    ImportLimitReached,  // warn/block
    ImportLimitRestart,  // tear the session down, retry after `after`
    ExportLimitReached,  // routes are being held back toward the peer
    ExportLimitCleared,
    StaleSwept,        // graceful restart: stale routes removed
    SendRouteRefresh,  // ask the peer to re-send (no soft-reconfig copy)
  };
  Kind kind = Kind::ImportLimitReached;
  PeerId peer = 0;
  wire::AfiSafi af = wire::kIpv4Unicast;
  std::uint64_t count = 0;
  std::chrono::seconds after{0};
  std::string message;
};

}  // namespace nvabgpd::rib
