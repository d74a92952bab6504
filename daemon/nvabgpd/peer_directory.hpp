#pragma once
// Names and addresses of peers by peer id, for filters (`from`, `proto`) and output.
#include <string>
#include <unordered_map>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::daemon {

struct PeerIdentity {
  std::string name;
  base::IpAddress address;
};

class PeerDirectory {
 public:
  void set(std::uint32_t id, PeerIdentity p) { peers_[id] = std::move(p); }
  void erase(std::uint32_t id) { peers_.erase(id); }
  const PeerIdentity* find(std::uint32_t id) const {
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::uint32_t, PeerIdentity> peers_;
};

}  // namespace nvabgpd::daemon
