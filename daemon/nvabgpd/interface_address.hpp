#pragma once
// Addresses of the host's interfaces (getifaddrs), for choosing a next hop of the other family.
#include <optional>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::daemon {

// The first global IPv6 address (not link-local, loopback or multicast) of the interface that
// holds `local` (the local address of a session), or nullopt.
std::optional<base::IpAddress> global_ipv6_of_interface(const base::IpAddress& local);

}  // namespace nvabgpd::daemon
