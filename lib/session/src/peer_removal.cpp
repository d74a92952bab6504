// The end of a peer's life (removed from the configuration) and a restart with new settings
// (changed in the configuration): the same id, one stop path.
#include "nvabgpd/session/session_manager.hpp"

namespace nvabgpd::session {

void SessionManager::remove_peer(PeerId id, const std::string& shutdown_message) {
  stop_peer(id, shutdown_message);  // on_down first, while the peer is still known
  release(id);
}

void SessionManager::reconfigure_peer(PeerId id, PeerConfig config,
                                      const std::string& shutdown_message) {
  stop_peer(id, shutdown_message);
  replace_config(id, std::move(config));
}

}  // namespace nvabgpd::session
