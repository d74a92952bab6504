#pragma once
// BFD Control packet (RFC 5880 4.1) codec: pure functions, no sockets, no clock.
// decode() applies the reception checks of RFC 5880 6.8.6 that need only the packet itself
// (version, length, detect multiplier, multipoint, discriminators, authentication); the
// session-level checks (Your Discriminator lookup) are the caller's.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace nvabgpd::bfd {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kPacketLength = 24;       // without authentication
inline constexpr std::uint16_t kSingleHopPort = 3784;  // RFC 5881
inline constexpr std::uint16_t kMultihopPort = 4784;   // RFC 5883

// RFC 5880 4.1 "State (Sta)".
enum class State : std::uint8_t { AdminDown = 0, Down = 1, Init = 2, Up = 3 };

// RFC 5880 4.1 "Diagnostic (Diag)".
enum class Diag : std::uint8_t {
  None = 0,
  ControlDetectionExpired = 1,
  EchoFailed = 2,
  NeighborSignaledDown = 3,
  ForwardingPlaneReset = 4,
  PathDown = 5,
  ConcatenatedPathDown = 6,
  AdminDown = 7,
  ReverseConcatenatedPathDown = 8,
};

std::string_view to_string(State s);
std::string_view to_string(Diag d);

struct Packet {
  Diag diag = Diag::None;
  State state = State::Down;
  bool poll = false;
  bool final = false;
  bool control_plane_independent = false;
  bool demand = false;
  std::uint8_t detect_mult = 3;
  std::uint32_t my_discr = 0;
  std::uint32_t your_discr = 0;
  std::uint32_t desired_min_tx_us = 1'000'000;
  std::uint32_t required_min_rx_us = 1'000'000;
  std::uint32_t required_min_echo_rx_us = 0;
  bool operator==(const Packet&) const = default;
};

// Why a received packet was discarded (RFC 5880 6.8.6, in the order the RFC checks).
enum class DecodeError : std::uint8_t {
  TooShort,           // fewer than 24 bytes (or than the Length field says)
  BadVersion,         // version is not 1
  BadLength,          // Length < 24 (26 with A), or larger than the datagram
  ZeroDetectMult,     // Detect Mult is zero
  Multipoint,         // M bit set
  ZeroMyDiscr,        // My Discriminator is zero
  ZeroYourDiscr,      // Your Discriminator zero while State is not Down/AdminDown
  AuthNotConfigured,  // A bit set; nvabgpd configures no authentication
};
std::string_view to_string(DecodeError e);

struct Decoded {
  std::optional<Packet> packet;
  DecodeError error = DecodeError::TooShort;  // meaningful when !packet
};

Decoded decode(std::span<const std::uint8_t> datagram);
std::vector<std::uint8_t> encode(const Packet& p);

}  // namespace nvabgpd::bfd
