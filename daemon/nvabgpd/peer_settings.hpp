#pragma once
// The one translation of a configured peer (config::PeerConfig) into what the session layer
// and the RIB are told about it, and of the peers' RIB-wide options into rib::RibConfig.
// Pure functions of their arguments: the daemon supplies what only it knows (restart state,
// the filter objects, the session's negotiated values).
#include "nvabgpd/config/model.hpp"
#include "nvabgpd/rib/rib.hpp"
#include "nvabgpd/session/session_manager.hpp"

namespace nvabgpd::daemon {

// RFC 4724 state of this speaker, for the Graceful Restart capability of our OPENs.
struct RestartState {
  bool restarting = false;  // Restart State bit: restarting and not yet converged
  bool forwarding = false;  // Forwarding State: the kernel routes survive (or survived) restarts
};

session::PeerConfig session_settings(const config::Config& cfg, const config::PeerConfig& pc,
                                     RestartState restart);

// The filters the RIB runs for the peer (built by the daemon from its program and route
// control) and the update group key of its export filter.
struct PeerFilters {
  rib::FilterPtr import;
  rib::FilterPtr export_;
};

// What the RIB knows of a configured peer before its session is up.
rib::PeerUp rib_settings(const config::Config& cfg, const config::PeerConfig& pc, rib::PeerId id,
                         PeerFilters filters);
// ... and once it is: the negotiated values of the session `up`.
rib::PeerUp rib_settings(const config::Config& cfg, const config::PeerConfig& pc, rib::PeerId id,
                         PeerFilters filters, const session::PeerUp& up);

// RIB-wide options, some of which are set per peer in the config: the first peer's cluster-id
// is the route reflector's, always-compare-med on any peer applies to every comparison.
// `fib`: the RIB produces the FIB stream.
rib::RibConfig rib_config(const config::Config& cfg, bool fib);

}  // namespace nvabgpd::daemon
