#pragma once
// What we announce while health checks fail or a drain is on (issue 14), as small wrappers
// around the configured filters, so the RIB needs no new concept:
//   - a tracked `originate` item is withdrawn, or announced with a longer AS path and/or extra
//     communities, while a check it tracks is not up;
//   - a peer's exports pass an ExportOverlay while the peer is drained (RFC 8326: the
//     GRACEFUL_SHUTDOWN community; one more copy of our ASN toward eBGP; LOCAL_PREF 0 toward
//     iBGP) or a check the peer tracks is not up (withdraw all, prepend, communities);
//   - every peer's imports pass GshutImport: a route carrying GRACEFUL_SHUTDOWN gets
//     LOCAL_PREF 0 (RFC 8326 4.1 receiver behaviour).
// The daemon re-runs the peer's export (Rib::reexport, only differences are sent) or
// re-originates when export_key()/originate_key() changes. Owned by the BGP thread.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "health_monitor.hpp"
#include "nvabgpd/base/fingerprint.hpp"
#include "nvabgpd/config/model.hpp"
#include "nvabgpd/rib/filter.hpp"

namespace nvabgpd::daemon {

inline constexpr std::uint32_t kGshutLocalPref = 0;  // RFC 8326 4.1 / 4.2
inline constexpr unsigned kDrainPrepend = 1;         // extra copies of our ASN toward eBGP

// How exports to one peer are changed (empty: not at all).
struct ExportModifier {
  bool reject = false;
  std::string reject_reason;
  std::uint8_t prepend = 0;
  std::vector<wire::Community> communities;
  bool drain = false;
  std::string note;  // for explain / show health
  bool empty() const { return !reject && prepend == 0 && communities.empty() && !drain; }
  std::string key() const;
};

class ExportOverlay final : public rib::RouteFilter {
 public:
  ExportOverlay(rib::FilterPtr inner, ExportModifier mod, std::uint32_t local_asn);
  const rib::RouteFilter* wrapped() const override { return inner_.get(); }
  std::string name() const override;
  std::uint64_t fingerprint() const override { return fingerprint_; }
  // What the overlay adds does not depend on the prefix.
  std::optional<std::uint64_t> prefix_signature(const base::Prefix& prefix) const override {
    if (mod_.reject || inner_->kind() == Kind::AcceptAll) return 0;
    return inner_->prefix_signature(prefix);
  }
  rib::FilterResult run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                        const rib::FilterContext& ctx) const override;

 private:
  rib::FilterPtr inner_;
  ExportModifier mod_;
  std::uint32_t local_asn_;
  std::uint64_t fingerprint_;  // the inner filter's, the modifier and the local AS
};

class GshutImport final : public rib::RouteFilter {
 public:
  explicit GshutImport(rib::FilterPtr inner) : inner_(std::move(inner)) {}
  const rib::RouteFilter* wrapped() const override { return inner_.get(); }
  std::string name() const override { return inner_->name(); }
  std::uint64_t fingerprint() const override {
    return base::Fingerprint().add(inner_->fingerprint()).add("gshut-import").value();
  }
  // What the overlay adds (LOCAL_PREF 0 on GRACEFUL_SHUTDOWN) does not depend on the prefix.
  std::optional<std::uint64_t> prefix_signature(const base::Prefix& prefix) const override {
    if (inner_->kind() == Kind::AcceptAll) return 0;
    return inner_->prefix_signature(prefix);
  }
  rib::FilterResult run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                        const rib::FilterContext& ctx) const override;

 private:
  rib::FilterPtr inner_;
};

class RouteControl {
 public:
  explicit RouteControl(const HealthMonitor& health) : health_(health) {}

  // Drain state by peer name (kept across reloads; a peer added later is not drained).
  void set_drained(const std::string& peer, bool on);
  bool drained(const std::string& peer) const { return drained_.count(peer) != 0; }
  const std::set<std::string>& drained_peers() const { return drained_; }

  ExportModifier export_modifier(const config::PeerConfig& pc) const;
  std::string export_key(const config::PeerConfig& pc) const { return export_modifier(pc).key(); }
  // The filter a peer exports through: `inner` itself when nothing applies (so peers keep
  // sharing update groups), else one shared overlay per (inner, modifier).
  rib::FilterPtr export_filter(const config::PeerConfig& pc, rib::FilterPtr inner,
                               std::uint32_t local_asn);
  rib::FilterPtr import_filter(const rib::FilterPtr& inner);

  // The attributes to originate `o` with (nullopt: withdrawn) and a key that changes with them.
  std::optional<wire::PathAttributes> originate(const config::Originate& o, wire::PathAttributes a,
                                                std::uint32_t local_asn) const;
  std::string originate_key(const config::Originate& o) const;
  // Why an originated route is withdrawn/changed, or exports to a peer are changed ("" if not).
  std::string explain_originate(const config::Originate& o) const;
  std::string explain_peer(const config::PeerConfig& pc) const;

 private:
  const HealthMonitor& health_;
  std::set<std::string> drained_;
  std::map<std::pair<const rib::RouteFilter*, std::string>, rib::FilterPtr> overlays_;
  std::map<const rib::RouteFilter*, std::pair<rib::FilterPtr, rib::FilterPtr>> imports_;
};

}  // namespace nvabgpd::daemon
