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
  // Fill FilterResult::reason (explain, filter test). The import and export paths leave it
  // false: no text is built per route.
  bool want_reason = false;
};

struct FilterResult {
  bool accept = false;
  std::optional<wire::PathAttributes> modified;  // set only when the filter changed something
  std::string reason;         // e.g. "TO_RS: rejected at line 12"; only when ctx.want_reason
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
  // Identity of what the filter does: equal fingerprints give equal results for every route
  // (same compiled filter text and definitions it uses, same overlays). Update groups are keyed
  // by it, so peers exporting through equal filters share one group, and a reload that leaves
  // a filter unchanged keeps its group (and sends nothing).
  // A filter that does not say is only equal to itself.
  virtual std::uint64_t fingerprint() const { return reinterpret_cast<std::uintptr_t>(this); }
  // Filters whose result depends on the prefix only through yes/no tests return their
  // answers for `prefix` (one bit per test): two routes with the same attribute set, source
  // peer and signature then get the same result, and the RIB runs the filter once for them.
  // nullopt (the default): run the filter for every route.
  virtual std::optional<std::uint64_t> prefix_signature(const base::Prefix& prefix) const {
    (void)prefix;
    return std::nullopt;
  }
  // Program filters may depend on the prefix; the RIB calls this per route.
  virtual FilterResult run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                           const FilterContext& ctx) const = 0;
};

class AcceptAllFilter final : public RouteFilter {
 public:
  Kind kind() const override { return Kind::AcceptAll; }
  std::string name() const override { return "all"; }
  std::uint64_t fingerprint() const override { return 1; }
  FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                   const FilterContext&) const override {
    return FilterResult{true, std::nullopt, {}};
  }
};

class RejectAllFilter final : public RouteFilter {
 public:
  Kind kind() const override { return Kind::RejectAll; }
  std::string name() const override { return "none"; }
  std::uint64_t fingerprint() const override { return 2; }
  FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                   const FilterContext&) const override {
    return FilterResult{false, std::nullopt, "filter none rejects every route"};
  }
};

using FilterPtr = std::shared_ptr<const RouteFilter>;
// One shared instance each (they are stateless).
inline FilterPtr accept_all() {
  static const FilterPtr f = std::make_shared<const AcceptAllFilter>();
  return f;
}
inline FilterPtr reject_all() {
  static const FilterPtr f = std::make_shared<const RejectAllFilter>();
  return f;
}

}  // namespace nvabgpd::rib
