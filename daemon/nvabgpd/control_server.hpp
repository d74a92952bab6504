#pragma once
// The daemon's Unix control socket: newline-delimited JSON requests and responses.
//
// Request:  {"command": "show protocols", "args": {...}}\n
// Response: {"ok": true, "result": ...}\n   or   {"ok": false, "error": "..."}\n
// A stream command (show route) answers in slices from a ControlStream: one line as above,
// written while the table is walked, or with "args": {"stream": true} one line per item
// (docs/control-protocol.md, "Long answers").
//
// Runs on the daemon's io_context thread (the thread that owns all BGP state), so handlers may
// read state directly. Every client is bounded (ControlLimits): the number of connections, the
// size, nesting depth and arrival time of a request, and the answer bytes buffered for a
// client that does not read. Thread: io_context.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "control_stream.hpp"

namespace nvabgpd::daemon {

// Thrown by a handler for a user error (bad prefix, unknown peer): becomes {"ok": false}.
class ControlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Documented in docs/control-protocol.md ("Limits"); tests may lower them.
struct ControlLimits {
  // Connections at once. At the limit a new connection closes the one that has waited longest
  // for a request (idle or half sent); when every connection is being answered it is refused
  // with an error line.
  std::size_t max_clients = 64;
  std::size_t max_request = 64 * 1024;                // bytes of one request line, newline excluded
  std::size_t max_depth = 32;                         // nesting of arrays/objects in a request
  std::chrono::milliseconds idle_timeout{60'000};     // no request started: closed
  std::chrono::milliseconds request_timeout{10'000};  // a started request not complete: closed
  std::chrono::milliseconds write_timeout{60'000};    // an answer not read: closed
  // A stream's output is written whenever this many bytes are buffered; the walk waits for the
  // write, so a client that does not read holds about this much (plus one slice).
  std::size_t output_mark = 256 * 1024;
  std::size_t slice_budget = 256;  // table entries a stream visits per io_context turn
};

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& args)>;
  using StreamHandler = std::function<std::unique_ptr<ControlStream>(const nlohmann::json& args)>;

  ControlServer(boost::asio::io_context& io, std::string path, ControlLimits limits = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void on(const std::string& command, Handler handler);
  void on_stream(const std::string& command, StreamHandler handler);
  // Creates the socket (removing a stale one), mode 0660, and starts accepting.
  // Throws std::system_error when the socket cannot be created.
  void start();
  // Stops accepting and closes every client (streams in progress are abandoned).
  void stop();
  const std::string& path() const { return path_; }
  const ControlLimits& limits() const { return limits_; }
  std::size_t clients() const;

  // A parsed request: an immediate reply, or a stream to run (`lines`: one item per line).
  struct Answer {
    nlohmann::json reply;
    std::unique_ptr<ControlStream> stream;
    bool lines = false;
  };
  Answer open(const std::string& line) const;
  // Runs one request line through the handlers, a stream to its end; for tests.
  nlohmann::json dispatch(const std::string& line) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::shared_ptr<bool> running_flag_;  // shared with the client coroutines
  std::string path_;
  ControlLimits limits_;
  std::map<std::string, Handler> handlers_;
  std::map<std::string, StreamHandler> stream_handlers_;
};

}  // namespace nvabgpd::daemon
