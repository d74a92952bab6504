#include "replay_driver.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/io_context.hpp>

#include "daemon.hpp"
#include "memory_fib.hpp"
#include "memory_transport.hpp"
#include "message_text.hpp"
#include "nvabgpd/config/load_with_filters.hpp"
#include "nvabgpd/session/negotiation.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::replay {

namespace {

using session::PeerId;

std::vector<std::uint8_t> unhex(std::string_view s) {
  if (s.size() % 2 != 0) throw std::runtime_error("odd hex length");
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

std::map<std::string, std::string> fields(std::istringstream& in) {
  std::map<std::string, std::string> f;
  std::string w;
  while (in >> w) {
    const auto eq = w.find('=');
    f[eq == std::string::npos ? w : w.substr(0, eq)] =
        eq == std::string::npos ? "" : w.substr(eq + 1);
  }
  return f;
}

wire::Message decode_or_throw(const std::string& hex, const wire::SessionParams& params) {
  auto r = wire::decode(unhex(hex), params);
  if (!r.message) throw std::runtime_error("undecodable message in script: " + hex);
  return *r.message;
}

// The scenario's files in a scratch directory: `reload` replaces the config there.
std::filesystem::path scratch_copy(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path to = fs::temp_directory_path() /
                      fmt::format("nvabgpd-replay-{}-{}", ::getpid(), dir.filename().string());
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) fs::copy_file(e.path(), to / e.path().filename());
  return to;
}

}  // namespace

