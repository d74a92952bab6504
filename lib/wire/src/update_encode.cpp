// UPDATE encoding: replaced by the full encoder in the next step (only End-of-RIB for now).
#include "message_codec.hpp"

namespace nvabgpd::wire::detail {

void encode_update(const Update&, const SessionParams&, std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::Update);
  out.insert(out.end(), 4, 0);
  finish_message(out, start);
}

}  // namespace nvabgpd::wire::detail
