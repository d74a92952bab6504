// session_probe: runs lib/session's SessionManager from command-line arguments and prints
// every event as one JSON object per line on stdout (logs go to stderr). The integration
// tests in this directory drive it against real BGP speakers in network namespaces.
//
//   session_probe --asn 65001 --router-id 10.0.0.1 --listen 0.0.0.0:179 [--listen [::]:179]
//                 --peer name=p1,address=10.0.0.2,asn=65002[,hold=9][,passive][,port=179]
//                        [,multihop=2][,gtsm][,password=secret][,local=10.0.0.1]
//                        [,connect-retry=30][,idle-hold=5][,idle-hold-max=120]
//                        [,families=ipv4+ipv6][,damp-reset=120]
//                        [,send-hold=SECONDS][,send-queue-limit=BYTES][,table=N]
//
// table=N: once Established, send N IPv4 /24 routes (200 per UPDATE) whatever the peer's
// congestion, as a busy update group would to its slowest member.
//
// --start-on-signal: wait for SIGUSR2 before starting the peers.
// SIGTERM/SIGINT: Cease/Administrative Shutdown to every peer (RFC 8203 message
// "session_probe stopping"), then exit 0. SIGUSR1: stop every peer with the message
// "maintenance" but keep running.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nvabgpd/session/session_manager.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd;
using nlohmann::json;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "session_probe: " << why << "\n";
  std::exit(2);
}

template <typename T>
T number(std::string_view s, const char* what) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) usage(std::string("bad ") + what);
  return v;
}

base::IpAddress address(std::string_view s) {
  auto a = base::IpAddress::parse(s);
  if (!a) usage("bad address " + std::string(s));
  return *a;
}

session::ListenEndpoint listen_endpoint(std::string_view s) {
  // a.b.c.d:port or [v6]:port
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      usage("bad listen endpoint");
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) usage("bad listen endpoint");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  return {address(host), number<std::uint16_t>(port, "port")};
}

std::map<std::string, std::size_t> table_sizes;  // peer name -> table=N

session::PeerConfig peer_config(std::string_view spec) {
  session::PeerConfig p;
  std::size_t table = 0;
  bool have_address = false;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view val = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (key == "name") {
      p.name = val;
    } else if (key == "address") {
      p.address = address(val);
      have_address = true;
    } else if (key == "asn") {
      p.asn = number<std::uint32_t>(val, "asn");
    } else if (key == "hold") {
      p.hold_time = std::chrono::seconds(number<unsigned>(val, "hold"));
    } else if (key == "passive") {
      p.passive = true;
    } else if (key == "port") {
      p.port = number<std::uint16_t>(val, "port");
    } else if (key == "multihop") {
      p.multihop = number<std::uint8_t>(val, "multihop");
    } else if (key == "gtsm") {
      p.gtsm = true;
    } else if (key == "password") {
      p.password = val;
    } else if (key == "local") {
      p.local_address = address(val);
    } else if (key == "connect-retry") {
      p.connect_retry = std::chrono::seconds(number<unsigned>(val, "connect-retry"));
    } else if (key == "idle-hold") {
      p.idle_hold = std::chrono::seconds(number<unsigned>(val, "idle-hold"));
    } else if (key == "idle-hold-max") {
      p.idle_hold_max = std::chrono::seconds(number<unsigned>(val, "idle-hold-max"));
    } else if (key == "damp-reset") {
      p.damp_reset_after = std::chrono::seconds(number<unsigned>(val, "damp-reset"));
    } else if (key == "send-hold") {
      p.send_hold_time = std::chrono::seconds(number<unsigned>(val, "send-hold"));
    } else if (key == "send-queue-limit") {
      p.send_queue_limit = number<std::size_t>(val, "send-queue-limit");
    } else if (key == "table") {
      table = number<std::size_t>(val, "table");
    } else if (key == "families") {
      p.families.clear();
      if (val.find("ipv4") != std::string_view::npos) p.families.push_back(wire::kIpv4Unicast);
      if (val.find("ipv6") != std::string_view::npos) p.families.push_back(wire::kIpv6Unicast);
    } else {
      usage("unknown peer key " + std::string(key));
    }
  }
  if (!have_address || p.asn == 0) usage("a peer needs address= and asn=");
  if (p.name.empty()) p.name = p.address.to_string();
  if (table != 0) table_sizes[p.name] = table;
  return p;
}

