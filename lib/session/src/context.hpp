#pragma once
// What the peers, their connections and the listeners of one SessionManager share: the
// io_context, the speaker's settings, the callbacks, the clock and jitter, and the count of
// dropped connections still flushing a last NOTIFICATION (shutdown() waits for them).
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <random>

#include "asio_util.hpp"
#include "nvabgpd/session/session_manager.hpp"

namespace nvabgpd::session {

struct Context {
  Context(asio::io_context& io_, SpeakerConfig sp, SessionCallbacks cb, const base::Clock& c,
          std::uint64_t seed)
      : io(io_),
        speaker(std::move(sp)),
        callbacks(std::move(cb)),
        clock(c),
        rng(seed != 0 ? seed : std::random_device{}()),
        shutdown_timer(io_) {}

  asio::io_context& io;
  SpeakerConfig speaker;
  SessionCallbacks callbacks;
  const base::Clock& clock;
  std::mt19937_64 rng;
  std::uint64_t next_conn_id = 1;
  bool stopping = false;  // shutdown() was called: no peer restarts any more
  std::size_t lingering = 0;
  std::function<void()> shutdown_done;
  asio::steady_timer shutdown_timer;

  double jitter() { return std::uniform_real_distribution<double>(0.75, 1.0)(rng); }

  // A dropped connection lingers to flush its last NOTIFICATION; the returned function is
  // called once it has closed.
  std::function<void()> linger() {
    ++lingering;
    return [this] {
      --lingering;
      maybe_shutdown_done();
    };
  }

  void maybe_shutdown_done() {
    if (!shutdown_done || lingering != 0) return;
    shutdown_timer.cancel();
    asio::post(io, std::exchange(shutdown_done, nullptr));
  }
};

}  // namespace nvabgpd::session
