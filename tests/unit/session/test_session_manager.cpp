// SessionManager over real TCP on 127.0.0.0/8 (no namespaces needed): two managers in one
// io_context, plus raw sockets playing broken or unknown peers. Waits run the io_context
// until an observable condition holds, bounded by a timeout.
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "nvabgpd/session/session_manager.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd;
using namespace nvabgpd::session;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool run_until(asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::seconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_one_for(20ms);
  }
  return true;
}

// Two ports per process (a and b): neighbouring pids, run in parallel by ctest -j, never share one.
std::uint16_t base_port() { return static_cast<std::uint16_t>(20000 + (getpid() % 10000) * 2); }

base::IpAddress lo(int last) {
  return base::IpAddress::v4(0x7f000000u | static_cast<unsigned>(last));
}

struct Recorder {
  std::vector<PeerUp> ups;
  std::vector<PeerDown> downs;
  std::vector<NotificationEvent> notifications;
  std::vector<RejectedConnection> rejected;
  std::vector<RefreshRequest> refreshes;
  int drained = 0;
  SessionCallbacks callbacks() {
    SessionCallbacks cb;
    cb.on_up = [this](const PeerUp& u) { ups.push_back(u); };
    cb.on_down = [this](const PeerDown& d) { downs.push_back(d); };
    cb.on_notification = [this](const NotificationEvent& n) { notifications.push_back(n); };
    cb.on_rejected = [this](const RejectedConnection& r) { rejected.push_back(r); };
    cb.on_refresh = [this](const RefreshRequest& r) { refreshes.push_back(r); };
    cb.on_drained = [this](PeerId) { ++drained; };
    return cb;
  }
};

PeerConfig peer(int last, std::uint16_t port, std::uint32_t asn, int local_last) {
  PeerConfig p;
  p.name = fmt::format("p{}", last);
  p.address = lo(last);
  p.port = port;
  p.asn = asn;
  p.local_address = lo(local_last);
  p.hold_time = 9s;
  p.connect_retry = 1s;
  p.idle_hold = 1s;
  return p;
}

// Manager A on 127.0.0.1 (AS 65001) and B on 127.0.0.2 (AS 65002), peered with each other.
struct Pair {
  asio::io_context io;
  base::SteadyClock clock;
  Recorder ra, rb;
  std::uint16_t port_a = base_port(), port_b = static_cast<std::uint16_t>(base_port() + 1);
  std::unique_ptr<SessionManager> a, b;
  PeerId a_to_b = 0, b_to_a = 0;

  explicit Pair(std::chrono::seconds hold_b = 9s) {
    a = std::make_unique<SessionManager>(io, SpeakerConfig{65001, 0x7f000001, {{lo(1), port_a}}},
                                         ra.callbacks(), clock, 1);
    b = std::make_unique<SessionManager>(io, SpeakerConfig{65002, 0x7f000002, {{lo(2), port_b}}},
                                         rb.callbacks(), clock, 2);
    a_to_b = a->add_peer(peer(2, port_b, 65002, 1));
    auto pb = peer(1, port_a, 65001, 2);
    pb.hold_time = hold_b;
    b_to_a = b->add_peer(pb);
    REQUIRE_FALSE(a->listen());
    REQUIRE_FALSE(b->listen());
    a->start_peer(a_to_b);
    b->start_peer(b_to_a);
  }
  bool up() const {
    return a->stats(a_to_b).state == State::Established &&
           b->stats(b_to_a).state == State::Established;
  }
};

std::vector<std::uint8_t> read_message(tcp::socket& s) {
  std::vector<std::uint8_t> m(wire::kHeaderSize);
  asio::read(s, asio::buffer(m));
  const std::size_t len = (std::size_t{m[16]} << 8) | m[17];
  m.resize(len);
  asio::read(s, asio::buffer(m.data() + wire::kHeaderSize, len - wire::kHeaderSize));
  return m;
}

}  // namespace

