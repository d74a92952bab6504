#pragma once
// Prometheus metrics for nvabgpd (prometheus-cpp). Off unless a Metrics object is created;
// its HTTP endpoint (GET /metrics) listens only on a loopback address.
//
// Threads: every update_* / set_* / fib_* call comes from the BGP thread (the owner); the
// exposer's own HTTP thread only reads the atomic metric values while serialising a scrape.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "nvabgpd/base/result.hpp"
#include "nvabgpd/session/fsm.hpp"

namespace prometheus {
class Counter;
class Exposer;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace nvabgpd::daemon {

// One peer's state and cumulative totals since the daemon started (or since the session came
// up: the counters are exported as Prometheus counters, and a total lower than the previous
// sample is taken as a reset, so both conventions give monotonic counters).
struct PeerSample {
  // Exported as nvabgpd_peer_state in BGP4-MIB numbering (bgpPeerState: 1 idle .. 6
  // established).
  session::State state = session::State::Idle;
  std::uint64_t prefixes_received = 0;    // current Adj-RIB-In size (gauge)
  std::uint64_t prefixes_accepted = 0;    // after the import filter (gauge)
  std::uint64_t prefixes_advertised = 0;  // current Adj-RIB-Out size (gauge)
  std::uint64_t messages_in = 0;          // total (counter)
  std::uint64_t messages_out = 0;         // total (counter)
  std::uint64_t flaps = 0;                // total Established -> down transitions (counter)
};

// One health check (health_metrics.cpp).
struct HealthSample {
  int status = 0;  // 0 init (not probed yet), 1 up, 2 down
  std::uint64_t probes = 0;
  std::uint64_t failures = 0;
  std::uint64_t transitions = 0;
};

class Metrics {
 public:
  // Starts the HTTP exposer on address:port (address must be a loopback address: 127.0.0.0/8
  // or ::1; port 0 picks a free port, see port()). Errors (non-loopback address, bind
  // failure) are returned, never thrown.
  static base::Result<std::unique_ptr<Metrics>, std::string> start(std::string_view address,
                                                                   std::uint16_t port);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The port the endpoint actually listens on.
  std::uint16_t port() const { return port_; }

  // Creates the peer's series on first use.
  void update_peer(const std::string& name, const PeerSample& s);
  // Drops every series of a peer removed from the configuration.
  void remove_peer(const std::string& name);
  void set_loc_rib(std::uint64_t prefixes);
  // Adds n failed FIB operations (route install/replace/delete rejected by the kernel).
  void fib_errors(std::uint64_t n);
  // One FIB batch's install latency (submit to kernel acknowledgement), in seconds.
  void fib_latency(double seconds);
  // Health checks and drain (issue 14); series created on first use.
  void update_health(const std::string& check, const HealthSample& s);
  void remove_health(const std::string& check);
  void set_drained(const std::string& peer, bool drained);

 private:
  struct PeerSeries;
  Metrics();

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_ = 0;

  prometheus::Family<prometheus::Gauge>* peer_state_ = nullptr;
  prometheus::Family<prometheus::Gauge>* peer_up_ = nullptr;
  prometheus::Family<prometheus::Gauge>* prefixes_ = nullptr;
  prometheus::Family<prometheus::Counter>* messages_ = nullptr;
  prometheus::Family<prometheus::Counter>* flaps_ = nullptr;
  prometheus::Gauge* loc_rib_ = nullptr;
  prometheus::Counter* fib_errors_ = nullptr;
  prometheus::Histogram* fib_latency_ = nullptr;
  std::map<std::string, std::unique_ptr<PeerSeries>, std::less<>> peers_;
  struct HealthSeries {
    prometheus::Gauge* up = nullptr;
    prometheus::Gauge* status = nullptr;
    prometheus::Counter* probes = nullptr;
    prometheus::Counter* failures = nullptr;
    prometheus::Counter* transitions = nullptr;
    HealthSample last;
  };
  void build_health_families();
  prometheus::Family<prometheus::Gauge>* health_up_ = nullptr;
  prometheus::Family<prometheus::Gauge>* health_status_ = nullptr;
  prometheus::Family<prometheus::Counter>* health_probes_ = nullptr;
  prometheus::Family<prometheus::Counter>* health_failures_ = nullptr;
  prometheus::Family<prometheus::Counter>* health_transitions_ = nullptr;
  prometheus::Family<prometheus::Gauge>* drained_ = nullptr;
  std::map<std::string, HealthSeries, std::less<>> health_;
};

}  // namespace nvabgpd::daemon
