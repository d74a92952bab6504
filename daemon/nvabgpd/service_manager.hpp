#pragma once
// Talking to the service manager and the OS: sd_notify READY/RELOADING/STOPPING/STATUS, the
// systemd watchdog, and dropping root privileges when started as root outside systemd.
#include <chrono>
#include <optional>
#include <string>

namespace nvabgpd::daemon {

class ServiceManager {
 public:
  void ready(const std::string& status);
  void reloading();
  void stopping();
  void status(const std::string& status);
  // Interval at which to ping the watchdog (half of WatchdogSec), if systemd asked for one.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
  void watchdog_ping();
};

// When running as root, switches to `user` keeping only CAP_NET_ADMIN, CAP_NET_BIND_SERVICE and
// CAP_NET_RAW (permitted, effective, ambient and the bounding set) and sets no_new_privs. Returns
// an error message (the user does not exist, a call failed), or nullopt on success or when
// there is nothing to do: `user` empty (no --user) or not started as root, said at debug level.
std::optional<std::string> drop_privileges(const std::string& user);

}  // namespace nvabgpd::daemon
