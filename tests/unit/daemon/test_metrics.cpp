// Scrapes the metrics endpoint over a plain TCP socket on 127.0.0.1 and checks the
// exposition text.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "metrics.hpp"

namespace {

using nvabgpd::daemon::Metrics;
using nvabgpd::daemon::PeerSample;

// GET /metrics; returns the whole HTTP response ("" when the connection fails).
std::string scrape(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};  // a broken server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    const std::string req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    REQUIRE(::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::unique_ptr<Metrics> start_local() {
  auto m = Metrics::start("127.0.0.1", 0);
  if (!m) FAIL(m.error());
  REQUIRE(m.value()->port() != 0);
  return std::move(m.value());
}

}  // namespace

TEST_CASE("metrics: peer series appear in the exposition text with their labels") {
  auto m = start_local();
  PeerSample s;
  s.state = nvabgpd::session::State::Established;
  s.prefixes_received = 12;
  s.prefixes_accepted = 10;
  s.prefixes_advertised = 3;
  s.messages_in = 40;
  s.messages_out = 7;
  s.flaps = 2;
  m->update_peer("ars1", s);
  m->set_loc_rib(1234);
  m->fib_errors(3);
  m->fib_latency(0.002);
  m->fib_latency(0.2);

  const std::string body = scrape(m->port());
  REQUIRE(body.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(body.find("# TYPE nvabgpd_peer_state gauge") != std::string::npos);
  CHECK(has_line(body, "nvabgpd_peer_state{peer=\"ars1\"} 6"));
  CHECK(has_line(body, "nvabgpd_peer_up{peer=\"ars1\"} 1"));
  CHECK(has_line(body, "nvabgpd_peer_prefixes{kind=\"received\",peer=\"ars1\"} 12"));
  CHECK(has_line(body, "nvabgpd_peer_prefixes{kind=\"accepted\",peer=\"ars1\"} 10"));
  CHECK(has_line(body, "nvabgpd_peer_prefixes{kind=\"advertised\",peer=\"ars1\"} 3"));
  CHECK(body.find("# TYPE nvabgpd_peer_messages_total counter") != std::string::npos);
  CHECK(has_line(body, "nvabgpd_peer_messages_total{direction=\"in\",peer=\"ars1\"} 40"));
  CHECK(has_line(body, "nvabgpd_peer_messages_total{direction=\"out\",peer=\"ars1\"} 7"));
  CHECK(has_line(body, "nvabgpd_peer_flaps_total{peer=\"ars1\"} 2"));
  CHECK(has_line(body, "nvabgpd_loc_rib_prefixes 1234"));
  CHECK(has_line(body, "nvabgpd_fib_install_errors_total 3"));
  CHECK(has_line(body, "nvabgpd_fib_install_latency_seconds_count 2"));
  CHECK(has_line(body, "nvabgpd_fib_install_latency_seconds_bucket{le=\"0.005\"} 1"));
  CHECK(has_line(body, "nvabgpd_fib_install_latency_seconds_bucket{le=\"0.5\"} 2"));
}

TEST_CASE("metrics: counters follow totals across samples and stay monotonic on reset") {
  auto m = start_local();
  PeerSample s;
  s.messages_in = 10;
  m->update_peer("p", s);
  s.messages_in = 25;
  m->update_peer("p", s);
  CHECK(has_line(scrape(m->port()), "nvabgpd_peer_messages_total{direction=\"in\",peer=\"p\"} 25"));
  // The session restarted and its totals began again at 4: the counter adds 4, never drops.
  s.messages_in = 4;
  s.state = nvabgpd::session::State::Active;
  m->update_peer("p", s);
  const std::string body = scrape(m->port());
  CHECK(has_line(body, "nvabgpd_peer_messages_total{direction=\"in\",peer=\"p\"} 29"));
  CHECK(has_line(body, "nvabgpd_peer_up{peer=\"p\"} 0"));
  CHECK(has_line(body, "nvabgpd_peer_state{peer=\"p\"} 3"));
}

TEST_CASE("metrics: a removed peer's series disappear, others stay") {
  auto m = start_local();
  m->update_peer("gone", PeerSample{});
  m->update_peer("kept", PeerSample{});
  REQUIRE(scrape(m->port()).find("peer=\"gone\"") != std::string::npos);
  m->remove_peer("gone");
  m->remove_peer("never-existed");
  const std::string body = scrape(m->port());
  CHECK(body.find("peer=\"gone\"") == std::string::npos);
  CHECK(has_line(body, "nvabgpd_peer_up{peer=\"kept\"} 0"));
}

TEST_CASE("metrics: only loopback addresses are accepted, errors are values") {
  auto a = Metrics::start("0.0.0.0", 0);
  REQUIRE_FALSE(a);
  CHECK(a.error().find("not a loopback") != std::string::npos);
  CHECK_FALSE(Metrics::start("10.0.0.1", 0));
  CHECK_FALSE(Metrics::start("not-an-address", 0));
  // A port already in use is reported, not thrown.
  auto first = start_local();
  auto second = Metrics::start("127.0.0.1", first->port());
  REQUIRE_FALSE(second);
  CHECK(second.error().find("cannot listen") != std::string::npos);
}

TEST_CASE("metrics: stopping the exposer closes the port") {
  std::uint16_t port = 0;
  {
    auto m = start_local();
    port = m->port();
    REQUIRE_FALSE(scrape(port).empty());
  }
  CHECK(scrape(port).empty());
}