TEST_CASE("two managers reach Established over loopback and agree on the session") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  REQUIRE(pr.ra.ups.size() == 1);
  const auto& n = pr.ra.ups[0].negotiated;
  CHECK(n.peer_asn == 65002);
  CHECK(n.hold_time == 9s);
  CHECK(n.route_refresh);
  CHECK(pr.ra.ups[0].remote_address == lo(2));
  CHECK(pr.ra.ups[0].local_address == lo(1));
  CHECK(pr.a->negotiated(pr.a_to_b)->peer_id == 0x7f000002);
  CHECK(pr.a->stats(pr.a_to_b).established_count == 1);
}

TEST_CASE("hold time 0 on one side: Established without keepalives") {
  Pair pr(0s);
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  CHECK(pr.ra.ups[0].negotiated.hold_time == 0s);
  CHECK(pr.rb.ups[0].negotiated.keepalive == 0s);
  // Only the OPEN-exchange KEEPALIVE went out.
  CHECK(pr.a->stats(pr.a_to_b).keepalives_out == 1);
}

TEST_CASE("administrative shutdown carries the RFC 8203 message; send() needs Established") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  pr.a->stop_peer(pr.a_to_b, "maintenance window");
  REQUIRE(run_until(pr.io, [&] { return !pr.rb.downs.empty(); }));
  REQUIRE_FALSE(pr.rb.notifications.empty());
  const auto& got = pr.rb.notifications.back();
  CHECK_FALSE(got.sent);
  CHECK(got.notification.code == wire::err::kCease);
  CHECK(got.notification.subcode == wire::err::kCeaseAdminShutdown);
  CHECK(wire::decode_shutdown_communication(got.notification) == "maintenance window");
  CHECK(pr.rb.downs[0].reason.find("maintenance window") != std::string::npos);
  CHECK(pr.a->stats(pr.a_to_b).state == State::Idle);
  auto ka = std::make_shared<const std::vector<std::uint8_t>>(
      wire::encode(wire::Keepalive{}, wire::SessionParams{}));
  CHECK_FALSE(pr.a->send(pr.a_to_b, ka));
}

TEST_CASE("drop_peer closes an Established session with the given Cease subcode and restarts") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  CHECK(pr.a->drop_peer(pr.a_to_b, wire::err::kCeaseBfdDown, "BFD down"));
  REQUIRE(run_until(pr.io, [&] { return !pr.rb.downs.empty(); }));
  REQUIRE_FALSE(pr.rb.notifications.empty());
  const auto& got = pr.rb.notifications.back();
  CHECK(got.notification.code == wire::err::kCease);
  CHECK(got.notification.subcode == wire::err::kCeaseBfdDown);
  REQUIRE_FALSE(pr.ra.downs.empty());
  CHECK(pr.ra.downs.back().reason.find("BFD down") != std::string::npos);
  // Not a ManualStop: the peer comes back by itself after its idle hold (1 s).
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  // Nothing to drop unless Established.
  pr.a->stop_peer(pr.a_to_b, "");
  CHECK_FALSE(pr.a->drop_peer(pr.a_to_b, wire::err::kCeaseBfdDown, "BFD down"));
}

TEST_CASE("shutdown leaves the peers it keeps without NOTIFICATION (graceful restart)") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  // (A connection collision may have been resolved with a Cease before: count from here.)
  const auto sent_before = pr.a->stats(pr.a_to_b).notifications_out;
  const auto got_before = pr.rb.notifications.size();
  bool done = false;
  pr.a->shutdown(
      "restarting", [&] { done = true; }, [&](PeerId id) { return id == pr.a_to_b; });
  REQUIRE(run_until(pr.io, [&] { return done; }));
  CHECK(pr.a->stats(pr.a_to_b).notifications_out == sent_before);
  CHECK(pr.rb.notifications.size() == got_before);
  // The session only ends with the process (its socket closes): B is still Established.
  CHECK(pr.b->stats(pr.b_to_a).state == State::Established);
}

