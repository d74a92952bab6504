#pragma once
// `show route`: a walk over the Loc-RIB in table order, a slice at a time (ControlStream).
//
// Snapshot semantics (docs/control-protocol.md): the walk holds no copy of the table, only a
// cursor. A route is shown in its state when the walk reaches it; a prefix present for the
// whole walk is shown exactly once; a prefix added or removed during the walk may or may not
// be shown. Order is the table's (not sorted). Thread: io_context (the RIB's thread).
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "control_stream.hpp"
#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/rib.hpp"
#include "peer_directory.hpp"

namespace nvabgpd::daemon {

// What the walk reads besides the RIB (the daemon's peers and kernel FIB).
struct RouteContext {
  const rib::Rib* rib = nullptr;
  const PeerDirectory* directory = nullptr;
  // When the peer's session came up (ISO 8601), if the daemon knows the peer.
  std::function<std::optional<std::string>(rib::PeerId)> since;
  // The kernel forwarding path of a next hop, if it resolves.
  struct Via {
    std::string gateway;
    std::string interface;
  };
  std::function<std::optional<Via>(const base::IpAddress&)> via;
};

struct RouteQuery {
  std::optional<base::Prefix> prefix;       // one prefix
  std::optional<base::IpAddress> for_addr;  // the longest match for an address
  std::optional<rib::PeerId> protocol;      // only paths from this peer
  std::optional<rib::PeerId> export_peer;   // what would be sent to this peer
  std::string export_name;
  // That peer's own addresses, written where the RIB holds the next-hop-self placeholder, so
  // the route shows the next hop the peer really receives.
  base::IpAddress export_self_v4;
  std::optional<base::IpAddress> export_self_v6;
  bool count_only = false;
  bool filtered = false;  // routes the import filter rejected (soft-reconfiguration copies)
};

class RouteWalk final : public ControlStream {
 public:
  RouteWalk(RouteContext ctx, RouteQuery q);
  bool next(ControlSink& sink, std::size_t budget) override;
  std::string_view items_key() const override { return q_.count_only ? "" : "routes"; }
  nlohmann::json summary() const override;

 private:
  void visit(const base::Prefix& pfx, ControlSink& sink);

  RouteContext ctx_;
  RouteQuery q_;
  std::optional<base::Prefix> single_;  // prefix / for: the one candidate, if any
  bool whole_table_ = true;
  rib::EntryId cursor_ = 0;
  std::size_t count_ = 0;     // paths shown (or counted)
  std::size_t prefixes_ = 0;  // prefixes visited
  std::string text_;          // the item being written (reused)
};

}  // namespace nvabgpd::daemon
