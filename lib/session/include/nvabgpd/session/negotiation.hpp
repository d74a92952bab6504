#pragma once
// OPEN validation (RFC 4271 6.2, RFC 5492, RFC 6286, RFC 6793) and the negotiated facts of a
// session, plus connection collision resolution (RFC 4271 6.8). Pure functions.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "nvabgpd/base/result.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::session {

// What we expect of a peer's OPEN.
struct OpenExpectation {
  std::uint32_t local_asn = 0;
  std::uint32_t local_id = 0;
  std::uint32_t peer_asn = 0;                     // the configured remote ASN
  std::chrono::seconds hold_time{90};             // what we proposed
  std::chrono::seconds min_hold_time{3};          // smallest non-zero hold we accept (RFC: >= 3)
  std::optional<std::chrono::seconds> keepalive;  // configured interval; nullopt: hold / 3
};

// The capabilities both sides agreed on: what the rest of the daemon needs to know.
struct Negotiated {
  std::uint32_t peer_asn = 0;
  std::uint32_t peer_id = 0;
  std::chrono::seconds hold_time{0};  // 0: no keepalives, no hold timer
  std::chrono::seconds keepalive{0};
  bool four_octet_as = false;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::vector<wire::AfiSafi> families;  // in both OPENs (implicit IPv4 unicast: RFC 4760 7)
  std::optional<wire::GracefulRestartCap> peer_graceful_restart;  // what the peer announced
  bool graceful_restart = false;                                  // both sides announced it
  std::vector<wire::RawCapability> unknown;  // the peer's capabilities we ignored

  wire::SessionParams params() const {
    return wire::SessionParams{four_octet_as, extended_message};
  }
  bool ebgp(std::uint32_t local_asn) const { return peer_asn != local_asn; }
  bool operator==(const Negotiated&) const = default;
};

// The KEEPALIVE interval for a negotiated hold time: the configured one (or a third of the
// hold time), but never more than a third of a hold time the peer made shorter than ours, and
// at least 1 s. 0 when the hold time is 0 (no keepalives).
std::chrono::seconds keepalive_interval(std::chrono::seconds negotiated_hold,
                                        const OpenExpectation& expect);

// The OPEN we send: version 4, AS_TRANS in the 2-octet field when the ASN needs 4 octets.
wire::Open make_open(std::uint32_t asn, std::uint32_t bgp_id, std::chrono::seconds hold,
                     wire::Capabilities caps);

// Validates the peer's OPEN against ours; on failure the NOTIFICATION to send.
base::Result<Negotiated, wire::Notification> negotiate(const wire::Open& ours,
                                                       const wire::Open& theirs,
                                                       const OpenExpectation& expect);

// RFC 4271 6.8 with RFC 6286 2.3 for equal identifiers: which connection survives.
enum class Survivor : std::uint8_t { LocallyInitiated, RemotelyInitiated };
Survivor resolve_collision(std::uint32_t local_id, std::uint32_t remote_id, std::uint32_t local_asn,
                           std::uint32_t remote_asn);

}  // namespace nvabgpd::session
