#pragma once
// Test helpers: bytes from readable hex ("ff ff 00 13 04"; spaces, '|' and newlines ignored).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/wire/codec.hpp"

namespace wiretest {

inline std::vector<std::uint8_t> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == '|' || c == '\n' || c == '\t' || c == '_') continue;
    else throw std::invalid_argument("bad hex character");
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

inline std::string to_hex(const std::vector<std::uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// A whole message: marker, length computed from the body, type, body.
inline std::vector<std::uint8_t> message(std::uint8_t type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> m(16, 0xFF);
  const std::size_t len = 19 + body.size();
  m.push_back(static_cast<std::uint8_t>(len >> 8));
  m.push_back(static_cast<std::uint8_t>(len));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

inline std::vector<std::uint8_t> message(std::uint8_t type, std::string_view body_hex) {
  return message(type, hex(body_hex));
}

// Decoding must end in a session reset with exactly this NOTIFICATION.
inline bool is_reset(const nvabgpd::wire::DecodeResult& r, std::uint8_t code, std::uint8_t subcode,
                     const std::vector<std::uint8_t>& data = {}) {
  return r.action == nvabgpd::wire::ErrorAction::SessionReset && !r.message && r.notification &&
         r.notification->code == code && r.notification->subcode == subcode &&
         r.notification->data == data;
}

}  // namespace wiretest
