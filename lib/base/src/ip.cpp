#include "nvabgpd/base/ip.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace nvabgpd::base {

std::optional<IpAddress> IpAddress::from_bytes(const std::uint8_t* p, std::size_t n) {
  if (n == 4) {
    return IpAddress::v4((std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                         (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]});
  }
  if (n == 16) {
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), p, 16);
    return IpAddress::v6(b);
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 63) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    in_addr a{};
    if (inet_pton(AF_INET, buf, &a) != 1) return std::nullopt;
    return IpAddress::v4(ntohl(a.s_addr));
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  std::array<std::uint8_t, 16> b{};
  std::memcpy(b.data(), &a6, 16);
  return IpAddress::v6(b);
}

bool IpAddress::is_unspecified() const {
  for (std::size_t i = 0; i < byte_len(); ++i)
    if (bytes_[i] != 0) return false;
  return true;
}

bool IpAddress::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    in_addr a{};
    a.s_addr = htonl(v4_value());
    inet_ntop(AF_INET, &a, buf, sizeof buf);
  } else {
    in6_addr a6{};
    std::memcpy(&a6, bytes_.data(), 16);
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  }
  return buf;
}

Prefix Prefix::make(const IpAddress& addr, unsigned len) {
  const unsigned max = max_len(addr.family());
  if (len > max) len = max;
  if (addr.is_v4()) {  // one mask instead of the byte loop: every decoded IPv4 prefix comes here
    const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
    Prefix p;
    p.addr_ = IpAddress::v4(addr.v4_value() & mask);
    p.len_ = static_cast<std::uint8_t>(len);
    return p;
  }
  auto b = addr.bytes();
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned bit0 = i * 8;
    if (bit0 >= len) {
      b[i] = 0;
    } else if (bit0 + 8 > len) {
      b[i] &= static_cast<std::uint8_t>(0xFFU << (8 - (len - bit0)));
    }
  }
  Prefix p;
  p.addr_ = addr.is_v4() ? IpAddress::from_bytes(b.data(), 4).value() : IpAddress::v6(b);
  p.len_ = static_cast<std::uint8_t>(len);
  return p;
}

std::optional<Prefix> Prefix::parse(std::string_view text, bool allow_host_bits) {
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned len = max_len(addr->family());
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > max_len(addr->family())) return std::nullopt;
  }
  Prefix p = make(*addr, len);
  if (!allow_host_bits && p.addr_ != *addr) return std::nullopt;
  return p;
}

bool Prefix::contains(const IpAddress& a) const {
  if (a.family() != family()) return false;
  return make(a, len_).addr_ == addr_;
}

bool Prefix::contains(const Prefix& p) const {
  if (p.family() != family() || p.len_ < len_) return false;
  return make(p.addr_, len_).addr_ == addr_;
}

std::string Prefix::to_string() const { return addr_.to_string() + "/" + std::to_string(len_); }

std::size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
  // FNV-1a over the significant bytes.
  std::uint64_t h = 1469598103934665603ULL ^ static_cast<std::uint64_t>(a.family());
  for (std::size_t i = 0; i < a.byte_len(); ++i) {
    h ^= a.bytes()[i];
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

std::size_t PrefixHash::operator()(const Prefix& p) const noexcept {
  std::uint64_t h = IpAddressHash{}(p.addr());
  h ^= p.len() + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return static_cast<std::size_t>(h);
}

}  // namespace nvabgpd::base
