// bfd::Manager over real UDP sockets on 127.0.0.1: a session talking to itself comes Up (its
// own packets arrive with TTL 255), and packets that fail the TTL or 6.8.6 checks are dropped.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "nvabgpd/bfd/manager.hpp"

using namespace nvabgpd;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::uint16_t test_port(int k) {
  return static_cast<std::uint16_t>(20000 + (::getpid() % 5000) * 4 + k);
}

// Runs the io_context until `done` or the deadline.
template <typename F>
bool run_until(asio::io_context& io, F done, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(10ms);
  }
  return done();
}

}  // namespace

TEST_CASE("bfd manager: a looped session comes Up over UDP with TTL 255", "[bfd][manager]") {
  asio::io_context io;
  base::SteadyClock clock;
  std::vector<bfd::StateChange> changes;
  bfd::ManagerCallbacks cb;
  cb.on_state = [&](bfd::SessionId, const bfd::PeerSpec&, const bfd::StateChange& c) {
    changes.push_back(c);
  };
  bfd::Manager m(io, clock, cb, 42);
  m.set_ports_for_testing(test_port(0), test_port(1));
  bfd::PeerSpec spec;
  spec.name = "self";
  spec.remote = base::IpAddress::v4(0x7F000001);
  spec.timers = bfd::SessionConfig{bfd::Micros{50'000}, bfd::Micros{50'000}, 3};
  auto id = m.add(spec);
  REQUIRE(id.ok());
  REQUIRE(run_until(io, [&] { return m.session(*id)->state == bfd::State::Up; }));
  REQUIRE(changes.size() >= 2);
  CHECK(changes[0].to == bfd::State::Init);
  CHECK(changes[1].to == bfd::State::Up);
  const auto info = m.session(*id);
  CHECK(info->remote_discr == *id);
  CHECK(info->source_port >= 49152);
  CHECK(info->packets_in > 0);
  // The Poll Sequence after Up completes and the fast rate applies.
  REQUIRE(run_until(io, [&] { return m.session(*id)->tx_interval == 50ms; }));

  SECTION("a datagram with TTL 64 is dropped (RFC 5881 5)") {
    asio::ip::udp::socket s(io, asio::ip::udp::v4());
    const std::vector<std::uint8_t> junk(24, 0x20);
    s.send_to(asio::buffer(junk),
              asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), test_port(0)));
    REQUIRE(run_until(io, [&] { return m.stats().dropped > 0; }));
    CHECK(m.stats().last_drop.find("TTL 64") != std::string::npos);
  }
  SECTION("remove() sends AdminDown and forgets the session") {
    m.remove(*id);
    CHECK_FALSE(m.session(*id));
    CHECK(m.sessions().empty());
    // Its own AdminDown arrives for a session that no longer exists.
    REQUIRE(run_until(io, [&] { return m.stats().dropped > 0; }));
  }
}

TEST_CASE("bfd manager: IPv6 single-hop (hop limit 255) over ::1", "[bfd][manager]") {
  asio::io_context io;
  base::SteadyClock clock;
  bfd::Manager m(io, clock, {}, 7);
  m.set_ports_for_testing(test_port(2), test_port(3));
  bfd::PeerSpec spec;
  spec.name = "self6";
  spec.remote = *base::IpAddress::parse("::1");
  spec.timers = bfd::SessionConfig{bfd::Micros{50'000}, bfd::Micros{50'000}, 3};
  auto id = m.add(spec);
  REQUIRE(id.ok());
  REQUIRE(run_until(io, [&] { return m.session(*id)->state == bfd::State::Up; }));
  CHECK(m.stats().dropped == 0);
}
