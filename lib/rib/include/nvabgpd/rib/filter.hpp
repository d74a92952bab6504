#pragma once
// The filter hook. The filter language (policy/) is adapted to this interface by the daemon;
// `all` and `none` are provided here. A filter sees the route's attributes as a wire value and
// may return a modified copy; only accepted results are interned.
#include <memory>
#include <optional>
#include <string>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::rib {

enum class FilterDirection : std::uint8_t { Import, Export };

struct FilterContext {
  FilterDirection direction = FilterDirection::Import;
  std::uint32_t peer_id = 0;  // the daemon's PeerId of the importing / exporting peer
  std::uint32_t peer_asn = 0;
  std::uint32_t source_peer_id = 0;  // export: the peer the route came from (0: local)
};

struct FilterResult {
  bool accept = false;
  std::optional<wire::PathAttributes> modified;  // set only when the filter changed something
  std::string reason;                            // e.g. "TO_RS: rejected at line 12"
  bool med_assigned = false;  // the filter assigned MED (an export keeps it toward eBGP)
};

class RouteFilter {
 public:
  enum class Kind : std::uint8_t { AcceptAll, RejectAll, Program };
  virtual ~RouteFilter() = default;
  virtual Kind kind() const { return Kind::Program; }
  // A filter that wraps another (the daemon's health-tracking, drain and GRACEFUL_SHUTDOWN
  // overlays) returns it; nullptr otherwise.
  virtual const RouteFilter* wrapped() const { return nullptr; }
  virtual std::string name() const = 0;
  // Program filters may depend on the prefix; the RIB calls this per route.
  virtual FilterResult run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                           const FilterContext& ctx) const = 0;
};

class AcceptAllFilter final : public RouteFilter {
 public:
  Kind kind() const override { return Kind::AcceptAll; }
  std::string name() const override { return "all"; }
  FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                   const FilterContext&) const override {
    return FilterResult{true, std::nullopt, {}};
  }
};

class RejectAllFilter final : public RouteFilter {
 public:
  Kind kind() const override { return Kind::RejectAll; }
  std::string name() const override { return "none"; }
  FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                   const FilterContext&) const override {
    return FilterResult{false, std::nullopt, "filter none rejects every route"};
  }
};

using FilterPtr = std::shared_ptr<const RouteFilter>;
// One shared instance each (they are stateless): update groups are keyed by the export filter
// object, so every peer exporting `all` must get the same pointer to share one group.
inline FilterPtr accept_all() {
  static const FilterPtr f = std::make_shared<const AcceptAllFilter>();
  return f;
}
inline FilterPtr reject_all() {
  static const FilterPtr f = std::make_shared<const RejectAllFilter>();
  return f;
}

}  // namespace nvabgpd::rib
