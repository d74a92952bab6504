#include "nvabgpd/bfd/packet.hpp"

#include "nvabgpd/base/byte_reader.hpp"
#include "nvabgpd/base/byte_writer.hpp"

namespace nvabgpd::bfd {

namespace {
constexpr std::uint8_t kFlagPoll = 0x20;
constexpr std::uint8_t kFlagFinal = 0x10;
constexpr std::uint8_t kFlagCpi = 0x08;
constexpr std::uint8_t kFlagAuth = 0x04;
constexpr std::uint8_t kFlagDemand = 0x02;
constexpr std::uint8_t kFlagMultipoint = 0x01;

Decoded fail(DecodeError e) { return Decoded{std::nullopt, e}; }
}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::AdminDown:
      return "AdminDown";
    case State::Down:
      return "Down";
    case State::Init:
      return "Init";
    case State::Up:
      return "Up";
  }
  return "?";
}

std::string_view to_string(Diag d) {
  switch (d) {
    case Diag::None:
      return "none";
    case Diag::ControlDetectionExpired:
      return "control-detection-time-expired";
    case Diag::EchoFailed:
      return "echo-function-failed";
    case Diag::NeighborSignaledDown:
      return "neighbor-signaled-session-down";
    case Diag::ForwardingPlaneReset:
      return "forwarding-plane-reset";
    case Diag::PathDown:
      return "path-down";
    case Diag::ConcatenatedPathDown:
      return "concatenated-path-down";
    case Diag::AdminDown:
      return "administratively-down";
    case Diag::ReverseConcatenatedPathDown:
      return "reverse-concatenated-path-down";
  }
  return "reserved";
}

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::TooShort:
      return "shorter than a BFD Control packet";
    case DecodeError::BadVersion:
      return "version is not 1";
    case DecodeError::BadLength:
      return "bad Length field";
    case DecodeError::ZeroDetectMult:
      return "Detect Mult is zero";
    case DecodeError::Multipoint:
      return "Multipoint bit set";
    case DecodeError::ZeroMyDiscr:
      return "My Discriminator is zero";
    case DecodeError::ZeroYourDiscr:
      return "Your Discriminator is zero outside Down/AdminDown";
    case DecodeError::AuthNotConfigured:
      return "authentication present but not configured";
  }
  return "?";
}

Decoded decode(std::span<const std::uint8_t> datagram) {
  base::ByteReader r(datagram);
  std::uint8_t vers_diag = 0, flags = 0, mult = 0, length = 0;
  if (!r.read_u8(vers_diag) || !r.read_u8(flags) || !r.read_u8(mult) || !r.read_u8(length))
    return fail(DecodeError::TooShort);
  if ((vers_diag >> 5) != kVersion) return fail(DecodeError::BadVersion);
  const bool auth = (flags & kFlagAuth) != 0;
  // 6.8.6: Length below the minimum (24, or 26 with the A bit) or beyond the payload.
  if (length < (auth ? kPacketLength + 2 : kPacketLength)) return fail(DecodeError::BadLength);
  if (length > datagram.size()) return fail(DecodeError::BadLength);
  if (mult == 0) return fail(DecodeError::ZeroDetectMult);
  if ((flags & kFlagMultipoint) != 0) return fail(DecodeError::Multipoint);
  Packet p;
  const std::uint8_t diag = vers_diag & 0x1F;
  p.diag = diag <= static_cast<std::uint8_t>(Diag::ReverseConcatenatedPathDown)
               ? static_cast<Diag>(diag)
               : Diag::None;  // reserved codes carry no meaning for us
  p.state = static_cast<State>(flags >> 6);
  p.poll = (flags & kFlagPoll) != 0;
  p.final = (flags & kFlagFinal) != 0;
  p.control_plane_independent = (flags & kFlagCpi) != 0;
  p.demand = (flags & kFlagDemand) != 0;
  p.detect_mult = mult;
  if (!r.read_u32(p.my_discr) || !r.read_u32(p.your_discr) || !r.read_u32(p.desired_min_tx_us) ||
      !r.read_u32(p.required_min_rx_us) || !r.read_u32(p.required_min_echo_rx_us))
    return fail(DecodeError::TooShort);  // unreachable: length >= 24 was checked
  if (p.my_discr == 0) return fail(DecodeError::ZeroMyDiscr);
  if (p.your_discr == 0 && p.state != State::Down && p.state != State::AdminDown)
    return fail(DecodeError::ZeroYourDiscr);
  if (auth) return fail(DecodeError::AuthNotConfigured);
  return Decoded{p, DecodeError::TooShort};
}

std::vector<std::uint8_t> encode(const Packet& p) {
  std::vector<std::uint8_t> out;
  out.reserve(kPacketLength);
  base::ByteWriter w(out);
  w.put_u8(static_cast<std::uint8_t>((kVersion << 5) | (static_cast<std::uint8_t>(p.diag) & 0x1F)));
  std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.state) << 6);
  if (p.poll) flags |= kFlagPoll;
  if (p.final) flags |= kFlagFinal;
  if (p.control_plane_independent) flags |= kFlagCpi;
  if (p.demand) flags |= kFlagDemand;
  w.put_u8(flags);
  w.put_u8(p.detect_mult);
  w.put_u8(static_cast<std::uint8_t>(kPacketLength));
  w.put_u32(p.my_discr);
  w.put_u32(p.your_discr);
  w.put_u32(p.desired_min_tx_us);
  w.put_u32(p.required_min_rx_us);
  w.put_u32(p.required_min_echo_rx_us);
  return out;
}

}  // namespace nvabgpd::bfd
