#include "health_monitor.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace nvabgpd::daemon {

namespace asio = boost::asio;

HealthMonitor::HealthMonitor(asio::io_context& io, const base::Clock& clock,
                             std::function<void(const std::string&)> changed)
    : io_(io), clock_(clock), changed_(std::move(changed)) {}

HealthMonitor::~HealthMonitor() {
  *alive_ = false;  // results already posted are dropped
  prober_.reset();  // joins the prober thread
}

void HealthMonitor::configure(const std::vector<config::HealthCheck>& checks) {
  std::map<std::string, Entry> next;
  for (const auto& c : checks) {
    auto it = entries_.find(c.name);
    if (it != entries_.end() && it->second.cfg == c) {
      next.emplace(c.name, std::move(it->second));
    } else {
      next.emplace(c.name, Entry{c, HealthState(c.rise, c.fall), {}});
    }
  }
  entries_ = std::move(next);
  if (checks.empty() && !prober_) return;
  if (!prober_) {
    prober_ = std::make_unique<HealthProber>([this, alive = alive_](ProbeResult r) {
      // Prober thread: hand over to the BGP thread.
      asio::post(io_, [this, alive, r = std::move(r)] {
        if (*alive) on_result(r);
      });
    });
  }
  prober_->set_checks(checks);
}

void HealthMonitor::on_result(const ProbeResult& r) {
  auto it = entries_.find(r.check->name);
  if (it == entries_.end() || !(it->second.cfg == *r.check)) return;  // replaced by a reload
  Entry& e = it->second;
  e.last_took = r.took;
  const HealthStatus before = e.state.status();
  if (!e.state.record(r.ok, r.detail, clock_.now())) return;
  const HealthStatus after = e.state.status();
  const auto log = after == HealthStatus::Up ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(log, "health check {}: {} -> {} ({}, {} in a row)", e.cfg.name, to_string(before),
              to_string(after), r.detail,
              after == HealthStatus::Up ? e.state.consecutive_ok() : e.state.consecutive_failed());
  changed_(e.cfg.name);
}

bool HealthMonitor::up(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.state.up();
}

HealthStatus HealthMonitor::status(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? HealthStatus::Init : it->second.state.status();
}

std::vector<std::string> HealthMonitor::failing(const std::vector<std::string>& names) const {
  std::vector<std::string> out;
  for (const auto& n : names) {
    auto it = entries_.find(n);
    if (it == entries_.end()) {
      out.push_back(n + " (not configured)");
    } else if (!it->second.state.up()) {
      const auto& s = it->second.state;
      out.push_back(s.status() == HealthStatus::Init
                        ? fmt::format("{} (not probed yet)", n)
                        : fmt::format("{} (down: {})", n, s.last_detail()));
    }
  }
  return out;
}

namespace {
std::string wall(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}
}  // namespace

nlohmann::json HealthMonitor::to_json() const {
  nlohmann::json checks = nlohmann::json::array();
  const base::SteadyTime now = clock_.now();
  for (const auto& [name, e] : entries_) {
    const auto& c = e.cfg;
    const auto& s = e.state;
    std::string target;
    switch (c.kind) {
      case config::HealthKind::Command:
        target = c.command;
        break;
      case config::HealthKind::Interface:
        target = c.interface;
        break;
      case config::HealthKind::Route:
        target = fmt::format("{} table {}", c.route.to_string(), c.table);
        break;
      case config::HealthKind::Tcp:
        target = fmt::format("{}:{}", c.address.to_string(), c.port);
        break;
      case config::HealthKind::Http:
        target = fmt::format("http://{}:{}{} -> {}", c.address.to_string(), c.port, c.path,
                             c.expect_status);
        break;
    }
    nlohmann::json j{{"name", name},
                     {"kind", std::string(config::to_string(c.kind))},
                     {"target", target},
                     {"status", std::string(to_string(s.status()))},
                     {"interval_ms", c.interval_ms},
                     {"timeout_ms", c.timeout_ms},
                     {"rise", c.rise},
                     {"fall", c.fall},
                     {"consecutive_ok", s.consecutive_ok()},
                     {"consecutive_failed", s.consecutive_failed()},
                     {"probes", s.probes()},
                     {"failures", s.failures()},
                     {"transitions", s.transitions()}};
    if (s.last_probe()) {
      j["last_result"] = s.last_ok() ? "ok" : "failed";
      j["last_detail"] = s.last_detail();
      j["last_took_ms"] = e.last_took.count();
      j["last_probe_ago_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - *s.last_probe()).count();
    }
    if (s.since())
      j["since_s"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - *s.since()).count() / 1000.0;
    nlohmann::json hist = nlohmann::json::array();
    for (const auto& t : s.history())
      hist.push_back({{"at", wall(t.wall)},
                      {"from", std::string(to_string(t.from))},
                      {"to", std::string(to_string(t.to))},
                      {"detail", t.detail}});
    j["history"] = hist;
    checks.push_back(std::move(j));
  }
  return checks;
}

}  // namespace nvabgpd::daemon
