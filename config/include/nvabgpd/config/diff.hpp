#pragma once
// Reload diff: old Config vs new Config -> the smallest set of actions. Each peer gets exactly
// one action; global changes are listed separately. The daemon applies the plan after the new
// config validated in full (reload is all-or-nothing); `reload --check` prints format_plan().
#include <set>
#include <string>
#include <vector>

#include "nvabgpd/config/model.hpp"

namespace nvabgpd::config {

enum class PeerAction : std::uint8_t {
  Keep,               // nothing changed
  UpdateInPlace,      // swap in the new PeerConfig; session and routes untouched (description)
  RerunImport,        // re-apply import policy (stored pre-policy routes or ROUTE-REFRESH)
  RerunExport,        // recompute the Adj-RIB-Out and send only the differences
  RerunImportExport,  // both of the above
  Restart,            // close the session (Cease) and start it with the new settings
  Add,                // new peer
  Remove,             // peer gone: Cease, withdraw its routes
};
std::string_view to_string(PeerAction a);

struct PeerChange {
  std::string name;
  PeerAction action = PeerAction::Keep;
  std::vector<std::string> changes;  // "hold-time 90 -> 180", one per changed setting
};

struct GlobalChanges {
  bool restart_all = false;   // router-id or local ASN changed: every session restarts
  bool listen = false;        // re-bind listening sockets
  bool filter_files = false;  // the list of filter files changed
  bool originate = false;     // re-originate local routes (their export follows)
  bool kernel = false;        // FIB settings changed (table, protocol, metric, persist, ...)
  bool control = false;       // control socket path changed
  bool metrics = false;       // metrics endpoint changed
  bool log = false;           // log level changed
  bool monitoring = false;    // bmp or mrt settings changed (take effect at restart)
  bool health = false;        // health checks changed: restarted in place, no session reset
  bool shutdown = false;      // shutdown (drain) settings changed: used at the next SIGTERM
  std::vector<std::string> changes;
};

struct ReloadPlan {
  GlobalChanges global;
  std::vector<PeerChange> peers;  // every peer of old and new, new order first, then removed
  bool empty() const;             // nothing to do at all
  const PeerChange* find(std::string_view name) const;
};

// `changed_filters`: names of filters whose compiled program differs between the old and the
// new filter files (the daemon knows this after compiling both); peers using them re-run the
// matching direction.
ReloadPlan diff_configs(const Config& old_cfg, const Config& new_cfg,
                        const std::set<std::string, std::less<>>& changed_filters = {});

// Human-readable plan, one line per peer and per global change, for `reload --check`.
std::string format_plan(const ReloadPlan& plan);

}  // namespace nvabgpd::config
