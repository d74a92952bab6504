#pragma once
// Internal to lib/wire: per-message decoders/encoders behind decode()/encode(), and the helpers
// they share for building DecodeResults and message headers.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::wire::detail {

inline constexpr std::size_t kMinOpenSize = 29;
inline constexpr std::size_t kMinUpdateSize = 23;
inline constexpr std::size_t kMinNotificationSize = 21;
inline constexpr std::size_t kRouteRefreshSize = 23;
inline constexpr std::size_t kMarkerSize = 16;

// Validates a message header (at least kHeaderSize bytes): marker, length bounds (including
// the per-type minimums of RFC 4271 6.1) and type. Returns false and fills `error` with the
// NOTIFICATION to send; otherwise sets length and type.
bool check_header(std::span<const std::uint8_t> header, std::size_t max_size, std::uint16_t& length,
                  std::uint8_t& type, Notification& error);

// Appends marker, a length placeholder and the type; returns the message's start offset.
std::size_t begin_message(std::vector<std::uint8_t>& out, MessageType type);
// Back-patches the length of the message started at `start`.
void finish_message(std::vector<std::uint8_t>& out, std::size_t start);

// Records an error and raises the result's action to at least `action`.
void add_error(DecodeResult& r, ErrorAction action, std::uint8_t attr_type, std::string reason);
// Records a session reset: the message is dropped and `notification` is what to send.
void reset_session(DecodeResult& r, std::uint8_t code, std::uint8_t subcode,
                   std::vector<std::uint8_t> data, std::uint8_t attr_type, std::string reason);

// Bodies exclude the 19-byte header; `whole` is the complete message (some errors quote it).
void decode_open(std::span<const std::uint8_t> body, DecodeResult& r);
void decode_update(std::span<const std::uint8_t> body, const SessionParams& params,
                   DecodeResult& r);
void decode_notification(std::span<const std::uint8_t> body, DecodeResult& r);
void decode_route_refresh(std::span<const std::uint8_t> whole, DecodeResult& r);

void encode_open(const Open& m, std::vector<std::uint8_t>& out);
void encode_update(const Update& m, const SessionParams& params, std::vector<std::uint8_t>& out);
void encode_notification(const Notification& m, const SessionParams& params,
                         std::vector<std::uint8_t>& out);
void encode_route_refresh(const RouteRefresh& m, std::vector<std::uint8_t>& out);

}  // namespace nvabgpd::wire::detail
