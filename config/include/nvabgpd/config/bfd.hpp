#pragma once
// Per-peer BFD settings (`bfd:` in a peer or template; docs/config.md). Plain values.
#include <cstdint>

namespace nvabgpd::config {

inline constexpr std::uint32_t kDefaultBfdIntervalMs = 300;
inline constexpr std::uint8_t kDefaultBfdMultiplier = 3;

struct BfdConfig {
  bool enabled = false;
  std::uint32_t min_tx_ms = kDefaultBfdIntervalMs;  // DesiredMinTxInterval once Up
  std::uint32_t min_rx_ms = kDefaultBfdIntervalMs;  // RequiredMinRxInterval
  std::uint8_t multiplier = kDefaultBfdMultiplier;  // Detect Mult
  // RFC 5883 (UDP 4784, any TTL) instead of RFC 5881 single-hop (3784, TTL 255). Default: on
  // when the peer has `multihop`.
  bool multihop = false;
  bool operator==(const BfdConfig&) const = default;
};

}  // namespace nvabgpd::config