TEST_CASE("set_graceful_restart changes the capability of the OPENs sent afterwards") {
  Pair pr;
  wire::GracefulRestartCap gr;
  gr.restart_time = 30;
  gr.restart_state = true;
  gr.families = {{wire::kIpv4Unicast, true}};
  pr.a->set_graceful_restart(pr.a_to_b, gr);
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  REQUIRE(pr.rb.ups.back().negotiated.peer_graceful_restart);
  CHECK(pr.rb.ups.back().negotiated.peer_graceful_restart->restart_state);
  CHECK(pr.rb.ups.back().negotiated.peer_graceful_restart->families == gr.families);
  gr.restart_state = false;  // the restart is over
  pr.a->set_graceful_restart(pr.a_to_b, gr);
  pr.a->stop_peer(pr.a_to_b, "again");
  pr.a->start_peer(pr.a_to_b);
  REQUIRE(run_until(
      pr.io, [&] { return pr.rb.ups.size() == 2 && pr.up(); }, 20s));
  REQUIRE(pr.rb.ups.back().negotiated.peer_graceful_restart);
  CHECK_FALSE(pr.rb.ups.back().negotiated.peer_graceful_restart->restart_state);
}

TEST_CASE("a ROUTE-REFRESH sent as a pre-encoded buffer reaches the peer's on_refresh") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  auto rr = std::make_shared<const std::vector<std::uint8_t>>(
      wire::encode(wire::RouteRefresh{wire::kIpv4Unicast, 0}, wire::SessionParams{}));
  REQUIRE(pr.b->send(pr.b_to_a, rr));
  REQUIRE(run_until(pr.io, [&] { return !pr.ra.refreshes.empty(); }));
  CHECK(pr.ra.refreshes[0].refresh.af == wire::kIpv4Unicast);
  CHECK(pr.ra.refreshes[0].peer == pr.a_to_b);
}

TEST_CASE("an unknown address is refused before OPEN; the session stays up") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  tcp::socket intruder(pr.io);
  intruder.open(tcp::v4());
  intruder.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.3"), 0));
  intruder.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), pr.port_a));
  REQUIRE(run_until(pr.io, [&] { return !pr.ra.rejected.empty(); }));
  CHECK(pr.ra.rejected[0].remote == lo(3));
  CHECK(pr.ra.rejected[0].reason == "not a configured peer");
  // The intruder sees the connection closed without an OPEN.
  std::uint8_t byte = 0;
  boost::system::error_code ec;
  intruder.read_some(asio::buffer(&byte, 1), ec);
  CHECK(ec == asio::error::eof);
  CHECK(pr.up());
  CHECK(pr.ra.downs.empty());
}

// One manager on 127.0.0.1 with one passive peer 127.0.0.<last> (AS 650xx), and raw
// sockets that play that peer by hand.
struct Passive {
  asio::io_context io;
  base::SteadyClock clock;
  Recorder r;
  std::uint16_t port;
  int last;
  std::unique_ptr<SessionManager> m;
  PeerId id = 0;

  Passive(int last_, int port_offset, const std::function<void(PeerConfig&)>& tune = {})
      : port(static_cast<std::uint16_t>(base_port() + port_offset)), last(last_) {
    m = std::make_unique<SessionManager>(io, SpeakerConfig{65001, 0x7f000001, {{lo(1), port}}},
                                         r.callbacks(), clock, static_cast<std::uint64_t>(last));
    auto pc = peer(last, 179, static_cast<std::uint32_t>(65000 + last), 1);
    pc.passive = true;
    if (tune) tune(pc);
    id = m->add_peer(pc);
    REQUIRE_FALSE(m->listen());
    m->start_peer(id);
  }
  tcp::socket connect() {
    tcp::socket s(io);
    s.open(tcp::v4());
    s.bind(tcp::endpoint(asio::ip::make_address_v4(lo(last).to_string()), 0));
    s.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
    return s;
  }
};

