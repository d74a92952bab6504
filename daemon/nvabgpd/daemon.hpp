#pragma once
// The composition root. One io_context thread owns all BGP state; the FIB has its own worker.
//
//   socket -> SessionManager --on_update--> Rib::update --mark dirty--> pump():
//                 ^                            Rib::run(budget)
//                 |                              |-> take_outbound -> OutboundEncoder -> send()
//                 +-------- encoded UPDATEs -----+
//                                                |-> take_fib -> NetlinkFib::submit (worker)
//                                                '-> take_events -> log / act
//   NetlinkFib worker --next hops changed--> asio::post -> Rib::next_hops_changed -> pump()
//   ControlServer (unix socket, JSON) -> handlers read Rib / SessionManager state directly.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "control_server.hpp"
#include "convergence.hpp"
#include "health_monitor.hpp"
#include "metrics.hpp"
#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/base/next_hop_resolver.hpp"
#include "nvabgpd/base/rate_limiter.hpp"
#include "nvabgpd/config/diff.hpp"
#include "nvabgpd/config/model.hpp"
#include "nvabgpd/fib/fib.hpp"
#include "nvabgpd/fib/netlink_fib.hpp"
#include "nvabgpd/policy/filter.hpp"
#include "nvabgpd/rib/rib.hpp"
#include "nvabgpd/session/session_manager.hpp"
#include "outbound_encoder.hpp"
#include "peer_directory.hpp"
#include "peer_settings.hpp"
#include "peer_transport.hpp"
#include "route_control.hpp"
#include "service_manager.hpp"

namespace nvabgpd::daemon {

class Monitoring;
class BfdLink;  // bfd_link.hpp

struct DaemonOptions {
  std::string config_path;
  std::optional<std::string> control_socket;  // overrides the config
  bool no_kernel = false;                     // never touch the kernel FIB
};

// The one id of a peer: given by the session layer (from 1), used by the RIB and the daemon
// (the RIB's 0 is its locally originated routes). A peer restarted by reload keeps it.
using PeerId = session::PeerId;
static_assert(std::is_same_v<PeerId, rib::PeerId>);

// What the daemon is built against. main() wires the real ones (socket_transport, the kernel
// FIB from the config, the steady clock); a replay test wires in-memory ones and drives time.
struct DaemonWiring {
  TransportFactory transport;  // empty: socket_transport
  // Where the RIB's FIB batches go instead of the kernel FIB (no netlink then; every next hop
  // resolves at cost 0, as with kernel.enabled: false). Must outlive the daemon.
  fib::FibSink* fib = nullptr;
  // Time as an input: with a clock other than the steady clock the daemon's asio timers do not
  // follow it; the driver calls Daemon::time_passed() after moving it.
  const base::Clock* clock = nullptr;
};

// Per configured peer: its config, id and what `show protocols` reports.
struct PeerRuntime {
  config::PeerConfig cfg;
  PeerId id = 0;
  bool up = false;
  std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
  std::string last_error;
  std::optional<session::Negotiated> negotiated;
  std::optional<session::PeerUp> last_up;  // to re-announce the peer to the RIB on reload
  base::IpAddress local_address;
  // Next hop self of IPv6 routes over an IPv4 session (ipv6-next-hop, else the interface's).
  std::optional<base::IpAddress> self_v6;
  // Routes received minus withdrawn when the session last came up (the RIB's counters are
  // totals over the peer's sessions): the base of the current Adj-RIB-In size metric.
  std::uint64_t received_base = 0;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, DaemonOptions opts, config::Config cfg,
         std::shared_ptr<const policy::Program> program, DaemonWiring wiring = {});
  ~Daemon();
  // Opens listeners, the control socket and the FIB, starts every enabled peer. Error text on
  // failure.
  std::optional<std::string> start();

  // Control operations (also used by the control handlers).
  nlohmann::json reload(bool check_only);
  void shutdown();
  // Drain (RFC 8326) or undrain peers by name (empty: every configured peer). The answer
  // lists what changed; unknown names throw ControlError.
  nlohmann::json set_drain(const std::vector<std::string>& names, bool on);

  // State for the control handlers.
  const config::Config& config() const { return cfg_; }
  rib::Rib& rib() { return *rib_; }
  PeerTransport& sessions() { return *sessions_; }
  // The configured peers, in the order they were added (by id); a removed peer is gone.
  std::vector<PeerRuntime>& peers() { return peers_; }
  PeerRuntime* find_peer(const std::string& name);
  PeerRuntime* peer(PeerId id);  // nullptr: local (0) or no longer configured
  const PeerDirectory& directory() const { return directory_; }
  fib::NetlinkFib* fib() { return fib_.get(); }
  std::chrono::system_clock::time_point started() const { return started_; }
  // Initial convergence and graceful restart state for `show status`.
  nlohmann::json convergence_status() const;
  // `filter test` (control command, nvabgpctl filter test --peer): each route of `routes` (the
  // filter test JSON route form) through what a route received from (`export_side` false) or
  // exported to the peer goes through; {"results": [...]} in the filter test result form.
  nlohmann::json filter_test(const std::string& peer, bool export_side,
                             const nlohmann::json& routes);
  std::chrono::system_clock::time_point last_reload() const { return last_reload_; }
  // The wiring's clock moved (replay): runs what the RIB and convergence timers would run now.
  void time_passed();

