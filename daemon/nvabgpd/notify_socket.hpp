#pragma once
// The systemd notify protocol (sd_notify(3)) without libsystemd: one datagram per message to
// $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@'), and the watchdog
// interval from $WATCHDOG_USEC (for this process if $WATCHDOG_PID is set). Linking
// libsystemd only for this mapped it and the compression and crypto libraries it pulls in
// (~1 MB of resident code at idle).
#include <cstdint>
#include <optional>
#include <string_view>

namespace nvabgpd::daemon {

// Sends `message` (KEY=VALUE lines); false when not run by a service manager or on error.
bool notify_service_manager(std::string_view message);
// The watchdog interval asked for, in microseconds (nullopt: none).
std::optional<std::uint64_t> service_watchdog_usec();

}  // namespace nvabgpd::daemon