TEST_CASE("malformed input from a configured peer gets the right NOTIFICATION") {
  Passive ps(5, 2);
  auto& io = ps.io;
  auto& r = ps.r;
  auto connect = [&] { return ps.connect(); };
  auto expect_notification = [&](tcp::socket& s, std::uint8_t code, std::uint8_t subcode) {
    std::vector<std::uint8_t> msg;
    std::atomic<bool> done{false};
    // The manager sends its OPEN first, then the NOTIFICATION; run it while we read.
    std::thread reader([&] {
      for (;;) {
        try {
          msg = read_message(s);
        } catch (const boost::system::system_error&) {
          break;
        }
        if (msg[18] == 3) break;
      }
      done = true;
    });
    const bool finished = run_until(io, [&] { return done.load(); });
    if (!finished) s.close();  // unblock the reader before failing
    reader.join();
    REQUIRE(finished);
    REQUIRE(msg.size() >= wire::kHeaderSize);
    const auto d = wire::decode(msg, wire::SessionParams{});
    REQUIRE(d.message);
    const auto& n = std::get<wire::Notification>(*d.message);
    CHECK(n.code == code);
    CHECK(n.subcode == subcode);
  };

  SECTION("a bad marker: Message Header Error / Connection Not Synchronized") {
    auto s = connect();
    std::vector<std::uint8_t> junk(19, 0x00);
    junk[17] = 19;
    junk[18] = 4;
    asio::write(s, asio::buffer(junk));
    expect_notification(s, wire::err::kMessageHeaderError,
                        wire::err::kHeaderConnectionNotSynchronized);
  }
  SECTION("an OPEN with the wrong AS: OPEN Message Error / Bad Peer AS") {
    auto s = connect();
    const auto open = make_open(65099, 0x7f000005, 90s, {});
    asio::write(s, asio::buffer(wire::encode(open, wire::SessionParams{})));
    expect_notification(s, wire::err::kOpenMessageError, wire::err::kOpenBadPeerAs);
  }
  SECTION("an OPEN with hold time 2: Unacceptable Hold Time") {
    auto s = connect();
    const auto open = make_open(65005, 0x7f000005, 2s, {});
    asio::write(s, asio::buffer(wire::encode(open, wire::SessionParams{})));
    expect_notification(s, wire::err::kOpenMessageError, wire::err::kOpenUnacceptableHoldTime);
  }
  SECTION("an UPDATE before the session is up: FSM Error in OpenSent") {
    auto s = connect();
    wire::Update u;
    asio::write(s, asio::buffer(wire::encode(u, wire::SessionParams{})));
    expect_notification(s, wire::err::kFsmError, wire::err::kFsmUnexpectedInOpenSent);
  }
  CHECK(r.ups.empty());
}

TEST_CASE("a peer that stops reading: congested above the high watermark, drained below low") {
  Passive ps(6, 3);
  auto& io = ps.io;
  auto& r = ps.r;
  auto& m = *ps.m;
  const PeerId id = ps.id;
  // A hand-driven peer: OPEN with hold time 0 (no timers), KEEPALIVE, then it reads nothing.
  tcp::socket s = ps.connect();
  asio::write(s, asio::buffer(wire::encode(make_open(65006, 0x7f000006, 0s, {}), {})));
  asio::write(s, asio::buffer(wire::encode(wire::Keepalive{}, {})));
  REQUIRE(run_until(io, [&] { return m.stats(id).state == State::Established; }));

  auto chunk = std::make_shared<const std::vector<std::uint8_t>>(
      wire::encode(wire::Keepalive{}, {}));  // any pre-encoded bytes will do
  std::vector<std::uint8_t> big;
  for (int i = 0; i < 3000; ++i) big.insert(big.end(), chunk->begin(), chunk->end());
  auto buf = std::make_shared<const std::vector<std::uint8_t>>(std::move(big));
  std::size_t sent = 0;
  while (!m.congested(id) && sent < (256u << 20)) {
    REQUIRE(m.send(id, buf));
    sent += buf->size();
    io.poll();
  }
  REQUIRE(m.congested(id));
  CHECK(m.stats(id).queued_bytes > SessionManager::kHighWatermark);
  CHECK(r.drained == 0);

  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::vector<std::uint8_t> sink(1 << 16);
    boost::system::error_code ec;
    while (!stop && !ec) s.read_some(asio::buffer(sink), ec);
  });
  const bool drained = run_until(
      io, [&] { return r.drained > 0; }, 30s);
  stop = true;
  m.stop_peer(id, "");
  run_until(io, [&] { return m.stats(id).state == State::Idle; });
  s.shutdown(tcp::socket::shutdown_both);
  reader.join();
  REQUIRE(drained);
  CHECK_FALSE(m.congested(id));
  CHECK(r.downs.size() == 1);
}

