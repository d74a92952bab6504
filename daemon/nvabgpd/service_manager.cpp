#include "service_manager.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "notify_socket.hpp"

namespace nvabgpd::daemon {

void ServiceManager::ready(const std::string& status) {
  notify_service_manager("READY=1\nSTATUS=" + status);
}
// MONOTONIC_USEC tells the service manager when the reload began (sd_notify(3); required by
// Type=notify-reload, harmless with Type=notify).
void ServiceManager::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                    static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  notify_service_manager("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}
void ServiceManager::stopping() { notify_service_manager("STOPPING=1"); }
void ServiceManager::status(const std::string& status) {
  notify_service_manager("STATUS=" + status);
}
std::optional<std::chrono::microseconds> ServiceManager::watchdog_interval() const {
  // Pinged at half the interval, as sd_watchdog_enabled(3) recommends.
  if (auto usec = service_watchdog_usec()) return std::chrono::microseconds(*usec / 2);
  return std::nullopt;
}
void ServiceManager::watchdog_ping() { notify_service_manager("WATCHDOG=1"); }

namespace {
constexpr std::uint32_t kKeep =
    (1U << CAP_NET_ADMIN) | (1U << CAP_NET_BIND_SERVICE) | (1U << CAP_NET_RAW);

// The highest capability number the running kernel knows.
int last_cap() {
  int last = CAP_LAST_CAP;
  if (FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "r")) {
    if (std::fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
    std::fclose(f);
  }
  return last;
}

bool set_caps(std::uint32_t permitted, std::uint32_t effective, std::uint32_t inheritable) {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  __user_cap_data_struct data[2]{};
  data[0].permitted = permitted;
  data[0].effective = effective;
  data[0].inheritable = inheritable;
  return syscall(SYS_capset, &hdr, data) == 0;
}
}  // namespace

std::optional<std::string> drop_privileges(const std::string& user) {
  if (user.empty()) {
    // A lab, a container's own user or systemd's User=: nothing to switch; say so only in debug.
    spdlog::debug("no --user given: running as uid {} with the privileges it was started with",
                  geteuid());
    return std::nullopt;
  }
  if (geteuid() != 0) {
    spdlog::debug("not started as root: --user {} ignored, running as uid {}", user, geteuid());
    return std::nullopt;
  }
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) return "user '" + user + "' (--user) does not exist";
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return std::string("prctl: ") + strerror(errno);
  // The bounding set limits what any later execve() could gain back. Dropping from it needs
  // CAP_SETPCAP, so it happens while we are still root.
  for (int cap = 0; cap <= last_cap(); ++cap) {
    if (cap < 32 && (kKeep & (1U << cap)) != 0) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return std::string("prctl(PR_CAPBSET_DROP): ") + strerror(errno);
  }
  if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
    return std::string("cannot switch to user ") + user + ": " + strerror(errno);
  if (!set_caps(kKeep, kKeep, kKeep)) return std::string("capset: ") + strerror(errno);
  for (int cap : {CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW})
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
  // Nothing this process runs may gain privileges (setuid binaries, file capabilities).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return std::string("prctl(PR_SET_NO_NEW_PRIVS): ") + strerror(errno);
  spdlog::info(
      "dropped privileges to user {} (CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW; "
      "bounding set reduced to them, no_new_privs)",
      user);
  return std::nullopt;
}

}  // namespace nvabgpd::daemon