std::string family_name(const wire::AfiSafi& f) {
  return f.afi == wire::Afi::Ipv4 ? "ipv4-unicast" : "ipv6-unicast";
}

void emit(const json& j) { std::cout << j.dump() << "\n" << std::flush; }

// Routes i*200 .. i*200+199 of 10.0.0.0/24, 10.0.1.0/24, ...: one UPDATE from AS `asn` via
// `next_hop`.
std::shared_ptr<const std::vector<std::uint8_t>> table_update(std::size_t first, std::size_t n,
                                                              std::uint32_t asn,
                                                              const base::IpAddress& next_hop,
                                                              const wire::SessionParams& params) {
  wire::Update u;
  u.has_attributes = true;
  u.attrs.as_path.segments.push_back({wire::SegmentType::Sequence, {asn}});
  u.attrs.next_hop = next_hop;
  for (std::size_t i = first; i < first + n; ++i) {
    const auto a = static_cast<std::uint32_t>(0x0a000000u + (i << 8));
    u.nlri.push_back(base::Prefix::make(base::IpAddress::v4(a), 24));
  }
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(u, params));
}

}  // namespace

int main(int argc, char** argv) {
  session::SpeakerConfig speaker;
  std::vector<session::PeerConfig> peer_configs;
  bool start_on_signal = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--start-on-signal") {
      start_on_signal = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value for " + std::string(arg));
    const std::string_view val = argv[++i];
    if (arg == "--asn") {
      speaker.asn = number<std::uint32_t>(val, "asn");
    } else if (arg == "--router-id") {
      const auto a = address(val);
      if (!a.is_v4()) usage("router id must be IPv4 dotted quad");
      speaker.router_id = a.v4_value();
    } else if (arg == "--listen") {
      speaker.listen.push_back(listen_endpoint(val));
    } else if (arg == "--peer") {
      peer_configs.push_back(peer_config(val));
    } else {
      usage("unknown option " + std::string(arg));
    }
  }
  if (speaker.asn == 0 || speaker.router_id == 0) usage("--asn and --router-id are required");

  spdlog::set_default_logger(spdlog::stderr_logger_st("session"));
  spdlog::set_level(spdlog::level::debug);

  boost::asio::io_context io;
  base::SteadyClock clock;
  std::map<session::PeerId, std::string> names;
  session::SessionCallbacks cb;
  session::SessionManager* mgr_ptr = nullptr;
  cb.on_state = [&](const session::StateChange& s) {
    emit({{"event", "state"},
          {"peer", names[s.peer]},
          {"from", session::to_string(s.from)},
          {"to", session::to_string(s.to)},
          {"trigger", session::to_string(s.event)},
          {"conn", s.connection},
          {"outgoing", s.outgoing}});
  };
  cb.on_fsm_event = [&](const session::StateChange& s) {
    emit({{"event", "fsm"},
          {"peer", names[s.peer]},
          {"from", session::to_string(s.from)},
          {"to", session::to_string(s.to)},
          {"trigger", session::to_string(s.event)},
          {"conn", s.connection}});
  };
  cb.on_up = [&](const session::PeerUp& u) {
    json fams = json::array();
    for (const auto& f : u.negotiated.families) fams.push_back(family_name(f));
    emit({{"event", "up"},
          {"peer", names[u.peer]},
          {"asn", u.negotiated.peer_asn},
          {"router_id", base::IpAddress::v4(u.negotiated.peer_id).to_string()},
          {"hold", u.negotiated.hold_time.count()},
          {"keepalive", u.negotiated.keepalive.count()},
          {"four_octet_as", u.negotiated.four_octet_as},
          {"route_refresh", u.negotiated.route_refresh},
          {"enhanced_route_refresh", u.negotiated.enhanced_route_refresh},
          {"extended_message", u.negotiated.extended_message},
          {"graceful_restart_peer", u.negotiated.peer_graceful_restart.has_value()},
          {"families", fams},
          {"local", u.local_address.to_string()},
          {"remote", u.remote_address.to_string()}});
    if (auto it = table_sizes.find(names[u.peer]); it != table_sizes.end() && mgr_ptr) {
      std::size_t bytes = 0, routes = 0;
      for (std::size_t i = 0; i < it->second; i += 200) {
        const auto b = table_update(i, std::min<std::size_t>(200, it->second - i), speaker.asn,
                                    u.local_address, u.negotiated.params());
        if (!mgr_ptr->send(u.peer, b)) break;  // the session is being dropped
        bytes += b->size();
        routes = std::min(i + 200, it->second);
      }
      emit(
          {{"event", "table_sent"}, {"peer", names[u.peer]}, {"bytes", bytes}, {"routes", routes}});
    }
  };
  cb.on_down = [&](const session::PeerDown& d) {
    emit({{"event", "down"}, {"peer", names[d.peer]}, {"reason", d.reason}});
  };
  cb.on_notification = [&](const session::NotificationEvent& n) {
    json j{{"event", "notification"},
           {"peer", names[n.peer]},
           {"dir", n.sent ? "sent" : "received"},
           {"code", n.notification.code},
           {"subcode", n.notification.subcode},
           {"text", wire::describe(n.notification)}};
    if (auto msg = wire::decode_shutdown_communication(n.notification))
      j["shutdown_message"] = *msg;
    emit(j);
  };
  cb.on_rejected = [&](const session::RejectedConnection& r) {
    emit({{"event", "rejected"}, {"remote", r.remote.to_string()}, {"reason", r.reason}});
  };
  cb.on_message_in = [&](session::PeerId id, wire::MessageType t) {
    if (t != wire::MessageType::Keepalive || !mgr_ptr) return;
    emit(
        {{"event", "keepalive"}, {"peer", names[id]}, {"count", mgr_ptr->stats(id).keepalives_in}});
  };
  cb.on_update = [&](session::UpdateIn&& u) {
    const auto eor = u.update.end_of_rib();
    emit({{"event", "update"},
          {"peer", names[u.peer]},
          {"nlri", u.update.nlri.size()},
          {"withdrawn", u.update.withdrawn.size()},
          {"eor", eor.has_value()},
          {"action", static_cast<int>(u.action)}});
  };
  cb.on_refresh = [&](const session::RefreshRequest& r) {
    emit({{"event", "refresh"}, {"peer", names[r.peer]}});
  };

  session::SessionManager mgr(io, speaker, cb, clock);
  mgr_ptr = &mgr;
  std::vector<session::PeerId> ids;
  for (auto& p : peer_configs) {
    const std::string name = p.name;
    const auto id = mgr.add_peer(std::move(p));
    names[id] = name;
    ids.push_back(id);
  }
  if (auto err = mgr.listen()) {
    emit({{"event", "error"}, {"text", *err}});
    return 1;
  }
  emit({{"event", "listening"}});
  // --start-on-signal: start the peers on SIGUSR2 (two probes started together connect at
  // the same moment: a connection collision).
  boost::asio::signal_set go(io, SIGUSR2);
  if (start_on_signal) {
    go.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) {
        for (auto id : ids) mgr.start_peer(id);
      }
    });
  } else {
    for (auto id : ids) mgr.start_peer(id);
  }

  boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  stop_signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    mgr.shutdown("session_probe stopping", [&] {
      emit({{"event", "exit"}});
      io.stop();
    });
  });
  boost::asio::signal_set maint(io, SIGUSR1);
  maint.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    for (auto id : ids) mgr.stop_peer(id, "maintenance");
  });
  io.run();
  return 0;
}