namespace {

// A hand-driven peer that completes the OPEN exchange (hold time 3 s), then keeps sending a
// KEEPALIVE every 200 ms from its own thread and never reads. Its receive buffer is small so
// the path fills quickly.
struct NonReader {
  tcp::socket s;
  std::atomic<bool> stop{false};
  std::thread keepalives;

  NonReader(Passive& ps) : s(ps.io) {
    s.open(tcp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(4096));
    s.bind(tcp::endpoint(asio::ip::make_address_v4(lo(ps.last).to_string()), 0));
    s.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), ps.port));
    const auto open = make_open(static_cast<std::uint32_t>(65000 + ps.last),
                                0x7f000000u | static_cast<unsigned>(ps.last), 3s, {});
    asio::write(s, asio::buffer(wire::encode(open, {})));
    asio::write(s, asio::buffer(wire::encode(wire::Keepalive{}, {})));
    REQUIRE(run_until(ps.io, [&] { return ps.m->stats(ps.id).state == State::Established; }));
    keepalives = std::thread([this] {
      const auto ka = wire::encode(wire::Keepalive{}, {});
      boost::system::error_code ec;
      while (!stop && !ec) {
        asio::write(s, asio::buffer(ka), ec);
        std::this_thread::sleep_for(200ms);
      }
    });
  }
  ~NonReader() {
    stop = true;
    boost::system::error_code ec;
    s.shutdown(tcp::socket::shutdown_both, ec);
    keepalives.join();
  }
};

// `bytes` of pre-encoded messages in 64 KiB buffers (a table's worth of UPDATEs as far as the
// transport is concerned: it never looks inside).
std::vector<std::shared_ptr<const std::vector<std::uint8_t>>> table_bytes(std::size_t bytes) {
  const auto ka = wire::encode(wire::Keepalive{}, {});
  std::vector<std::uint8_t> chunk;
  while (chunk.size() + ka.size() <= 65536) chunk.insert(chunk.end(), ka.begin(), ka.end());
  auto buf = std::make_shared<const std::vector<std::uint8_t>>(std::move(chunk));
  return std::vector(bytes / buf->size() + 1, buf);
}

const NotificationEvent* sent_notification(const Recorder& r) {
  for (const auto& n : r.notifications) {
    if (n.sent) return &n;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a peer that sends KEEPALIVEs but never reads is dropped by the send hold timer") {
  Passive ps(7, 4, [](PeerConfig& pc) { pc.send_hold_time = 2s; });
  NonReader peer(ps);
  // 32 MiB queued regardless of congestion (as for a slow member of a busy update group):
  // far more than the socket buffers on both ends hold.
  for (const auto& b : table_bytes(32u << 20)) REQUIRE(ps.m->send(ps.id, b));
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run_until(
      ps.io, [&] { return !ps.r.downs.empty(); }, 20s));
  const auto took = std::chrono::steady_clock::now() - t0;
  const auto* n = sent_notification(ps.r);
  REQUIRE(n != nullptr);
  CHECK(n->notification.code == wire::err::kSendHoldTimerExpired);
  CHECK(ps.r.downs[0].reason.rfind("send hold timer expired", 0) == 0);
  CHECK(took >= 2s);  // not before the send hold time
  CHECK(took < 10s);  // and long before the 3 s hold timer could (the peer keeps it alive)
  CHECK(ps.m->stats(ps.id).keepalives_in >= 5);
  CHECK(ps.m->stats(ps.id).state != State::Established);
}

