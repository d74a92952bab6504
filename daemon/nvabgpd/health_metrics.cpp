// Prometheus series of the health checks and of drain (issue 14): part of Metrics, built on
// first use so a daemon without health checks exports none of them.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "metrics.hpp"

namespace nvabgpd::daemon {

namespace {
void advance_to(prometheus::Counter& c, std::uint64_t& last, std::uint64_t now) {
  const std::uint64_t delta = now >= last ? now - last : now;
  if (delta > 0) c.Increment(static_cast<double>(delta));
  last = now;
}
}  // namespace

void Metrics::build_health_families() {
  if (health_up_) return;
  health_up_ = &prometheus::BuildGauge()
                    .Name("nvabgpd_health_check_up")
                    .Help("1 when the health check is up (its tracked announcements are made)")
                    .Register(*registry_);
  health_status_ = &prometheus::BuildGauge()
                        .Name("nvabgpd_health_check_status")
                        .Help("Health check status: 0 not probed yet, 1 up, 2 down")
                        .Register(*registry_);
  health_probes_ = &prometheus::BuildCounter()
                        .Name("nvabgpd_health_check_probes_total")
                        .Help("Probes run by the health check")
                        .Register(*registry_);
  health_failures_ = &prometheus::BuildCounter()
                          .Name("nvabgpd_health_check_failures_total")
                          .Help("Probes of the health check that failed")
                          .Register(*registry_);
  health_transitions_ = &prometheus::BuildCounter()
                             .Name("nvabgpd_health_check_transitions_total")
                             .Help("Times the health check changed status")
                             .Register(*registry_);
  drained_ = &prometheus::BuildGauge()
                  .Name("nvabgpd_peer_drained")
                  .Help("1 while exports to the peer are drained (RFC 8326 graceful shutdown)")
                  .Register(*registry_);
}

void Metrics::update_health(const std::string& check, const HealthSample& s) {
  build_health_families();
  auto it = health_.find(check);
  if (it == health_.end()) {
    const std::map<std::string, std::string> l{{"check", check}};
    HealthSeries h;
    h.up = &health_up_->Add(l);
    h.status = &health_status_->Add(l);
    h.probes = &health_probes_->Add(l);
    h.failures = &health_failures_->Add(l);
    h.transitions = &health_transitions_->Add(l);
    it = health_.emplace(check, h).first;
  }
  HealthSeries& h = it->second;
  h.up->Set(s.status == 1 ? 1 : 0);
  h.status->Set(s.status);
  advance_to(*h.probes, h.last.probes, s.probes);
  advance_to(*h.failures, h.last.failures, s.failures);
  advance_to(*h.transitions, h.last.transitions, s.transitions);
}

void Metrics::remove_health(const std::string& check) {
  auto it = health_.find(check);
  if (it == health_.end()) return;
  health_up_->Remove(it->second.up);
  health_status_->Remove(it->second.status);
  health_probes_->Remove(it->second.probes);
  health_failures_->Remove(it->second.failures);
  health_transitions_->Remove(it->second.transitions);
  health_.erase(it);
}

void Metrics::set_drained(const std::string& peer, bool drained) {
  build_health_families();
  drained_->Add({{"peer", peer}}).Set(drained ? 1 : 0);
}

}  // namespace nvabgpd::daemon
