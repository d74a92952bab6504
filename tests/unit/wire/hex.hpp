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
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else if (c == ' ' || c == '|' || c == '\n' || c == '\t' || c == '_')
      continue;
    else
      throw std::invalid_argument("bad hex character");
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

namespace wiretest {

// An UPDATE body from its three fields; the two length fields are computed.
inline std::vector<std::uint8_t> update_body(std::string_view withdrawn, std::string_view attrs,
                                             std::string_view nlri) {
  const auto w = hex(withdrawn);
  const auto a = hex(attrs);
  const auto n = hex(nlri);
  std::vector<std::uint8_t> b;
  b.push_back(static_cast<std::uint8_t>(w.size() >> 8));
  b.push_back(static_cast<std::uint8_t>(w.size()));
  b.insert(b.end(), w.begin(), w.end());
  b.push_back(static_cast<std::uint8_t>(a.size() >> 8));
  b.push_back(static_cast<std::uint8_t>(a.size()));
  b.insert(b.end(), a.begin(), a.end());
  b.insert(b.end(), n.begin(), n.end());
  return b;
}

inline std::vector<std::uint8_t> update_msg(std::string_view withdrawn, std::string_view attrs,
                                            std::string_view nlri) {
  return message(2, update_body(withdrawn, attrs, nlri));
}

inline nvabgpd::base::Prefix pfx(std::string_view s) {
  auto p = nvabgpd::base::Prefix::parse(s);
  if (!p) throw std::invalid_argument("bad prefix");
  return *p;
}

inline nvabgpd::base::IpAddress ip(std::string_view s) {
  auto a = nvabgpd::base::IpAddress::parse(s);
  if (!a) throw std::invalid_argument("bad address");
  return *a;
}

// A 4-octet-AS session, internal or external, whose local end is 10.0.0.2 (kBaseAttrs'
// NEXT_HOP 10.0.0.1 is the peer).
inline nvabgpd::wire::SessionParams session_at_10_0_0_2(bool ebgp) {
  return nvabgpd::wire::SessionParams{.four_octet_as = true,
                                      .extended_message = false,
                                      .ebgp = ebgp,
                                      .local_address = ip("10.0.0.2")};
}

// Well-formed attributes: ORIGIN IGP, AS_PATH 65001 (4-octet), NEXT_HOP 10.0.0.1.
inline constexpr std::string_view kOrigin = "40 01 01 00 ";
inline constexpr std::string_view kAsPath = "40 02 06 02 01 0000fde9 ";
inline constexpr std::string_view kNextHop = "40 03 04 0a000001 ";
inline const std::string kBaseAttrs =
    std::string(kOrigin) + std::string(kAsPath) + std::string(kNextHop);

}  // namespace wiretest