TEST_CASE("a send queue over its limit drops the session with Cease/Out of Resources") {
  Passive ps(8, 5, [](PeerConfig& pc) { pc.send_queue_limit = 8u << 20; });
  NonReader peer(ps);
  std::size_t accepted = 0;
  for (const auto& b : table_bytes(32u << 20)) {
    if (!ps.m->send(ps.id, b)) break;
    accepted += b->size();
    ps.io.poll();
  }
  REQUIRE(run_until(ps.io, [&] { return !ps.r.downs.empty(); }));
  const auto* n = sent_notification(ps.r);
  REQUIRE(n != nullptr);
  CHECK(n->notification.code == wire::err::kCease);
  CHECK(n->notification.subcode == wire::err::kCeaseOutOfResources);
  CHECK(ps.r.downs.size() == 1);
  // 8 MiB queued plus what the kernel's socket buffers took; send() refuses the rest.
  CHECK(accepted < (16u << 20));
  // The backlog is freed at once, not held until the peer reads.
  CHECK(ps.m->stats(ps.id).queued_bytes <= 512u * 1024);
}

TEST_CASE("a peer that keeps failing is refused while damped, and the idle hold grows") {
  Passive ps(9, 6, [](PeerConfig& pc) {
    pc.idle_hold = 1s;
    pc.idle_hold_max = 8s;
  });
  auto& io = ps.io;
  // Connects, sends an OPEN with the wrong AS, and reports whether the manager had accepted
  // the connection (it sent its OPEN) or refused it (closed before any OPEN).
  auto attempt = [&](bool bad_open) {
    tcp::socket s = ps.connect();
    std::atomic<bool> accepted{false}, done{false};
    std::thread reader([&] {
      try {
        accepted = read_message(s)[18] == 1;  // OPEN
        if (accepted && bad_open) {
          asio::write(s, asio::buffer(wire::encode(make_open(65099, 0x7f000009, 90s, {}), {})));
          read_message(s);  // the NOTIFICATION
        }
      } catch (const std::exception&) {
      }
      done = true;
    });
    run_until(
        io, [&] { return done.load(); }, 5s);
    reader.join();
    s.close();
    return accepted.load();
  };
  REQUIRE(attempt(true));  // failure 1: idle hold 0.75..1 s
  CHECK_FALSE(attempt(false));
  CHECK(ps.r.rejected.back().reason.find("damped") != std::string::npos);
  REQUIRE(run_until(
      io, [&] { return ps.m->stats(ps.id).state == State::Active; }, 5s));
  REQUIRE(attempt(true));  // failure 2: idle hold 1.5..2 s: still held 1 s later
  CHECK_FALSE(attempt(false));
  REQUIRE(run_until(
      io, [&] { return ps.m->stats(ps.id).state == State::Active; }, 5s));
  CHECK(attempt(false));  // accepted again once the hold is over
}

TEST_CASE("connections hold no 64 KiB read buffer before a session exists") {
  asio::io_context io;
  base::SteadyClock clock;
  Recorder r;
  // A peer endpoint that completes TCP handshakes (the kernel does) but never speaks: every
  // connection waits in OpenSent.
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.2"), 0));
  const auto port = silent.local_endpoint().port();
  SessionManager m(io, SpeakerConfig{65001, 0x7f000001, {}}, r.callbacks(), clock, 1);
  constexpr int kPeers = 20;
  for (int i = 0; i < kPeers; ++i) {
    auto pc = peer(2, port, 65002, 10 + i);
    pc.name = fmt::format("s{}", i);
    m.start_peer(m.add_peer(pc));
  }
  REQUIRE(run_until(io, [&] {
    for (PeerId id : m.peers()) {
      if (m.stats(id).state != State::OpenSent) return false;
    }
    return true;
  }));
  CHECK(m.read_buffer_bytes() <= kPeers * 4096);
}

