// BmpStation against a station on 127.0.0.1 that accepts and never reads: the queue never
// exceeds the configured buffer, overflowing it drops the queue and closes the connection, and
// the station reconnects (to be resynced) instead of buffering without bound.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bmp_station.hpp"

using namespace nvabgpd;
namespace asio = boost::asio;
using asio::ip::tcp;

TEST_CASE("a stalled BMP station costs at most its buffer, then is reconnected for a resync") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  config::BmpStation cfg;
  cfg.address = *base::IpAddress::parse("127.0.0.1");
  cfg.port = acceptor.local_endpoint().port();
  cfg.buffer = 64u << 10;

  std::vector<std::unique_ptr<tcp::socket>> accepted;  // kept open, never read
  std::function<void()> accept_next = [&] {
    auto s = std::make_unique<tcp::socket>(io);
    auto* raw = s.get();
    accepted.push_back(std::move(s));
    acceptor.async_accept(*raw, [&](boost::system::error_code ec) {
      if (!ec) accept_next();
    });
  };
  accept_next();

  std::size_t max_queued = 0;
  int connections = 0;
  std::size_t sent_before_overflow = 0;
  std::unique_ptr<daemon::BmpStation> st;
  auto pump = std::make_shared<std::function<void()>>();
  auto msg = std::make_shared<const std::vector<std::uint8_t>>(1000, 0x5a);
  st = std::make_unique<daemon::BmpStation>(
      io, cfg,
      [&] {
        ++connections;
        if (connections == 2) {
          io.stop();  // reconnected: the daemon would resync it now
          return;
        }
        // 64 MB toward a station that reads nothing, 8 messages per loop turn so the writes
        // progress until the kernel's socket buffers are full: far more than those hold.
        *pump = [&] {
          for (int i = 0; i < 8 && st->connected() && sent_before_overflow < 64000; ++i) {
            st->send(msg);
            max_queued = std::max(max_queued, st->queued());
            ++sent_before_overflow;
          }
          if (st->connected() && sent_before_overflow < 64000) asio::post(io, *pump);
        };
        (*pump)();
      },
      [] {});
  st->start();
  asio::steady_timer guard(io, std::chrono::seconds(20));
  guard.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  io.run();
  CHECK(connections == 2);
  CHECK(st->dropped_resyncs() == 1);
  CHECK(max_queued <= cfg.buffer);
  CHECK(sent_before_overflow > 1000);   // the kernel took some before the queue filled
  CHECK(sent_before_overflow < 64000);  // it stopped queueing once the connection was closed
}
