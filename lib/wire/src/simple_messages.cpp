// NOTIFICATION (RFC 4271 4.5) and ROUTE-REFRESH (RFC 2918, RFC 7313) bodies.
#include <fmt/format.h>

#include "message_codec.hpp"
#include "nvabgpd/base/byte_reader.hpp"
#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire::detail {

void decode_notification(std::span<const std::uint8_t> body, DecodeResult& r) {
  base::ByteReader in(body);
  Notification n;
  if (!in.read_u8(n.code) || !in.read_u8(n.subcode)) {
    reset_session(r, err::kMessageHeaderError, err::kHeaderBadMessageLength, {}, 0,
                  "NOTIFICATION: truncated");
    return;
  }
  const auto data = in.rest();
  n.data.assign(data.begin(), data.end());
  r.message = std::move(n);
}

void encode_notification(const Notification& m, const SessionParams& params,
                         std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::Notification);
  base::ByteWriter w(out);
  w.put_u8(m.code);
  w.put_u8(m.subcode);
  // Data that would overflow the message is cut; a NOTIFICATION is the last word anyway.
  const std::size_t room = params.max_message_size() - kMinNotificationSize;
  w.put_bytes(std::span<const std::uint8_t>(m.data).first(std::min(room, m.data.size())));
  finish_message(out, start);
}

void decode_route_refresh(std::span<const std::uint8_t> whole, DecodeResult& r) {
  const auto body = whole.subspan(kHeaderSize);
  std::uint8_t subtype = 0;
  const bool has_subtype = body.size() >= 3;
  if (has_subtype) subtype = body[2];
  if (body.size() != 4) {
    // RFC 7313 5: a ROUTE-REFRESH of the wrong length is a ROUTE-REFRESH Message Error /
    // Invalid Message Length quoting the whole message. RFC 7313 states it for BoRR/EoRR; RFC
    // 2918 defines no error for a plain request, and the ROUTE-REFRESH code is the specific
    // one (RFC 4271's Bad Message Length lists only OPEN, UPDATE, KEEPALIVE, NOTIFICATION),
    // so every subtype gets it.
    reset_session(r, err::kRouteRefreshMessageError, err::kRouteRefreshInvalidLength,
                  {whole.begin(), whole.end()}, 0,
                  has_subtype
                      ? fmt::format("ROUTE-REFRESH: length {} (subtype {})", whole.size(), subtype)
                      : fmt::format("ROUTE-REFRESH: length {}", whole.size()));
    return;
  }
  RouteRefresh m;
  m.af.afi = static_cast<Afi>((unsigned{body[0]} << 8) | body[1]);
  m.subtype = subtype;
  m.af.safi = static_cast<Safi>(body[3]);
  // Subtypes other than 0..2 are delivered as they are: RFC 7313 says to ignore them, which is
  // the session's decision.
  r.message = m;
}

void encode_route_refresh(const RouteRefresh& m, std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::RouteRefresh);
  base::ByteWriter w(out);
  w.put_u16(static_cast<std::uint16_t>(m.af.afi));
  w.put_u8(m.subtype);
  w.put_u8(static_cast<std::uint8_t>(m.af.safi));
  finish_message(out, start);
}

}  // namespace nvabgpd::wire::detail
