#include "control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nvabgpd::ctl {

namespace {

// One connection to the daemon, read a line at a time.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool open(const std::string& socket_path, std::string& error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(addr.sun_path)) {
      error = "control socket path too long: " + socket_path;
      return false;
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      error = "cannot connect to " + socket_path + ": " + std::strerror(errno) +
              " (is nvabgpd running? use -s PATH for another socket)";
      return false;
    }
    return true;
  }

  bool send(const std::string& data, std::string& error) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = std::string("write to daemon failed: ") + std::strerror(errno);
        return false;
      }
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  // The next line (without its newline), or false with `error` set.
  bool read_line(std::string& line, int timeout_ms, std::string& error) {
    for (;;) {
      if (auto nl = buf_.find('\n', scanned_); nl != std::string::npos) {
        line.assign(buf_, head_, nl - head_);
        head_ = scanned_ = nl + 1;
        return true;
      }
      // Drop the lines already taken only when reading more (not per line: a 64 KiB read
      // holds hundreds of routes).
      buf_.erase(0, head_);
      head_ = 0;
      scanned_ = buf_.size();
      pollfd pfd{fd_, POLLIN, 0};
      int pr = ::poll(&pfd, 1, timeout_ms);
      if (pr == 0) {
        error = "timed out waiting for the daemon";
        return false;
      }
      if (pr < 0) {
        if (errno == EINTR) continue;
        error = std::string("poll: ") + std::strerror(errno);
        return false;
      }
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = "daemon closed the connection before answering";
        return false;
      }
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
  std::size_t head_ = 0;     // start of the first line not yet taken
  std::size_t scanned_ = 0;  // bytes of buf_ known to hold no newline (from head_ on)
};

bool parse_line(const std::string& line, nlohmann::json& out, std::string& error) {
  out = nlohmann::json::parse(line, nullptr, false);
  if (out.is_discarded() || !out.is_object()) {
    error = "daemon sent an invalid response";
    return false;
  }
  return true;
}

}  // namespace

ControlReply control_request(const std::string& socket_path, const std::string& command,
                             const nlohmann::json& args, int timeout_ms) {
  ControlReply r;
  Connection c;
  std::string line;
  if (!c.open(socket_path, r.error) ||
      !c.send(nlohmann::json{{"command", command}, {"args", args}}.dump() + "\n", r.error) ||
      !c.read_line(line, timeout_ms, r.error) || !parse_line(line, r.response, r.error))
    return r;
  r.transport_ok = true;
  return r;
}

ControlReply control_stream(const std::string& socket_path, const std::string& command,
                            nlohmann::json args, const std::string& items_key,
                            const std::function<void(const std::string& item)>& on_item,
                            int timeout_ms) {
  ControlReply r;
  Connection c;
  std::string line;
  args["stream"] = true;
  if (!c.open(socket_path, r.error) ||
      !c.send(nlohmann::json{{"command", command}, {"args", args}}.dump() + "\n", r.error) ||
      !c.read_line(line, timeout_ms, r.error) || !parse_line(line, r.response, r.error))
    return r;
  if (!r.response.value("ok", false)) {
    r.transport_ok = true;
    return r;
  }
  if (!r.response.contains("stream")) {  // answered in one line
    auto res = r.response.find("result");
    if (res != r.response.end() && res->is_object())
      if (auto items = res->find(items_key); items != res->end() && items->is_array())
        for (const auto& item : *items) on_item(item.dump());
    r.transport_ok = true;
    return r;
  }
  for (;;) {
    if (!c.read_line(line, timeout_ms, r.error)) {
      if (r.error.rfind("daemon closed", 0) == 0)
        r.error = "daemon closed the connection mid-answer";
      return r;
    }
    // Only the end line has an "end" key, and the text `"end":` cannot occur inside a JSON
    // string (its quotes would be escaped): items pass through unparsed.
    if (line.find("\"end\":") != std::string::npos) {
      nlohmann::json end;
      if (!parse_line(line, end, r.error)) return r;
      if (end.contains("end")) {
        r.end = std::move(end);
        if (r.end.contains("error")) r.response = {{"ok", false}, {"error", r.end["error"]}};
        r.transport_ok = true;
        return r;
      }
    }
    on_item(line);
  }
}

}  // namespace nvabgpd::ctl