TEST_CASE("request_refresh and refresh markers: encoded and sent by the session layer") {
  Pair pr;
  CHECK_FALSE(pr.b->request_refresh(pr.b_to_a, wire::kIpv4Unicast));  // not Established yet
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  CHECK(pr.b->request_refresh(pr.b_to_a, wire::kIpv4Unicast));
  CHECK(pr.b->send_refresh_marker(pr.b_to_a, wire::kIpv4Unicast, true));
  CHECK(pr.b->send_refresh_marker(pr.b_to_a, wire::kIpv4Unicast, false));
  REQUIRE(run_until(pr.io, [&] { return pr.ra.refreshes.size() == 3; }));
  CHECK(pr.ra.refreshes[0].refresh.subtype == 0);  // RFC 2918
  CHECK(pr.ra.refreshes[1].refresh.subtype == 1);  // RFC 7313 BoRR
  CHECK(pr.ra.refreshes[2].refresh.subtype == 2);  // EoRR
  for (const auto& r : pr.ra.refreshes) CHECK(r.refresh.af == wire::kIpv4Unicast);
  CHECK(pr.a->stats(pr.a_to_b).refreshes_in == 3);
}

TEST_CASE("refresh markers need Enhanced Route Refresh, ROUTE-REFRESH needs Route Refresh") {
  asio::io_context io;
  base::SteadyClock clock;
  Recorder ra, rb;
  const std::uint16_t port_a = base_port(), port_b = static_cast<std::uint16_t>(base_port() + 1);
  SessionManager a(io, SpeakerConfig{65001, 0x7f000001, {{lo(1), port_a}}}, ra.callbacks(), clock,
                   1);
  SessionManager b(io, SpeakerConfig{65002, 0x7f000002, {{lo(2), port_b}}}, rb.callbacks(), clock,
                   2);
  auto pa = peer(2, port_b, 65002, 1);
  pa.enhanced_route_refresh = false;  // A does not announce it: not negotiated
  const PeerId ab = a.add_peer(pa);
  auto pb = peer(1, port_a, 65001, 2);
  const PeerId ba = b.add_peer(pb);
  REQUIRE_FALSE(a.listen());
  REQUIRE_FALSE(b.listen());
  a.start_peer(ab);
  b.start_peer(ba);
  REQUIRE(run_until(io, [&] {
    return a.stats(ab).state == State::Established && b.stats(ba).state == State::Established;
  }));
  CHECK_FALSE(b.send_refresh_marker(ba, wire::kIpv4Unicast, true));
  CHECK(b.request_refresh(ba, wire::kIpv4Unicast));
  REQUIRE(run_until(io, [&] { return ra.refreshes.size() == 1; }));
  CHECK(ra.refreshes[0].refresh.subtype == 0);
}

TEST_CASE("a peer stopped for a prefix limit restarts after its restart time, unless stopped") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  const auto stopped = std::chrono::steady_clock::now();
  pr.a->stop_for_prefix_limit(pr.a_to_b, 2s, wire::kIpv4Unicast, 1000);
  REQUIRE(run_until(pr.io, [&] { return !pr.rb.downs.empty(); }));
  const auto& got = pr.rb.notifications.back();
  CHECK(got.notification.code == wire::err::kCease);
  // RFC 4486: Cease/Maximum Number of Prefixes Reached with AFI, SAFI and the limit.
  CHECK(got.notification.subcode == wire::err::kCeaseMaxPrefixes);
  CHECK(wire::describe(got.notification) ==
        "Cease/Maximum Number of Prefixes Reached (IPv4 unicast, limit 1000)");
  CHECK(pr.a->stats(pr.a_to_b).state == State::Idle);
  // Back by itself after the restart time (B retries meanwhile and is refused).
  REQUIRE(run_until(
      pr.io, [&] { return pr.ra.ups.size() == 2 && pr.up(); }, 20s));
  CHECK(std::chrono::steady_clock::now() - stopped >= 2s);

  // An explicit stop during the hold ends it: no restart.
  pr.a->stop_for_prefix_limit(pr.a_to_b, 1s, wire::kIpv4Unicast, 1000);
  pr.a->stop_peer(pr.a_to_b, "operator");
  CHECK_FALSE(run_until(
      pr.io, [&] { return pr.a->stats(pr.a_to_b).state != State::Idle; }, 3s));
  CHECK(pr.ra.ups.size() == 2);
}

