#pragma once
// One BMP monitoring station (RFC 7854): nvabgpd connects to it over TCP, writes messages, and
// reads only to notice the station closing. Reconnects with exponential backoff (1 s doubling
// to 60 s, reset by a connection that lasted). The queue of unsent bytes is bounded by the
// configured buffer: a message that would exceed it drops the whole queue and closes the
// connection (a station that stopped reading may never take the rest of the message in
// flight); the reconnection (after the current backoff) starts a fresh BMP session, which is
// resynced from the current tables (on_connected). A collector forgets a router's state when
// its BMP session ends, so nothing stale survives. Memory stays bounded whatever the station
// does. Thread: the io_context thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "nvabgpd/config/model.hpp"

namespace nvabgpd::daemon {

class BmpStation {
 public:
  using Message = std::shared_ptr<const std::vector<std::uint8_t>>;

  BmpStation(boost::asio::io_context& io, config::BmpStation cfg,
             std::function<void()> on_connected, std::function<void()> on_drained);
  ~BmpStation();
  BmpStation(const BmpStation&) = delete;
  BmpStation& operator=(const BmpStation&) = delete;

  void start();
  // Queues a message when connected (dropped otherwise: a new connection is resynced).
  void send(Message m);
  // Queued bytes below half the buffer: a sync walk may add more.
  bool has_room() const { return connected_ && !resyncing_ && queued_ * 2 < cfg_.buffer; }
  bool connected() const { return connected_ && !resyncing_; }
  // Writes `last` (Termination), then closes and stops reconnecting; `done` when written or
  // after `deadline`.
  void stop(Message last, std::chrono::milliseconds deadline, std::function<void()> done);

  std::size_t queued() const { return queued_; }
  std::string name() const;
  std::uint64_t dropped_resyncs() const { return resyncs_; }

 private:
  void connect();
  void on_connect(const boost::system::error_code& ec);
  void write_next();
  void read_loop();
  void fail(const std::string& why);
  void schedule_reconnect(std::chrono::milliseconds after);

  boost::asio::io_context& io_;
  config::BmpStation cfg_;
  std::function<void()> on_connected_;
  std::function<void()> on_drained_;
  std::unique_ptr<boost::asio::ip::tcp::socket> sock_;
  boost::asio::steady_timer timer_;
  std::deque<Message> queue_;
  std::size_t queued_ = 0;
  bool writing_ = false;
  bool connected_ = false;
  bool resyncing_ = false;  // the queue overflowed: reconnecting
  bool stopping_ = false;
  std::function<void()> stopped_;
  std::chrono::milliseconds backoff_{1000};
  std::chrono::steady_clock::time_point connected_at_;
  std::uint64_t generation_ = 0;
  std::uint64_t resyncs_ = 0;
  std::array<std::uint8_t, 256> read_buf_{};
};

}  // namespace nvabgpd::daemon
