#include "bmp_station.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace nvabgpd::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::chrono::milliseconds kMinBackoff{1000};
constexpr std::chrono::milliseconds kMaxBackoff{60000};
constexpr std::chrono::seconds kStable{60};  // a connection this old resets the backoff
}  // namespace

BmpStation::BmpStation(asio::io_context& io, config::BmpStation cfg,
                       std::function<void()> on_connected, std::function<void()> on_drained)
    : io_(io),
      cfg_(cfg),
      on_connected_(std::move(on_connected)),
      on_drained_(std::move(on_drained)),
      timer_(io) {}

BmpStation::~BmpStation() {
  ++generation_;
  boost::system::error_code ec;
  if (sock_) sock_->close(ec);
}

std::string BmpStation::name() const {
  return cfg_.address.is_v6() ? fmt::format("[{}]:{}", cfg_.address.to_string(), cfg_.port)
                              : fmt::format("{}:{}", cfg_.address.to_string(), cfg_.port);
}

void BmpStation::start() { connect(); }

void BmpStation::connect() {
  if (stopping_) return;
  const std::uint64_t gen = ++generation_;
  sock_ = std::make_unique<tcp::socket>(io_);
  const auto addr = asio::ip::make_address(cfg_.address.to_string());
  sock_->async_connect(tcp::endpoint(addr, cfg_.port), [this, gen](boost::system::error_code ec) {
    if (gen != generation_) return;
    on_connect(ec);
  });
}

void BmpStation::on_connect(const boost::system::error_code& ec) {
  if (ec) {
    spdlog::debug("bmp {}: connect failed: {}", name(), ec.message());
    schedule_reconnect(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return;
  }
  spdlog::info("bmp {}: connected", name());
  connected_ = true;
  resyncing_ = false;
  connected_at_ = std::chrono::steady_clock::now();
  read_loop();
  if (on_connected_) on_connected_();
}

void BmpStation::read_loop() {
  const std::uint64_t gen = generation_;
  sock_->async_read_some(
      asio::buffer(read_buf_), [this, gen](boost::system::error_code ec, std::size_t) {
        if (gen != generation_) return;
        if (ec) {
          fail(ec == asio::error::eof ? "station closed the connection" : ec.message());
          return;
        }
        read_loop();  // RFC 7854: the station sends nothing; anything it sends is ignored
      });
}

void BmpStation::send(Message m) {
  if (!connected_ || resyncing_ || stopping_) return;
  if (queued_ + m->size() > cfg_.buffer) {
    ++resyncs_;
    spdlog::warn(
        "bmp {}: {} bytes queued, buffer of {} full: dropping the queue; the station "
        "will be resynced from the current tables",
        name(), queued_, cfg_.buffer);
    // Close now (a station that stopped reading may never complete the write in flight):
    // the reconnection starts a fresh BMP session, synced from the current tables.
    resyncing_ = true;
    fail("resync after a buffer overflow");
    return;
  }
  queued_ += m->size();
  queue_.push_back(std::move(m));
  write_next();
}

void BmpStation::write_next() {
  if (writing_ || queue_.empty() || !sock_) return;
  writing_ = true;
  const std::uint64_t gen = generation_;
  // Everything queued in one gathered write (up to kMaxGather messages).
  constexpr std::size_t kMaxGather = 256;
  auto bufs = std::make_shared<std::vector<asio::const_buffer>>();
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < queue_.size() && i < kMaxGather; ++i) {
    bufs->push_back(asio::buffer(*queue_[i]));
    bytes += queue_[i]->size();
  }
  const std::size_t count = bufs->size();
  asio::async_write(
      *sock_, *bufs, [this, gen, bufs, count, bytes](boost::system::error_code ec, std::size_t) {
        if (gen != generation_) return;
        writing_ = false;
        queued_ -= bytes;
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        if (ec) {
          fail(ec.message());
          return;
        }
        if (queue_.empty() && stopping_) {
          fail("stopped");
          return;
        }
        write_next();
        if (queued_ * 2 < cfg_.buffer && on_drained_) on_drained_();
      });
}

void BmpStation::fail(const std::string& why) {
  const bool was = connected_;
  ++generation_;
  connected_ = false;
  writing_ = false;
  queue_.clear();
  queued_ = 0;
  boost::system::error_code ec;
  if (sock_) {
    sock_->shutdown(tcp::socket::shutdown_both, ec);
    sock_->close(ec);
  }
  if (stopping_) {
    timer_.cancel();
    if (stopped_) std::exchange(stopped_, nullptr)();
    return;
  }
  if (std::chrono::steady_clock::now() - connected_at_ > kStable) backoff_ = kMinBackoff;
  if (resyncing_) {
    resyncing_ = false;
    spdlog::info("bmp {}: reconnecting in {} ms to resync", name(), backoff_.count());
  } else if (was) {
    spdlog::warn("bmp {}: connection lost: {}", name(), why);
  }
  schedule_reconnect(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void BmpStation::schedule_reconnect(std::chrono::milliseconds after) {
  timer_.expires_after(after);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

void BmpStation::stop(Message last, std::chrono::milliseconds deadline,
                      std::function<void()> done) {
  if (stopping_) return;
  if (!connected_ || resyncing_) {
    stopping_ = true;
    ++generation_;
    timer_.cancel();
    boost::system::error_code ec;
    if (sock_) sock_->close(ec);
    done();
    return;
  }
  send(std::move(last));
  stopping_ = true;
  stopped_ = std::move(done);
  timer_.expires_after(deadline);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && stopped_) fail("termination deadline");
  });
  if (!writing_ && queue_.empty()) fail("stopped");
}

}  // namespace nvabgpd::daemon
