#pragma once
// BMP (RFC 7854) message encoders: pure functions from values to the bytes a monitoring
// station reads. No sockets, no clock (timestamps are inputs), no logging. BGP PDUs carried
// inside (OPENs, UPDATEs, NOTIFICATIONs) are passed in already encoded, header included.
// Encoders only: nvabgpd never parses BMP, so there is no decoder to fuzz.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::bmp {

inline constexpr std::uint8_t kVersion = 3;
inline constexpr std::size_t kCommonHeaderSize = 6;
inline constexpr std::size_t kPeerHeaderSize = 42;

enum class MessageType : std::uint8_t {
  RouteMonitoring = 0,
  StatisticsReport = 1,
  PeerDown = 2,
  PeerUp = 3,
  Initiation = 4,
  Termination = 5,
};

// Per-peer header flags (RFC 7854 4.2).
namespace peer_flag {
inline constexpr std::uint8_t kV = 0x80;  // the peer address is IPv6
inline constexpr std::uint8_t kL = 0x40;  // post-policy Adj-RIB-In (clear: pre-policy)
inline constexpr std::uint8_t kA = 0x20;  // AS_PATH uses 2-octet ASNs (legacy format)
}  // namespace peer_flag

struct PeerHeader {
  std::uint8_t type = 0;  // 0: global instance peer
  bool post_policy = false;
  bool two_octet_as = false;  // the carried UPDATEs use 2-octet AS_PATHs
  std::uint64_t distinguisher = 0;
  base::IpAddress address;
  std::uint32_t asn = 0;
  std::uint32_t bgp_id = 0;
  std::uint32_t seconds = 0;
  std::uint32_t microseconds = 0;
};

// Information TLV types (Initiation 4.4, Termination 4.5).
namespace info {
inline constexpr std::uint16_t kString = 0;
inline constexpr std::uint16_t kSysDescr = 1;
inline constexpr std::uint16_t kSysName = 2;
}  // namespace info

// Peer Down reasons (4.9).
enum class PeerDownReason : std::uint8_t {
  LocalNotification = 1,    // data: the NOTIFICATION we sent
  LocalNoNotification = 2,  // data: 2-octet FSM event code
  RemoteNotification = 3,   // data: the NOTIFICATION received
  RemoteNoNotification = 4,
  Deconfigured = 5,
};

// Termination reasons (4.5, type 1).
enum class TerminationReason : std::uint16_t {
  AdministrativelyClosed = 0,
  Unspecified = 1,
  OutOfResources = 2,
  RedundantConnection = 3,
  PermanentlyClosed = 4,
};

// Statistics types (4.8) nvabgpd reports.
namespace stat {
inline constexpr std::uint16_t kRejectedByPolicy = 0;  // 32-bit counter
inline constexpr std::uint16_t kAsPathLoop = 4;        // 32-bit counter
inline constexpr std::uint16_t kAdjRibIn = 7;          // 64-bit gauge
inline constexpr std::uint16_t kLocRib = 8;            // 64-bit gauge
}  // namespace stat

struct Stat {
  std::uint16_t type = 0;
  std::uint64_t value = 0;
  bool gauge64 = false;  // 8-octet value (types 7, 8); else a 4-octet counter
};

using Bytes = std::vector<std::uint8_t>;

Bytes initiation(const std::string& sys_name, const std::string& sys_descr);
Bytes termination(TerminationReason reason, const std::string& text);
// `local_address` / ports of the TCP session; the OPENs as sent and as received.
Bytes peer_up(const PeerHeader& peer, const base::IpAddress& local_address,
              std::uint16_t local_port, std::uint16_t remote_port,
              std::span<const std::uint8_t> sent_open, std::span<const std::uint8_t> received_open);
Bytes peer_down(const PeerHeader& peer, PeerDownReason reason, std::span<const std::uint8_t> data);
Bytes route_monitoring(const PeerHeader& peer, std::span<const std::uint8_t> update);
Bytes statistics(const PeerHeader& peer, std::span<const Stat> stats);

}  // namespace nvabgpd::bmp
