#pragma once
// IP address and prefix value types shared by every module. Plain values, no allocation.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace nvabgpd::base {

enum class Family : std::uint8_t { V4 = 4, V6 = 6 };

constexpr unsigned max_len(Family f) { return f == Family::V4 ? 32U : 128U; }

// An IPv4 or IPv6 address. IPv4 occupies the first 4 bytes of bytes_ (network order), the
// rest stay zero, so comparisons and hashing need no special case.
class IpAddress {
 public:
  constexpr IpAddress() = default;

  static constexpr IpAddress v4(std::uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::V4;
    a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return a;
  }
  static constexpr IpAddress v6(const std::array<std::uint8_t, 16>& b) {
    IpAddress a;
    a.family_ = Family::V6;
    a.bytes_ = b;
    return a;
  }
  // From raw network-order bytes: 4 bytes give IPv4, 16 give IPv6; any other size is empty.
  static std::optional<IpAddress> from_bytes(const std::uint8_t* p, std::size_t n);
  // Dotted quad or RFC 5952 text; nullopt on any error.
  static std::optional<IpAddress> parse(std::string_view text);

  constexpr Family family() const { return family_; }
  constexpr bool is_v4() const { return family_ == Family::V4; }
  constexpr bool is_v6() const { return family_ == Family::V6; }
  constexpr const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  constexpr std::size_t byte_len() const { return is_v4() ? 4 : 16; }
  constexpr std::uint32_t v4_value() const {
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
  }
  bool is_unspecified() const;
  bool is_link_local() const;  // fe80::/10 or 169.254.0.0/16
  // Bit i (0 = most significant) of the address.
  constexpr bool bit(unsigned i) const { return (bytes_[i / 8] >> (7 - i % 8)) & 1U; }

  std::string to_string() const;

  constexpr auto operator<=>(const IpAddress&) const = default;
  constexpr bool operator==(const IpAddress&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

// A network prefix; always normalised (bits past len are zero).
class Prefix {
 public:
  constexpr Prefix() = default;
  // Masks host bits; len is clamped to the family's maximum.
  static Prefix make(const IpAddress& addr, unsigned len);
  // "10.0.0.0/8", "2001:db8::/32"; a bare address means a host prefix. Rejects host bits set
  // unless allow_host_bits (then they are masked).
  static std::optional<Prefix> parse(std::string_view text, bool allow_host_bits = false);

  constexpr const IpAddress& addr() const { return addr_; }
  constexpr unsigned len() const { return len_; }
  constexpr Family family() const { return addr_.family(); }
  constexpr bool is_v4() const { return addr_.is_v4(); }

  bool contains(const IpAddress& a) const;
  bool contains(const Prefix& p) const;  // p is equal to or more specific than *this

  std::string to_string() const;

  constexpr auto operator<=>(const Prefix&) const = default;
  constexpr bool operator==(const Prefix&) const = default;

 private:
  IpAddress addr_;
  std::uint8_t len_ = 0;
};

struct IpAddressHash {
  std::size_t operator()(const IpAddress& a) const noexcept;
};
struct PrefixHash {
  std::size_t operator()(const Prefix& p) const noexcept;
};

}  // namespace nvabgpd::base

template <>
struct std::hash<nvabgpd::base::IpAddress> : nvabgpd::base::IpAddressHash {};
template <>
struct std::hash<nvabgpd::base::Prefix> : nvabgpd::base::PrefixHash {};

template <>
struct fmt::formatter<nvabgpd::base::IpAddress> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const nvabgpd::base::IpAddress& a, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
  }
};
template <>
struct fmt::formatter<nvabgpd::base::Prefix> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const nvabgpd::base::Prefix& p, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(p.to_string(), ctx);
  }
};
