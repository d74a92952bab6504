#include "control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nvabgpd::ctl {

namespace {
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

ControlReply control_request(const std::string& socket_path, const std::string& command,
                             const nlohmann::json& args, int timeout_ms) {
  ControlReply r;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    r.error = "control socket path too long: " + socket_path;
    return r;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0 || ::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    r.error = "cannot connect to " + socket_path + ": " + std::strerror(errno) +
              " (is nvabgpd running? use -s PATH for another socket)";
    return r;
  }
  const std::string req = nlohmann::json{{"command", command}, {"args", args}}.dump() + "\n";
  std::size_t off = 0;
  while (off < req.size()) {
    ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      r.error = std::string("write to daemon failed: ") + std::strerror(errno);
      return r;
    }
    off += static_cast<std::size_t>(n);
  }
  std::string buf;
  char chunk[65536];
  for (;;) {
    pollfd pfd{s.fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, timeout_ms);
    if (pr == 0) {
      r.error = "timed out waiting for the daemon";
      return r;
    }
    if (pr < 0) {
      if (errno == EINTR) continue;
      r.error = std::string("poll: ") + std::strerror(errno);
      return r;
    }
    ssize_t n = ::recv(s.fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      r.error = "daemon closed the connection before answering";
      return r;
    }
    buf.append(chunk, static_cast<std::size_t>(n));
    if (auto nl = buf.find('\n'); nl != std::string::npos) {
      r.response = nlohmann::json::parse(buf.substr(0, nl), nullptr, false);
      if (r.response.is_discarded()) {
        r.error = "daemon sent an invalid response";
        return r;
      }
      r.transport_ok = true;
      return r;
    }
  }
}

}  // namespace nvabgpd::ctl