std::string run_replay(const std::string& scenario_config, const std::string& script) {
  namespace fs = std::filesystem;
  const fs::path source = fs::path(scenario_config).parent_path();
  const fs::path dir = scratch_copy(source);
  const std::string config_path = (dir / fs::path(scenario_config).filename()).string();
  config::LoadedConfig loaded = config::load_with_filters(config_path);
  if (!loaded.errors.empty())
    throw std::runtime_error(config_path + ": " +
                             fmt::format("{}", fmt::join(loaded.errors, "; ")));
  config::Config cfg = std::move(*loaded.config);
  cfg.bmp.clear();
  cfg.mrt = {};
  cfg.metrics.enabled = false;

  Transcript t;
  MemoryFib fib(t);
  MemoryTransport* transport = nullptr;
  base::ManualClock clock;
  // Ahead of the steady clock: the daemon's asio timers (which follow the steady clock) stay in
  // the future for the whole run; time_passed() runs what they would run.
  const base::SteadyTime t0 = std::chrono::steady_clock::now() + std::chrono::hours(24);
  clock.set(t0);

  boost::asio::io_context io(1);
  daemon::DaemonOptions opts;
  opts.config_path = config_path;
  opts.control_socket = (dir / "ctl.sock").string();
  daemon::DaemonWiring wiring;
  wiring.clock = &clock;
  wiring.fib = &fib;
  wiring.transport = [&](boost::asio::io_context&, session::SpeakerConfig,
                         session::SessionCallbacks cb, const base::Clock&) {
    auto m = std::make_unique<MemoryTransport>(t, std::move(cb));
    transport = m.get();
    return m;
  };
  const std::uint32_t local_asn = cfg.asn;
  const std::uint32_t local_id = cfg.router_id.v4_value();
  daemon::Daemon d(io, opts, std::move(cfg), loaded.program, std::move(wiring));

  auto settle = [&] {
    io.restart();
    io.poll();
  };
  t.line("== 0.000 start");
  if (auto err = d.start()) throw std::runtime_error("start: " + *err);
  settle();

  double now = 0;
  std::istringstream lines(script);
  std::string raw;
  int lineno = 0;
  while (std::getline(lines, raw)) {
    ++lineno;
    const std::string text = raw.substr(0, raw.find('#'));
    std::istringstream in(text);
    double at = 0;
    std::string verb;
    if (!(in >> at)) continue;  // blank or comment
    if (!(in >> verb)) throw std::runtime_error(fmt::format("line {}: no event", lineno));
    if (at < now) throw std::runtime_error(fmt::format("line {}: time goes back", lineno));
    if (at > now) {
      now = at;
      clock.set(t0 + std::chrono::duration_cast<base::Duration>(std::chrono::duration<double>(at)));
      // Under a heading of its own only when the timers did something.
      const std::size_t mark = t.text.size();
      t.line(fmt::format("== {:.3f} time", now));
      const std::size_t body = t.text.size();
      d.time_passed();
      settle();
      if (t.text.size() == body) t.text.resize(mark);
    }
    if (verb == "tick") continue;
    if (verb == "reload") {
      // The operator's reload: the scenario's file FILE becomes the configuration.
      std::string file;
      in >> file;
      t.line(fmt::format("== {:.3f} reload {}", now, file));
      fs::copy_file(source / file, config_path, fs::copy_options::overwrite_existing);
      const nlohmann::json r = d.reload(false);
      t.line(fmt::format("reload applied={}", r.value("applied", false)));
      for (const auto& e : r.value("errors", nlohmann::json::array()))
        t.line("reload error " + e.get<std::string>());
      std::istringstream plan(r.value("plan", std::string()));
      for (std::string l; std::getline(plan, l);) t.line("reload plan " + l);
      settle();
      continue;
    }
    std::string peer;
    in >> peer;
    const PeerId id = transport->id_of(peer);
    const session::SessionCallbacks& cb = transport->callbacks();
    const session::PeerConfig& pc = transport->config(id);
    t.line(fmt::format("== {:.3f} {} {}", now, verb, peer));
    if (verb == "up") {
      auto f = fields(in);
      session::PeerUp up;
      up.peer = id;
      up.sent_open = std::get<wire::Open>(decode_or_throw(f.at("sent"), {}));
      up.received_open = std::get<wire::Open>(decode_or_throw(f.at("received"), {}));
      session::OpenExpectation expect;
      expect.local_asn = local_asn;
      expect.local_id = local_id;
      expect.peer_asn = pc.asn;
      expect.hold_time = pc.hold_time;
      expect.keepalive = pc.keepalive;
      auto n = session::negotiate(up.sent_open, up.received_open, expect);
      if (!n) throw std::runtime_error(fmt::format("line {}: OPENs do not negotiate", lineno));
      up.negotiated = n.value();
      auto local = base::IpAddress::parse(f.at("local"));
      if (!local) throw std::runtime_error(fmt::format("line {}: bad local=", lineno));
      up.local_address = *local;
      up.remote_address = pc.address;
      transport->set_established(id, up.negotiated);
      cb.on_up(up);
    } else if (verb == "recv") {
      if (!transport->established(id))
        throw std::runtime_error(fmt::format("line {}: {} is not up", lineno, peer));
      std::string hex;
      in >> hex;
      wire::SessionParams params = transport->negotiated(id)->params();
      params.ebgp = transport->negotiated(id)->peer_asn != local_asn;
      auto r = wire::decode(unhex(hex), params);
      if (r.action == wire::ErrorAction::SessionReset || !r.message)
        throw std::runtime_error(fmt::format("line {}: the session would reset", lineno));
      if (auto* u = std::get_if<wire::Update>(&*r.message)) {
        cb.on_update(session::UpdateIn{id, std::move(*u), r.action, std::move(r.errors)});
      } else if (auto* rr = std::get_if<wire::RouteRefresh>(&*r.message)) {
        cb.on_refresh(session::RefreshRequest{id, *rr});
      } else {
        throw std::runtime_error(fmt::format("line {}: only UPDATE and ROUTE-REFRESH", lineno));
      }
    } else if (verb == "down") {
      auto f = fields(in);
      session::PeerDown down;
      down.peer = id;
      if (f.count("sent")) {
        down.sent = std::get<wire::Notification>(decode_or_throw(f["sent"], {}));
        down.reason = "NOTIFICATION sent: " + wire::describe(*down.sent);
      } else if (f.count("received")) {
        down.received = std::get<wire::Notification>(decode_or_throw(f["received"], {}));
        down.reason = "NOTIFICATION received: " + wire::describe(*down.received);
      } else {
        down.reason = "connection closed";
      }
      transport->set_established(id, std::nullopt);
      cb.on_down(down);
    } else {
      throw std::runtime_error(fmt::format("line {}: unknown event {}", lineno, verb));
    }
    settle();
  }
  t.line("== end shutdown");
  d.shutdown();
  settle();
  fs::remove_all(dir);
  return t.text;
}

}  // namespace nvabgpd::replay
