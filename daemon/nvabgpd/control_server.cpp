#include "control_server.hpp"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <list>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "json_depth.hpp"

namespace nvabgpd::daemon {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

// An answer larger than this returns its freed heap to the system when it is done.
constexpr std::size_t kTrimAfterBytes = std::size_t{64} << 20;

std::string error_line(const std::string& message) {
  return nlohmann::json{{"ok", false}, {"error", message}}.dump() + "\n";
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One connection. Owned by its coroutine; listed in Impl::clients while it runs.
struct Client {
  Client(local::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
  local::socket sock;
  asio::steady_timer timer;
  bool busy = false;    // a request is being answered: not evicted
  bool closed = false;  // closed by a timeout, an eviction or stop()
  Clock::time_point waiting_since = Clock::now();

  void close() {
    closed = true;
    boost::system::error_code ec;
    sock.close(ec);
  }
};

// Closes the client if the operation started after this does not end within `d`.
void arm(const std::shared_ptr<Client>& c, std::chrono::steady_clock::duration d) {
  c->timer.expires_after(d);
  c->timer.async_wait([c](boost::system::error_code ec) {
    if (!ec) c->close();
  });
}

// Output of a stream: items framed as a JSON array (one-line answer) or one per line.
class BufferSink final : public ControlSink {
 public:
  BufferSink(std::string& out, bool lines, std::size_t mark)
      : out_(out), lines_(lines), mark_(mark) {}
  void item(std::string_view json_text) override {
    if (!lines_ && !first_) out_ += ',';
    first_ = false;
    out_ += json_text;
    if (lines_) out_ += '\n';
  }
  bool full() const override { return out_.size() >= mark_; }

 private:
  std::string& out_;
  bool lines_;
  std::size_t mark_;
  bool first_ = true;
};

}  // namespace

struct ControlServer::Impl {
  explicit Impl(asio::io_context& ctx) : io(ctx), acceptor(ctx), backoff(ctx) {}
  asio::io_context& io;
  local::acceptor acceptor;
  asio::steady_timer backoff;
  bool running = false;
  std::list<std::shared_ptr<Client>> clients;

  std::size_t open_clients() const {
    std::size_t n = 0;
    for (const auto& c : clients) n += !c->closed;
    return n;
  }
};

ControlServer::ControlServer(asio::io_context& io, std::string path, ControlLimits limits)
    : impl_(std::make_shared<Impl>(io)), path_(std::move(path)), limits_(limits) {}

ControlServer::~ControlServer() { stop(); }

void ControlServer::on(const std::string& command, Handler handler) {
  handlers_[command] = std::move(handler);
}

void ControlServer::on_stream(const std::string& command, StreamHandler handler) {
  stream_handlers_[command] = std::move(handler);
}

std::size_t ControlServer::clients() const { return impl_->open_clients(); }

ControlServer::Answer ControlServer::open(const std::string& line) const {
  Answer a;
  auto fail = [&a](std::string msg) {
    a.reply = {{"ok", false}, {"error", std::move(msg)}};
    return std::move(a);
  };
  // nlohmann::json copies and destroys values recursively: refuse deep nesting unparsed.
  if (json_nesting_depth(line, limits_.max_depth + 1) > limits_.max_depth)
    return fail(fmt::format("request nested deeper than {} levels", limits_.max_depth));
  nlohmann::json req = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object()) return fail("request is not a JSON object");
  auto cmd = req.find("command");
  if (cmd == req.end() || !cmd->is_string()) return fail("request has no \"command\" string");
  const std::string name = cmd->get<std::string>();
  auto it = handlers_.find(name);
  auto sit = stream_handlers_.find(name);
  if (it == handlers_.end() && sit == stream_handlers_.end())
    return fail("unknown command: " + name);
  nlohmann::json args = nlohmann::json::object();
  if (auto ar = req.find("args"); ar != req.end()) {
    if (!ar->is_object()) return fail("\"args\" must be an object");
    args = std::move(*ar);
  }
  try {
    if (sit != stream_handlers_.end()) {
      auto s = args.find("stream");
      a.lines = s != args.end() && s->is_boolean() && s->get<bool>();
      a.stream = sit->second(args);
      return a;
    }
    a.reply = {{"ok", true}, {"result", it->second(args)}};
    return a;
  } catch (const ControlError& e) {
    return fail(e.what());
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("bad arguments: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::error("control: command '{}' failed: {}", name, e.what());
    return fail(std::string("internal error: ") + e.what());
  }
}

nlohmann::json ControlServer::dispatch(const std::string& line) const {
  Answer a = open(line);
  if (!a.stream) return std::move(a.reply);
  // Collects the items; unbounded, for tests only.
  struct Collect final : ControlSink {
    nlohmann::json items = nlohmann::json::array();
    void item(std::string_view text) override { items.push_back(nlohmann::json::parse(text)); }
    bool full() const override { return false; }
  } sink;
  while (a.stream->next(sink, limits_.slice_budget)) {
  }
  const std::string key(a.stream->items_key());
  nlohmann::json result = key.empty() ? a.stream->summary() : nlohmann::json{{key, sink.items}};
  return {{"ok", true}, {"result", std::move(result)}};
}

namespace {

// Writes all of `out` within the write timeout; false if the client is gone.
asio::awaitable<bool> write_all(std::shared_ptr<Client> c, const std::string& out,
                                std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  arm(c, timeout);
  co_await asio::async_write(c->sock, asio::buffer(out),
                             asio::redirect_error(asio::use_awaitable, ec));
  c->timer.cancel();
  co_return !ec && !c->closed;
}

// Runs a stream: a slice per io_context turn, written whenever output_mark bytes are buffered
// (the walk waits for the client to take them). False if the client is gone.
asio::awaitable<bool> run_stream(std::shared_ptr<Client> c, ControlServer::Answer& a,
                                 const ControlLimits& lim, const bool& running) {
  ControlStream& st = *a.stream;
  const std::string key(st.items_key());
  const bool lines = a.lines && !key.empty();
  std::string out;
  out.reserve(lim.output_mark + lim.output_mark / 4);
  if (lines) {
    out = dump(nlohmann::json{{"ok", true}, {"stream", key}}) + "\n";
  } else if (!key.empty()) {
    out = R"({"ok":true,"result":{")" + key + R"(":[)";
  }
  BufferSink sink(out, lines, lim.output_mark);
  std::size_t total = 0;
  for (bool more = true; more;) {
    std::string failure;
    try {
      more = st.next(sink, lim.slice_budget);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      spdlog::error("control: stream failed: {}", failure);
      if (lines) {
        out += dump(nlohmann::json{{"end", true}, {"error", "internal error: " + failure}}) + "\n";
        co_await write_all(c, out, lim.write_timeout);
      }
      co_return false;  // a one-line answer cannot be ended well: the client sees it cut
    }
    if (!more) {
      nlohmann::json sum = st.summary();
      if (lines) {
        sum["end"] = true;
        out += dump(sum) + "\n";
      } else if (key.empty()) {
        out += dump(nlohmann::json{{"ok", true}, {"result", std::move(sum)}}) + "\n";
      } else {
        out += "]}}\n";
      }
    }
    if (!more || out.size() >= lim.output_mark) {
      total += out.size();
      if (!co_await write_all(c, out, lim.write_timeout)) co_return false;
      out.clear();
    } else {
      co_await asio::post(c->sock.get_executor(), asio::use_awaitable);  // let others run
    }
    if (!running) co_return false;
  }
  if (total >= kTrimAfterBytes) ::malloc_trim(0);
  co_return true;
}

}  // namespace

namespace {

asio::awaitable<void> serve_client(std::shared_ptr<Client> c, const ControlServer* server,
                                   std::shared_ptr<const bool> running) {
  const ControlLimits lim = server->limits();  // a copy: the server may go while suspended
  std::string buf;  // received bytes not yet taken as a request; at most max_request + 1
  char chunk[4096];
  Clock::time_point request_started{};
  for (;;) {
    const std::size_t nl = buf.find('\n');
    if (nl == std::string::npos) {
      if (buf.size() > lim.max_request) {
        co_await write_all(
            c, error_line(fmt::format("request too large (limit {} bytes)", lim.max_request)),
            lim.write_timeout);
        co_return;
      }
      // Waiting for (the rest of) a request: this client may be evicted meanwhile.
      if (buf.empty()) {
        arm(c, lim.idle_timeout);
      } else {
        arm(c, lim.request_timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                         Clock::now() - request_started));
      }
      boost::system::error_code ec;
      const std::size_t room = std::min(sizeof chunk, lim.max_request + 1 - buf.size());
      std::size_t n = co_await c->sock.async_read_some(
          asio::buffer(chunk, room), asio::redirect_error(asio::use_awaitable, ec));
      c->timer.cancel();
      if (ec || c->closed || !*running) co_return;
      if (buf.empty()) request_started = Clock::now();
      buf.append(chunk, n);
      continue;
    }
    std::string line = buf.substr(0, nl);
    buf.erase(0, nl + 1);
    if (buf.empty()) buf.shrink_to_fit();
    c->busy = true;
    ControlServer::Answer a = server->open(line);
    line.clear();
    line.shrink_to_fit();
    bool ok = a.stream ? co_await run_stream(c, a, lim, *running)
                       : co_await write_all(c, dump(a.reply) + "\n", lim.write_timeout);
    if (!ok || !*running) co_return;
    c->busy = false;
    c->waiting_since = Clock::now();
    if (!buf.empty()) request_started = Clock::now();  // a pipelined request already begun
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
  // The coroutines hold the Impl (client list) and a flag that stop() clears: a client still
  // suspended after the server is gone touches neither the server nor its handlers.
  auto running = std::make_shared<bool>(true);
  running_flag_ = running;
  std::shared_ptr<Impl> impl = impl_;
  asio::co_spawn(
      impl->io,
      [this, impl, running]() -> asio::awaitable<void> {
        while (*running) {
          boost::system::error_code ec;
          local::socket s =
              co_await impl->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (!*running || ec == asio::error::operation_aborted) co_return;
          if (ec) {
            // Out of descriptors (or buffers): the pending connection stays queued and accept
            // would fail again at once; wait instead of spinning.
            spdlog::warn("control: accept failed: {}; retrying in 100 ms", ec.message());
            impl->backoff.expires_after(std::chrono::milliseconds(100));
            co_await impl->backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          if (impl->open_clients() >= limits_.max_clients) {
            // Make room by closing the client that has waited longest for a request.
            std::shared_ptr<Client> victim;
            for (const auto& c : impl->clients)
              if (!c->closed && !c->busy && (!victim || c->waiting_since < victim->waiting_since))
                victim = c;
            if (victim) {
              spdlog::debug("control: {} connections: closing the longest idle one",
                            limits_.max_clients);
              victim->close();
            } else {
              const std::string msg = error_line(fmt::format(
                  "too many control connections (limit {}); try again later", limits_.max_clients));
              s.non_blocking(true, ec);
              s.write_some(asio::buffer(msg), ec);
              s.close(ec);
              spdlog::debug("control: connection refused: {} connections busy",
                            limits_.max_clients);
              continue;
            }
          }
          auto c = std::make_shared<Client>(std::move(s));
          impl->clients.push_back(c);
          auto pos = std::prev(impl->clients.end());
          asio::co_spawn(impl->io, serve_client(c, this, running),
                         [impl, pos, c](std::exception_ptr e) {
                           c->close();
                           c->timer.cancel();
                           impl->clients.erase(pos);
                           if (e) {
                             try {
                               std::rethrow_exception(e);
                             } catch (const std::exception& ex) {
                               spdlog::error("control: client failed: {}", ex.what());
                             }
                           }
                         });
        }
      },
      asio::detached);
}

void ControlServer::stop() {
  if (!impl_ || !impl_->running) return;
  impl_->running = false;
  if (running_flag_) *running_flag_ = false;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->backoff.cancel();
  for (const auto& c : impl_->clients) {
    c->close();
    c->timer.cancel();
  }
  ::unlink(path_.c_str());
}

}  // namespace nvabgpd::daemon
