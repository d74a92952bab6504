#pragma once
// Asio names and address conversions shared by the transport's translation units (private:
// only lib/session/src includes Asio).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::session {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Buffer = std::shared_ptr<const std::vector<std::uint8_t>>;

inline base::IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return base::IpAddress::v4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return base::IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  }
  return base::IpAddress::v6(v6.to_bytes());
}

inline asio::ip::address to_asio(const base::IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

// A message encoded with the parameters every session starts with (OPEN, KEEPALIVE,
// NOTIFICATION, ROUTE-REFRESH do not depend on the negotiated ones).
inline Buffer encoded(const wire::Message& m) {
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m, wire::SessionParams{}));
}

}  // namespace nvabgpd::session
