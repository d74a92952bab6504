#pragma once
// A stable one-line text form of BGP messages for the replay goldens: every field that
// reaches the peer, lists in wire order, no addresses of objects or times.
#include <cstdint>
#include <span>
#include <string>

#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::replay {

std::string message_text(const wire::Message& m);
// Decodes one message (header included) with `params`; decode errors are part of the text.
std::string message_text(std::span<const std::uint8_t> bytes, const wire::SessionParams& params);

}  // namespace nvabgpd::replay
