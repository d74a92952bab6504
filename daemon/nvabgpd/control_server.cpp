#include "control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace nvabgpd::daemon {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr std::size_t kMaxRequest = 1 << 20;
constexpr auto kIdleTimeout = std::chrono::seconds(60);
}  // namespace

struct ControlServer::Impl {
  asio::io_context& io;
  local::acceptor acceptor;
  bool running = false;
  explicit Impl(asio::io_context& ctx) : io(ctx), acceptor(ctx) {}
};

ControlServer::ControlServer(asio::io_context& io, std::string path)
    : impl_(std::make_unique<Impl>(io)), path_(std::move(path)) {}

ControlServer::~ControlServer() { stop(); }

void ControlServer::on(const std::string& command, Handler handler) {
  handlers_[command] = std::move(handler);
}

nlohmann::json ControlServer::dispatch(const std::string& line) const {
  nlohmann::json req = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object())
    return {{"ok", false}, {"error", "request is not a JSON object"}};
  auto cmd = req.find("command");
  if (cmd == req.end() || !cmd->is_string())
    return {{"ok", false}, {"error", "request has no \"command\" string"}};
  auto it = handlers_.find(cmd->get<std::string>());
  if (it == handlers_.end())
    return {{"ok", false}, {"error", "unknown command: " + cmd->get<std::string>()}};
  nlohmann::json args = nlohmann::json::object();
  if (auto a = req.find("args"); a != req.end()) {
    if (!a->is_object()) return {{"ok", false}, {"error", "\"args\" must be an object"}};
    args = *a;
  }
  try {
    return {{"ok", true}, {"result", it->second(args)}};
  } catch (const ControlError& e) {
    return {{"ok", false}, {"error", e.what()}};
  } catch (const nlohmann::json::exception& e) {
    return {{"ok", false}, {"error", std::string("bad arguments: ") + e.what()}};
  } catch (const std::exception& e) {
    spdlog::error("control: command '{}' failed: {}", cmd->get<std::string>(), e.what());
    return {{"ok", false}, {"error", std::string("internal error: ") + e.what()}};
  }
}

namespace {

asio::awaitable<void> serve_client(local::socket sock, const ControlServer* server) {
  asio::streambuf buf(kMaxRequest);
  asio::steady_timer idle(sock.get_executor());
  for (;;) {
    // A stalled client is dropped: the timer closes the socket, which ends the read.
    idle.expires_after(kIdleTimeout);
    idle.async_wait([&sock](boost::system::error_code ec) {
      if (!ec) sock.close();
    });
    boost::system::error_code ec;
    std::size_t n = co_await asio::async_read_until(sock, buf, '\n',
                                                    asio::redirect_error(asio::use_awaitable, ec));
    idle.cancel();
    if (ec) {
      if (ec == asio::error::not_found) {  // line longer than kMaxRequest
        std::string err = R"({"ok":false,"error":"request too large"})"
                          "\n";
        co_await asio::async_write(sock, asio::buffer(err),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      co_return;
    }
    std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n - 1);
    buf.consume(n);
    std::string out = server->dispatch(line).dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace) + "\n";
    idle.expires_after(kIdleTimeout);
    idle.async_wait([&sock](boost::system::error_code e) {
      if (!e) sock.close();
    });
    co_await asio::async_write(sock, asio::buffer(out),
                               asio::redirect_error(asio::use_awaitable, ec));
    idle.cancel();
    if (ec) co_return;
  }
}

}  // namespace

void ControlServer::start() {
  ::unlink(path_.c_str());
  local::endpoint ep(path_);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  ::chmod(path_.c_str(), 0660);  // root/group only
  impl_->acceptor.listen();
  impl_->running = true;
  asio::co_spawn(
      impl_->io,
      [this]() -> asio::awaitable<void> {
        while (impl_->running) {
          boost::system::error_code ec;
          local::socket s = co_await impl_->acceptor.async_accept(
              asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            if (!impl_->running || ec == asio::error::operation_aborted) co_return;
            continue;
          }
          asio::co_spawn(impl_->io, serve_client(std::move(s), this), asio::detached);
        }
      },
      asio::detached);
}

void ControlServer::stop() {
  if (!impl_ || !impl_->running) return;
  impl_->running = false;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  ::unlink(path_.c_str());
}

}  // namespace nvabgpd::daemon
