#include "interface_address.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace nvabgpd::daemon {

namespace {

std::optional<base::IpAddress> to_ip(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof in);
    return base::IpAddress::from_bytes(reinterpret_cast<const std::uint8_t*>(&in.sin_addr), 4);
  }
  if (sa->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof in6);
    return base::IpAddress::from_bytes(reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr), 16);
  }
  return std::nullopt;
}

bool global_v6(const base::IpAddress& a) {
  if (!a.is_v6() || a.is_unspecified() || a.is_link_local() || a.bytes()[0] == 0xff) return false;
  return a != *base::IpAddress::parse("::1");
}

}  // namespace

std::optional<base::IpAddress> global_ipv6_of_interface(const base::IpAddress& local) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::string name;
  for (const ifaddrs* i = list; i != nullptr && name.empty(); i = i->ifa_next)
    if (auto a = to_ip(i->ifa_addr); a && *a == local) name = i->ifa_name;
  std::optional<base::IpAddress> found;
  for (const ifaddrs* i = list; i != nullptr && !name.empty() && !found; i = i->ifa_next) {
    if (name != i->ifa_name) continue;
    if (auto a = to_ip(i->ifa_addr); a && global_v6(*a)) found = a;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace nvabgpd::daemon
