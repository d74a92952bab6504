// UPDATE decoding: replaced by the full RFC 7606 decoder in the next step.
#include "message_codec.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire::detail {

void decode_update(std::span<const std::uint8_t>, const SessionParams&, DecodeResult& r) {
  reset_session(r, err::kUpdateMessageError, err::kUnspecific, {}, 0,
                "UPDATE: decoder not implemented yet");
}

}  // namespace nvabgpd::wire::detail
