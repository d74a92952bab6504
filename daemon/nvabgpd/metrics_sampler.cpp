// Periodic sampling of daemon state into the Prometheus metrics (every 5 s, BGP thread), and
// the FIB worker's batch reports (install latency, refused operations) as they arrive.
#include <algorithm>

#include "daemon.hpp"

namespace nvabgpd::daemon {

void Daemon::sample_metrics() {
  if (!metrics_) return;
  for (const auto& p : peers_) {
    const session::PeerStats st = sessions_->stats(p.id);
    PeerSample s;
    s.state = st.state;
    if (auto c = rib_->counters(p.id)) {
      // The peer's totals count every session's routes: subtract what the earlier sessions
      // left (their Adj-RIB-In went with them).
      const std::uint64_t held = c->received - std::min(c->received, c->withdrawn);
      s.prefixes_received = p.up ? held - std::min(held, p.received_base) : 0;
      s.prefixes_accepted = c->accepted;
    }
    s.prefixes_advertised = rib_->adj_rib_out_size(p.id);
    s.messages_in =
        st.opens_in + st.keepalives_in + st.updates_in + st.notifications_in + st.refreshes_in;
    s.messages_out = st.opens_out + st.keepalives_out + st.updates_out + st.notifications_out;
    s.flaps = st.established_count > 0 ? st.established_count - 1 : 0;
    metrics_->update_peer(p.cfg.name, s);
  }
  metrics_->set_loc_rib(rib_->prefix_count());
  sample_health_metrics();
  sync_fib_errors();
  metrics_timer_.expires_after(std::chrono::seconds(5));
  metrics_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sample_metrics();
  });
}

// Every kernel operation the FIB counted as refused (batches, re-resolution, resyncs).
void Daemon::sync_fib_errors() {
  if (!metrics_ || !fib_) return;
  const std::uint64_t errors = fib_->stats().kernel_errors;
  if (errors > fib_errors_seen_) metrics_->fib_errors(errors - fib_errors_seen_);
  fib_errors_seen_ = errors;
}

void Daemon::on_fib_batches(const std::vector<fib::FibBatchReport>& done) {
  if (!metrics_ || stopping_) return;
  for (const auto& b : done)
    metrics_->fib_latency(std::chrono::duration<double>(b.latency).count());
  sync_fib_errors();
}

}  // namespace nvabgpd::daemon
