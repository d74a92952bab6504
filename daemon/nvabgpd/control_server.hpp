#pragma once
// The daemon's Unix control socket: newline-delimited JSON requests and responses.
//
// Request:  {"command": "show protocols", "args": {...}}\n
// Response: {"ok": true, "result": ...}\n   or   {"ok": false, "error": "..."}\n
//
// Runs on the daemon's io_context thread (the thread that owns all BGP state), so handlers may
// read state directly. A client that sends garbage gets an error response; one that stalls is
// dropped after a timeout; one that disconnects mid-request costs nothing. Thread: io_context.
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace nvabgpd::daemon {

// Thrown by a handler for a user error (bad prefix, unknown peer): becomes {"ok": false}.
class ControlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& args)>;

  ControlServer(boost::asio::io_context& io, std::string path);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void on(const std::string& command, Handler handler);
  // Creates the socket (removing a stale one), mode 0660, and starts accepting.
  // Throws std::system_error when the socket cannot be created.
  void start();
  void stop();
  const std::string& path() const { return path_; }

  // Runs one request line through the handlers; public for tests.
  nlohmann::json dispatch(const std::string& line) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::map<std::string, Handler> handlers_;
};

}  // namespace nvabgpd::daemon
