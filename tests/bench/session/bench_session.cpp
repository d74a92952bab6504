// Session layer benchmarks: the pure FSM's per-event cost, and pre-encoded UPDATEs pushed
// through two SessionManagers over loopback (write queue -> TCP -> Framer -> decode -> FSM ->
// on_update).
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <chrono>

#include <spdlog/spdlog.h>

#include "nvabgpd/session/session_manager.hpp"

using namespace nvabgpd;
using namespace nvabgpd::session;
using namespace std::chrono_literals;

namespace {

void BM_FsmEstablishedEvents(benchmark::State& state) {
  Fsm f;
  base::SteadyTime now{};
  f.handle(Event::ManualStart, now);
  f.handle(Event::TcpCrAcked, now);
  EventInput open{now};
  open.negotiated_hold = 90s;
  f.handle(Event::BgpOpen, open);
  f.handle(Event::KeepAliveMsg, now);
  for (auto _ : state) {
    now += 1ms;
    auto t = f.handle(Event::UpdateMsg, now);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FsmEstablishedEvents);

base::IpAddress lo(unsigned last) { return base::IpAddress::v4(0x7f000000u | last); }

// One UPDATE of ~900 IPv4 /24s (about 3.6 KB).
std::shared_ptr<const std::vector<std::uint8_t>> big_update() {
  wire::Update u;
  u.has_attributes = true;
  u.attrs.as_path.segments.push_back({wire::SegmentType::Sequence, {65002, 65010}});
  u.attrs.next_hop = lo(2);
  for (std::uint32_t i = 0; i < 900; ++i) {
    u.nlri.push_back(base::Prefix::make(base::IpAddress::v4(0x0a000000u + (i << 8)), 24));
  }
  return std::make_shared<const std::vector<std::uint8_t>>(
      wire::encode(u, wire::SessionParams{true, false}));
}

void BM_LoopbackUpdateStream(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  boost::asio::io_context io;
  base::SteadyClock clock;
  std::uint64_t received = 0;
  bool up_a = false, up_b = false;
  SessionCallbacks ca, cb;
  ca.on_up = [&](const PeerUp&) { up_a = true; };
  cb.on_up = [&](const PeerUp&) { up_b = true; };
  cb.on_update = [&](UpdateIn&& u) { received += u.update.nlri.size() ? 1 : 0; };
  const std::uint16_t port = static_cast<std::uint16_t>(30000 + getpid() % 20000);
  SessionManager a(io, {65001, 0x7f000001, {{lo(1), port}}}, ca, clock, 1);
  SessionManager b(io, {65002, 0x7f000002, {{lo(2), port}}}, cb, clock, 2);
  auto peer = [&](const char* name, unsigned remote, std::uint32_t asn, unsigned local) {
    PeerConfig p;
    p.name = name;
    p.address = lo(remote);
    p.port = port;
    p.asn = asn;
    p.local_address = lo(local);
    return p;
  };
  PeerConfig pa = peer("b", 2, 65002, 1);
  PeerConfig pb = peer("a", 1, 65001, 2);
  pb.passive = true;
  const PeerId ab = a.add_peer(pa);
  const PeerId ba = b.add_peer(pb);
  if (a.listen() || b.listen()) {
    state.SkipWithError("listen failed");
    return;
  }
  b.start_peer(ba);
  a.start_peer(ab);
  while (!(up_a && up_b)) io.run_one_for(10ms);
  const auto msg = big_update();
  constexpr int kBatch = 64;
  for (auto _ : state) {
    const std::uint64_t target = received + kBatch;
    for (int i = 0; i < kBatch; ++i) a.send(ab, msg);
    while (received < target) io.run_one();
  }
  state.SetBytesProcessed(state.iterations() * kBatch * static_cast<std::int64_t>(msg->size()));
  state.SetItemsProcessed(state.iterations() * kBatch * 900);  // prefixes
}
BENCHMARK(BM_LoopbackUpdateStream)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