TEST_CASE("one log line per NOTIFICATION and per session up / down") {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  spdlog::set_default_logger(capture);
  {
    Pair pr;
    REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
    pr.a->stop_peer(pr.a_to_b, "bye now");
    REQUIRE(run_until(pr.io, [&] { return !pr.rb.downs.empty() && !pr.ra.downs.empty(); }));
  }
  spdlog::set_default_logger(previous);
  auto lines = [&](const std::string& a, const std::string& b) {
    std::istringstream in(out.str());
    int n = 0;
    for (std::string ln; std::getline(in, ln);)
      if (ln.find(a) != std::string::npos && ln.find(b) != std::string::npos) ++n;
    return n;
  };
  INFO(out.str());
  // The NOTIFICATION is named once on each side (sent by A's peer p2, received by B's p1).
  CHECK(lines("peer p2 (", "bye now") == 1);
  CHECK(lines("peer p1 (", "bye now") == 1);
  // Up and down: one line each per side, the state change.
  CHECK(lines("peer p2 (", "-> Established") == 1);
  CHECK(lines("peer p2 (", "Established,") == 0);
  CHECK(lines("peer p1 (", "session down") == 0);
  CHECK(lines("peer p1 (", "Established -> Idle") == 1);
}

TEST_CASE("remove_peer: Cease to the peer, on_down, then the peer and its id are gone") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  CHECK(pr.a_to_b >= 1);  // 0 is "none"
  pr.a->remove_peer(pr.a_to_b, "removed");
  REQUIRE(pr.ra.downs.size() == 1);  // reported while the peer still existed
  CHECK(pr.a->peers().empty());
  CHECK_THROWS_AS(pr.a->stats(pr.a_to_b), std::out_of_range);
  CHECK_FALSE(pr.a->send(pr.a_to_b, std::make_shared<const std::vector<std::uint8_t>>(19, 0)));
  // B got the NOTIFICATION; its reconnects to A are refused: no configured peer.
  REQUIRE(run_until(pr.io, [&] { return !pr.rb.notifications.empty(); }));
  CHECK(pr.rb.notifications[0].notification.code == wire::err::kCease);
  REQUIRE(run_until(pr.io, [&] { return !pr.ra.rejected.empty(); }));
  CHECK(pr.ra.rejected[0].reason == "not a configured peer");
  // A new peer gets a new id.
  const PeerId again = pr.a->add_peer(peer(2, pr.port_b, 65002, 1));
  CHECK(again > pr.a_to_b);
  pr.a->start_peer(again);
  REQUIRE(run_until(pr.io, [&] { return pr.a->stats(again).state == State::Established; }));
  CHECK(pr.a->stats(again).established_count == 1);
}

TEST_CASE("reconfigure_peer: same id, new settings, the totals carry on") {
  Pair pr;
  REQUIRE(run_until(pr.io, [&] { return pr.up(); }));
  const std::uint64_t opens = pr.a->stats(pr.a_to_b).opens_out;
  auto changed = peer(2, pr.port_b, 65002, 1);
  changed.hold_time = 6s;
  pr.a->reconfigure_peer(pr.a_to_b, changed, "configuration changed");
  REQUIRE(pr.ra.downs.size() == 1);
  CHECK(pr.a->config(pr.a_to_b).hold_time == 6s);
  pr.a->start_peer(pr.a_to_b);
  REQUIRE(run_until(pr.io, [&] {
    return pr.ra.ups.size() == 2 && pr.a->stats(pr.a_to_b).state == State::Established;
  }));
  CHECK(pr.ra.ups[1].negotiated.hold_time == 6s);
  CHECK(pr.a->stats(pr.a_to_b).established_count == 2);
  CHECK(pr.a->stats(pr.a_to_b).opens_out > opens);
}
