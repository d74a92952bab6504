#pragma once
// Shared by the wire fuzzers: the first input byte picks the session parameters (bits 0, 1, 3,
// 4) and whether a valid header is generated (bit 2, so the fuzzer spends its time in message
// bodies); the rest is the message (or body).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "nvabgpd/wire/codec.hpp"

namespace wirefuzz {

struct Input {
  nvabgpd::wire::SessionParams params;
  std::vector<std::uint8_t> message;
};

inline Input make_input(const std::uint8_t* data, std::size_t size) {
  Input in;
  if (size == 0) return in;
  const std::uint8_t mode = data[0];
  in.params.four_octet_as = (mode & 1) == 0;
  in.params.extended_message = (mode & 2) != 0;
  // The session-dependent RFC 7606 paths: eBGP, and a local address a next hop may equal.
  in.params.ebgp = (mode & 8) != 0;
  if (mode & 16) in.params.local_address = nvabgpd::base::IpAddress::v4(0x0A000001);
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  if ((mode & 4) && !rest.empty()) {
    // rest[0] is the type; a header with the right length is generated.
    const std::size_t len = nvabgpd::wire::kHeaderSize + rest.size() - 1;
    if (len > 0xFFFF) return in;
    in.message.assign(16, 0xFF);
    in.message.push_back(static_cast<std::uint8_t>(len >> 8));
    in.message.push_back(static_cast<std::uint8_t>(len));
    in.message.insert(in.message.end(), rest.begin(), rest.end());
  } else {
    in.message.assign(rest.begin(), rest.end());
  }
  return in;
}

// Aborts (a finding) when `ok` is false.
inline void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace wirefuzz
