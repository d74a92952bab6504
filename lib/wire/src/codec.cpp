// decode()/encode() dispatch and the message header shared by every message type.
#include "message_codec.hpp"
#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/wire/notification.hpp"

#include <fmt/format.h>

namespace nvabgpd::wire {
namespace detail {

namespace {
std::vector<std::uint8_t> u16_data(std::uint16_t v) {
  std::vector<std::uint8_t> out;
  base::ByteWriter(out).put_u16(v);
  return out;
}
}  // namespace

bool check_header(std::span<const std::uint8_t> header, std::size_t max_size, std::uint16_t& length,
                  std::uint8_t& type, Notification& error) {
  for (std::size_t i = 0; i < kMarkerSize; ++i) {
    if (header[i] != 0xFF) {
      error = Notification{err::kMessageHeaderError, err::kHeaderConnectionNotSynchronized, {}};
      return false;
    }
  }
  length = static_cast<std::uint16_t>((header[16] << 8) | header[17]);
  type = header[18];
  auto bad_length = [&] {
    error = Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, u16_data(length)};
    return false;
  };
  if (length < kHeaderSize || length > max_size) return bad_length();
  switch (static_cast<MessageType>(type)) {
    case MessageType::Open:
      // RFC 8654: OPEN stays within 4096 octets even when extended messages are negotiated.
      if (length < kMinOpenSize || length > kMaxMessageSize) return bad_length();
      return true;
    case MessageType::Update:
      if (length < kMinUpdateSize) return bad_length();
      return true;
    case MessageType::Notification:
      if (length < kMinNotificationSize) return bad_length();
      return true;
    case MessageType::Keepalive:
      if (length != kHeaderSize) return bad_length();
      return true;
    case MessageType::RouteRefresh:
      // RFC 7313 wants the whole message quoted for a bad BoRR/EoRR length, so the exact length
      // is checked by the ROUTE-REFRESH decoder, which sees the subtype.
      return true;
  }
  error = Notification{err::kMessageHeaderError, err::kHeaderBadMessageType, {type}};
  return false;
}

std::size_t begin_message(std::vector<std::uint8_t>& out, MessageType type) {
  const std::size_t start = out.size();
  out.insert(out.end(), kMarkerSize, 0xFF);
  out.push_back(0);
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(type));
  return start;
}

void finish_message(std::vector<std::uint8_t>& out, std::size_t start) {
  base::ByteWriter(out).patch_u16(start + 16, static_cast<std::uint16_t>(out.size() - start));
}

void add_error(DecodeResult& r, ErrorAction action, std::uint8_t attr_type, std::string reason) {
  if (action > r.action) r.action = action;
  r.errors.push_back(AttributeError{attr_type, action, std::move(reason)});
}

void reset_session(DecodeResult& r, std::uint8_t code, std::uint8_t subcode,
                   std::vector<std::uint8_t> data, std::uint8_t attr_type, std::string reason) {
  add_error(r, ErrorAction::SessionReset, attr_type, std::move(reason));
  r.message.reset();
  if (!r.notification) r.notification = Notification{code, subcode, std::move(data)};
}

}  // namespace detail

DecodeResult decode(std::span<const std::uint8_t> message, const SessionParams& params) {
  DecodeResult r;
  if (message.size() < kHeaderSize) {
    std::vector<std::uint8_t> data;
    if (message.size() >= 18) data = {message[16], message[17]};
    detail::reset_session(
        r, err::kMessageHeaderError, err::kHeaderBadMessageLength, std::move(data), 0,
        fmt::format("message of {} bytes is shorter than the header", message.size()));
    return r;
  }
  std::uint16_t length = 0;
  std::uint8_t type = 0;
  Notification error;
  if (!detail::check_header(message.first(kHeaderSize), params.max_message_size(), length, type,
                            error)) {
    detail::reset_session(r, error.code, error.subcode, error.data, 0,
                          "message header: " + describe(error));
    return r;
  }
  if (length != message.size()) {
    detail::reset_session(
        r, err::kMessageHeaderError, err::kHeaderBadMessageLength, {message[16], message[17]}, 0,
        fmt::format("length field {} but {} bytes given", length, message.size()));
    return r;
  }
  const auto body = message.subspan(kHeaderSize);
  switch (static_cast<MessageType>(type)) {
    case MessageType::Open:
      detail::decode_open(body, r);
      break;
    case MessageType::Update:
      detail::decode_update(body, params, r);
      break;
    case MessageType::Notification:
      detail::decode_notification(body, r);
      break;
    case MessageType::Keepalive:
      r.message = Keepalive{};
      break;
    case MessageType::RouteRefresh:
      detail::decode_route_refresh(message, r);
      break;
  }
  return r;
}

std::vector<std::uint8_t> encode(const Message& message, const SessionParams& params) {
  std::vector<std::uint8_t> out;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Open>) {
          detail::encode_open(m, out);
        } else if constexpr (std::is_same_v<T, Update>) {
          detail::encode_update(m, params, out);
        } else if constexpr (std::is_same_v<T, Notification>) {
          detail::encode_notification(m, params, out);
        } else if constexpr (std::is_same_v<T, Keepalive>) {
          const auto start = detail::begin_message(out, MessageType::Keepalive);
          detail::finish_message(out, start);
        } else {
          detail::encode_route_refresh(m, out);
        }
      },
      message);
  return out;
}

}  // namespace nvabgpd::wire
