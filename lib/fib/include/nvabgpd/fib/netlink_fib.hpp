#pragma once
// NetlinkFib: the rtnetlink implementation of FibSink and NextHopResolver (see fib.hpp for
// the threading contract). Routes go to one kernel table with one protocol id and metric;
// only routes with that protocol id in that table are ever changed or removed (so do not
// share the protocol id with another routing daemon in the same namespace).
//
// Wiring in the daemon (all calls from the BGP io_context thread):
//   auto fib = NetlinkFib::start(cfg, [&io, &rib](std::vector<IpAddress> nhs) {
//     asio::post(io, [&rib, nhs = std::move(nhs)] { rib.next_hops_changed(nhs); });
//   });                                   // at startup, before peers come up
//   rib eligibility:  fib->resolve(nh)    // nullopt = path not eligible; igp_metric = cost
//                     fib->forget(nh)     // when no path uses nh any more
//   after each decision run:  fib->submit(std::move(fib_deltas))
//   after initial convergence (End-of-RIB from all peers, or a timer):
//                     fib->initial_convergence_done()
//   on reload:        fib->set_protected_addresses(peer addresses); tunnel endpoints
//                     are discovered from the kernel links by NetlinkFib itself
//   on shutdown:      fib->stop()         // removes routes unless persist (or GR) is set
//
// Kernel behaviour handled here: routes the kernel flushes silently with a downed or
// deleted link are noticed through the link/address events (full resync); ENOBUFS on the
// monitor socket (or lost replies) triggers a full resync; EEXIST cannot happen (create-or-
// replace), a refused request (ENETUNREACH, ENODEV, EINVAL...) is counted and logged once
// per batch, its old route removed and the prefix retried on the next IGP change.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nvabgpd/base/result.hpp"
#include "nvabgpd/fib/fib.hpp"
#include "nvabgpd/fib/fib_engine.hpp"

namespace nvabgpd::fib {

struct NetlinkFibConfig {
  std::uint32_t table = 254;    // kernel table we program (254 = main)
  std::uint32_t igp_table = 0;  // table resolution uses; 0 = the same as table
  std::uint8_t protocol = 186;  // our protocol id ("bgp")
  std::uint32_t metric = 20;
  unsigned max_paths = 8;  // ECMP width
  bool persist = false;    // keep our routes in the kernel on clean shutdown
  std::vector<base::IpAddress> protected_addresses;
  // Receive buffer of the monitor socket. When a burst of kernel changes overruns it
  // (ENOBUFS), everything is read again (full resync).
  int monitor_buffer_bytes = 8 << 20;
};

// One submitted batch, applied: from submit() to the kernel's acknowledgement of its last
// route, and how many of its kernel operations were refused.
struct FibBatchReport {
  std::chrono::nanoseconds latency{0};
  std::size_t routes = 0;
  std::uint64_t kernel_errors = 0;
};
// Called with the batches a worker pass applied, in submit order. Runs on the FIB thread,
// like NextHopChangeFn: post its argument to your own loop and return.
using FibBatchDoneFn = std::function<void(std::vector<FibBatchReport> done)>;

class NetlinkFib final : public FibSink, public NextHopResolver {
 public:
  // Opens the netlink sockets, reads the kernel's links and routes (synchronously, once),
  // adopts our routes left by a previous run, and starts the worker thread.
  static base::Result<std::unique_ptr<NetlinkFib>, std::string> start(
      NetlinkFibConfig cfg, NextHopChangeFn on_change, FibBatchDoneFn on_batches = {});
  ~NetlinkFib() override;  // stop(config.persist) if not stopped yet

  void submit(FibBatch batch) override;
  void submit(std::vector<FibDelta> batch) override;
  void initial_convergence_done() override;
  void set_protected_addresses(std::vector<base::IpAddress> addrs) override;
  std::optional<ResolvedNextHop> resolve(const base::IpAddress& next_hop) override;
  void forget(const base::IpAddress& next_hop) override;

  // Blocks until everything submitted before this call reached the kernel (tests, tools).
  void flush();
  // Clean shutdown: removes our routes unless persist, then joins the worker.
  void stop(bool persist);
  void stop() { stop(persist_); }
  FibStats stats() const;
  std::size_t installed_count() const;

  class Worker;

 private:
  NetlinkFib() = default;
  std::unique_ptr<Worker> worker_;
  bool persist_ = false;
};

}  // namespace nvabgpd::fib
