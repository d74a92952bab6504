#include "nvabgpd/session/negotiation.hpp"

#include <algorithm>

#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::session {

namespace {

wire::Notification open_error(std::uint8_t subcode, std::vector<std::uint8_t> data = {}) {
  return wire::Notification{wire::err::kOpenMessageError, subcode, std::move(data)};
}

std::vector<wire::AfiSafi> families_of(const wire::Capabilities& caps) {
  // RFC 4760 section 7: a speaker without the multiprotocol capability does IPv4 unicast.
  if (caps.multiprotocol.empty()) return {wire::kIpv4Unicast};
  return caps.multiprotocol;
}

}  // namespace

wire::Open make_open(std::uint32_t asn, std::uint32_t bgp_id, std::chrono::seconds hold,
                     wire::Capabilities caps) {
  wire::Open o;
  o.version = 4;
  o.my_as = asn > 0xffff ? wire::kAsTrans : static_cast<std::uint16_t>(asn);
  o.hold_time = static_cast<std::uint16_t>(std::clamp<long long>(hold.count(), 0, 0xffff));
  o.bgp_id = bgp_id;
  caps.four_octet_as = asn;
  o.caps = std::move(caps);
  return o;
}

std::chrono::seconds keepalive_interval(std::chrono::seconds negotiated_hold,
                                        const OpenExpectation& expect) {
  using std::chrono::seconds;
  if (negotiated_hold.count() == 0) return seconds{0};
  seconds ka = expect.keepalive.value_or(negotiated_hold / 3);
  if (negotiated_hold < expect.hold_time) ka = std::min(ka, negotiated_hold / 3);
  return std::max(ka, seconds{1});
}

base::Result<Negotiated, wire::Notification> negotiate(const wire::Open& ours,
                                                       const wire::Open& theirs,
                                                       const OpenExpectation& expect) {
  if (theirs.version != 4) {
    // Data: the largest version we support (2 octets).
    return base::Err{open_error(wire::err::kOpenUnsupportedVersion, {0, 4})};
  }
  const std::uint32_t asn = theirs.asn();
  if (asn != expect.peer_asn || asn == 0 ||
      (theirs.caps.four_octet_as && asn <= 0xffff && theirs.my_as != asn)) {
    std::vector<std::uint8_t> data{static_cast<std::uint8_t>(theirs.my_as >> 8),
                                   static_cast<std::uint8_t>(theirs.my_as)};
    return base::Err{open_error(wire::err::kOpenBadPeerAs, std::move(data))};
  }
  const bool ibgp = asn == expect.local_asn;
  if (theirs.bgp_id == 0 || (ibgp && theirs.bgp_id == expect.local_id)) {
    return base::Err{open_error(wire::err::kOpenBadBgpId)};
  }
  if (theirs.hold_time != 0 &&
      (theirs.hold_time < 3 || theirs.hold_time < expect.min_hold_time.count())) {
    return base::Err{open_error(wire::err::kOpenUnacceptableHoldTime)};
  }

  Negotiated n;
  n.peer_asn = asn;
  n.peer_id = theirs.bgp_id;
  n.hold_time = std::chrono::seconds(std::min(ours.hold_time, theirs.hold_time));
  n.keepalive = keepalive_interval(n.hold_time, expect);
  n.four_octet_as = ours.caps.four_octet_as.has_value() && theirs.caps.four_octet_as.has_value();
  n.route_refresh = ours.caps.route_refresh && theirs.caps.route_refresh;
  n.enhanced_route_refresh = ours.caps.enhanced_route_refresh && theirs.caps.enhanced_route_refresh;
  n.extended_message = ours.caps.extended_message && theirs.caps.extended_message;
  n.peer_graceful_restart = theirs.caps.graceful_restart;
  n.graceful_restart = ours.caps.graceful_restart && theirs.caps.graceful_restart;
  n.unknown = theirs.caps.unknown;

  const auto mine = families_of(ours.caps);
  for (const auto& f : families_of(theirs.caps)) {
    if (std::find(mine.begin(), mine.end(), f) != mine.end() &&
        std::find(n.families.begin(), n.families.end(), f) == n.families.end()) {
      n.families.push_back(f);
    }
  }
  if (n.families.empty()) {
    // RFC 5492 section 5: Unsupported Capability, data = the capabilities we need.
    std::vector<std::uint8_t> data;
    for (const auto& f : mine) {
      const auto afi = static_cast<std::uint16_t>(f.afi);
      data.insert(data.end(),
                  {wire::cap::kMultiprotocol, 4, static_cast<std::uint8_t>(afi >> 8),
                   static_cast<std::uint8_t>(afi), 0, static_cast<std::uint8_t>(f.safi)});
    }
    return base::Err{open_error(wire::err::kOpenUnsupportedCapability, std::move(data))};
  }
  std::sort(n.families.begin(), n.families.end());
  return n;
}

Survivor resolve_collision(std::uint32_t local_id, std::uint32_t remote_id, std::uint32_t local_asn,
                           std::uint32_t remote_asn) {
  // 6.8: the identifiers compare as host-order integers. If the local one is lower, the
  // connection the local system initiated is closed.
  if (local_id != remote_id) {
    return local_id < remote_id ? Survivor::RemotelyInitiated : Survivor::LocallyInitiated;
  }
  // RFC 6286 2.3: equal identifiers (eBGP only): the larger ASN's connection survives.
  return local_asn > remote_asn ? Survivor::LocallyInitiated : Survivor::RemotelyInitiated;
}

}  // namespace nvabgpd::session
