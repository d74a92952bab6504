#include "metrics.hpp"

#include <fmt/format.h>

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <exception>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::daemon {

namespace {

bool is_loopback(const base::IpAddress& a) {
  if (a.is_v4()) return a.bytes()[0] == 127;
  for (std::size_t i = 0; i < 15; ++i) {
    if (a.bytes()[i] != 0) return false;
  }
  return a.bytes()[15] == 1;
}

// Adds to a counter what a cumulative total grew by since the last sample; a smaller total
// means the source was reset, and all of it is new.
void advance(prometheus::Counter& c, std::uint64_t& last, std::uint64_t now) {
  const std::uint64_t delta = now >= last ? now - last : now;
  if (delta > 0) c.Increment(static_cast<double>(delta));
  last = now;
}

}  // namespace

struct Metrics::PeerSeries {
  prometheus::Gauge* state;
  prometheus::Gauge* up;
  prometheus::Gauge* received;
  prometheus::Gauge* accepted;
  prometheus::Gauge* advertised;
  prometheus::Counter* msg_in;
  prometheus::Counter* msg_out;
  prometheus::Counter* flaps;
  PeerSample last;
};

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  peer_state_ = &prometheus::BuildGauge()
                     .Name("nvabgpd_peer_state")
                     .Help("BGP FSM state (BGP4-MIB numbering: 1 idle .. 6 established)")
                     .Register(*registry_);
  peer_up_ = &prometheus::BuildGauge()
                  .Name("nvabgpd_peer_up")
                  .Help("1 when the session is Established")
                  .Register(*registry_);
  prefixes_ = &prometheus::BuildGauge()
                   .Name("nvabgpd_peer_prefixes")
                   .Help(
                       "Prefixes per peer: received (Adj-RIB-In), accepted (after import "
                       "filter), advertised (Adj-RIB-Out)")
                   .Register(*registry_);
  messages_ = &prometheus::BuildCounter()
                   .Name("nvabgpd_peer_messages_total")
                   .Help("BGP messages exchanged with the peer")
                   .Register(*registry_);
  flaps_ = &prometheus::BuildCounter()
                .Name("nvabgpd_peer_flaps_total")
                .Help("Times the session left Established")
                .Register(*registry_);
  loc_rib_ = &prometheus::BuildGauge()
                  .Name("nvabgpd_loc_rib_prefixes")
                  .Help("Prefixes with a best path in the Loc-RIB")
                  .Register(*registry_)
                  .Add({});
  fib_errors_ = &prometheus::BuildCounter()
                     .Name("nvabgpd_fib_install_errors_total")
                     .Help("Kernel route operations that failed")
                     .Register(*registry_)
                     .Add({});
  fib_latency_ = &prometheus::BuildHistogram()
                      .Name("nvabgpd_fib_install_latency_seconds")
                      .Help("Latency of one FIB batch from submit to kernel acknowledgement")
                      .Register(*registry_)
                      .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.005,
                                                                       0.01, 0.05, 0.1, 0.5, 1, 5});
}

Metrics::~Metrics() {
  // Stop serving before the registry's families go away.
  exposer_.reset();
}

base::Result<std::unique_ptr<Metrics>, std::string> Metrics::start(std::string_view address,
                                                                   std::uint16_t port) {
  const auto addr = base::IpAddress::parse(address);
  if (!addr) return base::Err{fmt::format("metrics: '{}' is not an IP address", address)};
  if (!is_loopback(*addr)) {
    return base::Err{fmt::format("metrics: {} is not a loopback address", address)};
  }
  const std::string bind = addr->is_v4() ? fmt::format("{}:{}", addr->to_string(), port)
                                         : fmt::format("[{}]:{}", addr->to_string(), port);
  std::unique_ptr<Metrics> m(new Metrics());
  try {
    // One HTTP thread is plenty for a scraper every few seconds.
    m->exposer_ = std::make_unique<prometheus::Exposer>(bind, 1);
  } catch (const std::exception& e) {
    return base::Err{fmt::format("metrics: cannot listen on {}: {}", bind, e.what())};
  }
  m->exposer_->RegisterCollectable(m->registry_);
  const auto ports = m->exposer_->GetListeningPorts();
  if (ports.empty()) return base::Err{fmt::format("metrics: no listening port on {}", bind)};
  m->port_ = static_cast<std::uint16_t>(ports.front());
  return m;
}

void Metrics::update_peer(const std::string& name, const PeerSample& s) {
  auto it = peers_.find(name);
  if (it == peers_.end()) {
    const prometheus::Labels peer{{"peer", name}};
    auto series = std::make_unique<PeerSeries>(PeerSeries{
        &peer_state_->Add(peer),
        &peer_up_->Add(peer),
        &prefixes_->Add({{"peer", name}, {"kind", "received"}}),
        &prefixes_->Add({{"peer", name}, {"kind", "accepted"}}),
        &prefixes_->Add({{"peer", name}, {"kind", "advertised"}}),
        &messages_->Add({{"peer", name}, {"direction", "in"}}),
        &messages_->Add({{"peer", name}, {"direction", "out"}}),
        &flaps_->Add(peer),
        PeerSample{},
    });
    it = peers_.emplace(name, std::move(series)).first;
  }
  PeerSeries& p = *it->second;
  p.state->Set(static_cast<double>(s.state) + 1.0);  // BGP4-MIB numbering
  p.up->Set(s.state == session::State::Established ? 1.0 : 0.0);
  p.received->Set(static_cast<double>(s.prefixes_received));
  p.accepted->Set(static_cast<double>(s.prefixes_accepted));
  p.advertised->Set(static_cast<double>(s.prefixes_advertised));
  advance(*p.msg_in, p.last.messages_in, s.messages_in);
  advance(*p.msg_out, p.last.messages_out, s.messages_out);
  advance(*p.flaps, p.last.flaps, s.flaps);
}

void Metrics::remove_peer(const std::string& name) {
  auto it = peers_.find(name);
  if (it == peers_.end()) return;
  const PeerSeries& p = *it->second;
  peer_state_->Remove(p.state);
  peer_up_->Remove(p.up);
  prefixes_->Remove(p.received);
  prefixes_->Remove(p.accepted);
  prefixes_->Remove(p.advertised);
  messages_->Remove(p.msg_in);
  messages_->Remove(p.msg_out);
  flaps_->Remove(p.flaps);
  peers_.erase(it);
}

void Metrics::set_loc_rib(std::uint64_t prefixes) { loc_rib_->Set(static_cast<double>(prefixes)); }

void Metrics::fib_errors(std::uint64_t n) {
  if (n > 0) fib_errors_->Increment(static_cast<double>(n));
}

void Metrics::fib_latency(double seconds) { fib_latency_->Observe(seconds); }

}  // namespace nvabgpd::daemon
