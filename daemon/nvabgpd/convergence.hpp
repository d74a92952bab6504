#pragma once
// Initial convergence (issue 13): the moment after which the FIB may remove the routes it
// adopted from the kernel at start and nobody re-announced, and after which a restarting
// speaker (RFC 4724 4.1) sends its routes and End-of-RIB.
//
// Converged when the RIB is idle and every tracked peer (configured and enabled) is settled:
//   - Established and has sent End-of-RIB for every negotiated family, or
//   - Established for end_of_rib_wait without sending it (peers that never send End-of-RIB), or
//   - not Established peer_up_wait after it was tracked (at start, or when a reload added it).
// Every peer is settled at the latest peer_up_wait + end_of_rib_wait after it was tracked, so a
// flapping peer cannot hold convergence back for ever. Once reached, convergence is final.
//
// A restarting speaker (routes adopted from the kernel) sends its routes and End-of-RIB at
// convergence too. RFC 4724 4.1 lets it skip the End-of-RIB of peers whose OPEN carried the
// Restart State bit; we wait for theirs as well: such a peer sees the Restart State bit in our
// OPEN and does not wait for our End-of-RIB, so nobody deadlocks, and a peer that sets the bit
// only because it started recently (FRR does, for its restart time) would otherwise receive our
// End-of-RIB before the routes learned from the others and sweep ours (a lost-traffic gap).
//
// Pure: time is an input, no I/O.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::daemon {

struct ConvergenceTimers {
  std::chrono::seconds peer_up_wait{60};
  std::chrono::seconds end_of_rib_wait{60};
};

class Convergence {
 public:
  using Time = base::SteadyTime;

  Convergence(ConvergenceTimers timers, Time start) : timers_(timers), start_(start) {}

  // A configured, enabled peer (at start, or added by a reload): waited for from `now`.
  void track(std::size_t peer, std::string name, Time now);
  void untrack(std::size_t peer);
  // The session came up with these negotiated families.
  void up(std::size_t peer, const std::vector<wire::AfiSafi>& families, Time now);
  void down(std::size_t peer);
  void end_of_rib(std::size_t peer, wire::AfiSafi af);

  struct Wait {
    std::string peer;
    bool established = false;               // false: waiting for the session to come up
    std::vector<wire::AfiSafi> end_of_rib;  // families whose End-of-RIB is awaited
    std::chrono::milliseconds left{0};      // until this peer is settled anyway
  };
  // The peers convergence still waits for (tracked order).
  std::vector<Wait> waiting(Time now) const;
  // The earliest time at which a waited-for peer becomes settled by a timer.
  std::optional<Time> next_deadline(Time now) const;

  // Latches convergence when nothing is waited for and the RIB is idle; true when it just
  // converged.
  bool try_converge(Time now, bool rib_idle);
  bool converged() const { return converged_at_.has_value(); }
  // Time from start to convergence.
  std::optional<std::chrono::milliseconds> took() const;
  Time start() const { return start_; }
  const ConvergenceTimers& timers() const { return timers_; }

 private:
  struct Peer {
    std::string name;
    Time tracked;
    std::optional<Time> up_since;
    std::vector<wire::AfiSafi> eor_pending;
  };
  // When p stops being waited for by timers alone; nullopt: it is settled now.
  std::optional<Time> settles_at(const Peer& p, Time now) const;

  ConvergenceTimers timers_;
  Time start_;
  std::map<std::size_t, Peer> peers_;
  std::optional<Time> converged_at_;
};

}  // namespace nvabgpd::daemon
