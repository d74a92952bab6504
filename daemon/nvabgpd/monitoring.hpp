#pragma once
// The daemon's monitoring exports: BMP stations (bmp_exporter.hpp) and MRT dumps
// (mrt_exporter.hpp), fed from the session callbacks. Each received UPDATE is encoded once
// (4-octet AS_PATH) for both. Thread: the io_context thread.
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "bmp_exporter.hpp"
#include "mrt_exporter.hpp"

namespace nvabgpd::daemon {

class Monitoring {
 public:
  Monitoring(boost::asio::io_context& io, Daemon& d);
  void start();
  bool wants_updates() const;
  void peer_up(const PeerRuntime& p, const session::PeerUp& up);
  void peer_down(const PeerRuntime& p, const session::PeerDown& down);
  void state_change(const PeerRuntime& p, session::State from, session::State to);
  // Before the RIB takes it (pre-policy, as received) and after (post-policy).
  void update_received(const PeerRuntime& p, const wire::Update& u);
  void update_applied(const PeerRuntime& p, const wire::Update& u);
  // Termination to every BMP station, MRT flushed; `done` when the stations are closed.
  void shutdown(std::function<void()> done);
  MrtExporter& mrt() { return mrt_; }

 private:
  BmpExporter bmp_;
  MrtExporter mrt_;
};

class ControlServer;
// The `dump mrt` / `dump mrt status` control verbs (control_dump.cpp).
void install_dump_handlers(ControlServer& c, Monitoring& m);

}  // namespace nvabgpd::daemon