 private:
  // A new peer (a new id: a peer removed and added back starts afresh), not started.
  PeerRuntime& add_peer(const config::PeerConfig& pc);
  // Frees the peer in every module (reload.cpp).
  void remove_peer(PeerId id);
  // New settings by reload that need a new session: same id, its totals carry on (reload.cpp).
  void restart_peer(PeerRuntime& p, const config::PeerConfig& pc);
  void apply_reload(config::Config next, std::shared_ptr<const policy::Program> program,
                    const config::ReloadPlan& plan);
  // peer_settings.hpp with the daemon's restart state, filters and route control.
  session::PeerConfig session_config(const config::PeerConfig& pc) const;
  PeerFilters peer_filters(const config::PeerConfig& pc) const;  // records export_keys_
  rib::PeerUp rib_peer_settings(const PeerRuntime& p) const;
  rib::PeerUp rib_peer_up(const PeerRuntime& p, const session::PeerUp& up) const;
  rib::FilterPtr filter_for(const config::FilterRef& ref) const;
  void originate_all();
  wire::PathAttributes originate_attrs(const config::Originate& o) const;
  void install_control_handlers();
  // health_control.cpp: health checks, drain, tracked announcements (issue 14).
  void install_health_handlers();
  void start_health();
  void apply_route_control();  // re-originate / re-export what a check or drain changed
  void sample_health_metrics();
  bool kept_for_restart(const PeerRuntime& p) const;  // SIGTERM leaves it without NOTIFICATION
  void drain_then_shutdown();
  void wire_signals();
  void schedule_pump();
  // Gives freed heap back to the OS (malloc_trim) a second later, once pending writes have
  // released their buffers; after a session goes down or a large withdrawal.
  void trim_soon();
  void trim_after_withdrawals();
  void pump();
  void handle_events(std::vector<rib::RibEvent> events);
  void arm_rib_timer();
  void check_convergence();
  void arm_convergence_timer();
  void sample_metrics();
  void sync_fib_errors();
  void on_fib_batches(const std::vector<fib::FibBatchReport>& done);

  // session callbacks
  void on_up(const session::PeerUp& up);
  void on_down(const session::PeerDown& down);
  void on_update(session::UpdateIn&& u);
  void on_refresh(const session::RefreshRequest& r);

  boost::asio::io_context& io_;
  DaemonOptions opts_;
  config::Config cfg_;
  std::shared_ptr<const policy::Program> program_;
  DaemonWiring wiring_;
  base::SteadyClock steady_clock_;
  const base::Clock& clock_;          // wiring_.clock or steady_clock_
  fib::FibSink* fib_sink_ = nullptr;  // wiring_.fib or the kernel FIB (fib_), null: none
  // Repeated protocol errors from one peer: a few lines per kind, then a summary line.
  base::RateLimiter log_limiter_;
  void log_suppressed(const base::RateLimiter::Suppressed& s);
  PeerDirectory directory_;
  std::vector<PeerRuntime> peers_;  // ascending ids (ids only grow)
  std::unique_ptr<fib::NetlinkFib> fib_;
  base::ReachableResolver no_fib_resolver_;  // the RIB's resolver when there is no FIB
  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<PeerTransport> sessions_;
  std::unique_ptr<OutboundEncoder> encoder_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<Monitoring> monitoring_;  // BMP stations and MRT dumps
  std::unique_ptr<HealthMonitor> health_;
  std::unique_ptr<RouteControl> route_control_;
  // What the RIB was last given: per peer name its export modifier key (set by rib_peer_up),
  // per originated prefix its tracking key ("-" when withdrawn by a check).
  mutable std::map<std::string, std::string> export_keys_;
  std::map<base::Prefix, std::string> originate_keys_;
  std::unique_ptr<boost::asio::steady_timer> drain_timer_;  // SIGTERM drain in progress
  std::unique_ptr<BfdLink> bfd_;  // BFD sessions of peers with bfd enabled
  void sync_bfd();
  ServiceManager service_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer rib_timer_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer convergence_timer_;
  boost::asio::steady_timer metrics_timer_;
  boost::asio::steady_timer trim_timer_;
  std::unique_ptr<Metrics> metrics_;
  std::uint64_t fib_errors_seen_ = 0;
  bool pump_scheduled_ = false;
  std::size_t trim_high_ = 0;  // Loc-RIB prefixes at their highest since the last trim
  bool trim_armed_ = false;
  bool converged_ = false;
  bool stopping_ = false;
  std::optional<Convergence> convergence_;
  std::optional<base::SteadyTime> convergence_armed_;  // when convergence_timer_ fires
  // RFC 4724 restarting speaker: routes adopted from the kernel at start (forwarding state
  // kept across the restart). Our OPENs carry the Restart State bit until convergence, and
  // our routes (then End-of-RIB) are held back until every peer sent its End-of-RIB.
  bool restarting_ = false;
  bool export_held_ = false;
  std::size_t adopted_ = 0;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point last_reload_ = started_;
  // name -> (the program it was compiled from, the filter): reused while the program is current.
  mutable std::map<std::string, std::pair<std::shared_ptr<const policy::Program>, rib::FilterPtr>>
      filter_cache_;  // path -> contents, to see what changed
};

}  // namespace nvabgpd::daemon
